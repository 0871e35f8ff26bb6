//! Helpers shared by the Ruby, PHP, .NET, Dart, Elixir, Swift and Conan catalogers.

use super::Catalog;

/// A catalog holding the error for a file that is not valid JSON, at the line serde reports.
pub(crate) fn json_failed(rel: &str, what: &str, e: &serde_json::Error) -> Catalog {
    let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
    Catalog::failed(rel, line, format!("not a valid {what}: {e}"))
}

/// A catalog holding the error for an empty file whose format requires content.
pub(crate) fn empty_failed(rel: &str, text: &str, what: &str) -> Option<Catalog> {
    text.trim().is_empty().then(|| Catalog::failed(rel, None, format!("empty {what}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert!(empty_failed("f", " \n", "x").is_some());
        assert!(empty_failed("f", "{}", "x").is_none());
    }
}

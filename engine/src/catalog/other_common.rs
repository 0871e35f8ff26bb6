//! Helpers shared by the Ruby, PHP, .NET, Dart, Elixir, Swift and Conan catalogers.

use super::{Catalog, LineIndex};
use base64::Engine as _;

/// The lines of `text` with their 1-based numbers, without `\n` or a trailing `\r`.
pub(crate) fn numbered_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.trim_end_matches('\r')))
}

/// A catalog holding the error for a file that is not valid JSON, at the line serde reports.
pub(crate) fn json_failed(rel: &str, what: &str, e: &serde_json::Error) -> Catalog {
    let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
    Catalog::failed(rel, line, format!("not a valid {what}: {e}"))
}

/// A catalog holding the error for an empty file whose format requires content.
pub(crate) fn empty_failed(rel: &str, text: &str, what: &str) -> Option<Catalog> {
    text.trim().is_empty().then(|| Catalog::failed(rel, None, format!("empty {what}")))
}

/// Standard base64 (with or without padding) to lowercase hex.
pub(crate) fn base64_to_hex(b64: &str) -> Option<String> {
    let b64 = b64.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64.trim_end_matches('=')))
        .ok()?;
    if bytes.is_empty() {
        return None;
    }
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// True for a non-empty string of hex digits.
pub(crate) fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Finds `needle` at or after byte `*cursor`, returning its line and moving the cursor past it. When
/// it is not found the cursor stays put and the line is unknown.
pub(crate) fn line_from(text: &str, index: &LineIndex, needle: &str, cursor: &mut usize) -> Option<u32> {
    let at = text.get(*cursor..)?.find(needle)? + *cursor;
    *cursor = at + needle.len();
    Some(index.line(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(base64_to_hex("AQID").as_deref(), Some("010203"));
        assert_eq!(base64_to_hex("not base64!"), None);
        assert!(is_hex("aB09") && !is_hex("") && !is_hex("xyz"));
        let lines: Vec<_> = numbered_lines("a\r\nb\n").collect();
        assert_eq!(lines, vec![(1, "a"), (2, "b"), (3, "")]);
        let t = "x\n\"a\"\n\"a\"";
        let ix = LineIndex::new(t);
        let mut c = 0;
        assert_eq!(line_from(t, &ix, "\"a\"", &mut c), Some(2));
        assert_eq!(line_from(t, &ix, "\"a\"", &mut c), Some(3));
        assert_eq!(line_from(t, &ix, "\"a\"", &mut c), None);
        assert!(empty_failed("f", " \n", "x").is_some());
        assert!(empty_failed("f", "{}", "x").is_none());
    }
}

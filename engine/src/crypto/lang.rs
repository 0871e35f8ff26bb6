//! Which rule table a source file gets (by extension) and whether its path marks it as a test.

/// A language with a crypto rule table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Python.
    Python,
    /// Java and Kotlin (both call JCA the same way).
    Java,
    /// Go.
    Go,
    /// JavaScript and TypeScript.
    JavaScript,
    /// Rust.
    Rust,
    /// C and C++.
    C,
    /// C#.
    CSharp,
    /// PHP.
    Php,
    /// Ruby.
    Ruby,
}

impl Language {
    /// The language of `path` from its extension, if it has a rule table.
    pub fn of(path: &str) -> Option<Language> {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        Some(match ext.as_str() {
            "py" | "pyi" => Language::Python,
            "java" | "kt" | "kts" => Language::Java,
            "go" => Language::Go,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Language::JavaScript,
            "rs" => Language::Rust,
            "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => Language::C,
            "cs" => Language::CSharp,
            "php" => Language::Php,
            "rb" => Language::Ruby,
            _ => return None,
        })
    }
}

/// True when `path` (relative, `/`-separated) looks like a test: a `test`/`tests`/`__tests__`/
/// `testdata`/`spec` directory, or a file named like `test_x.py`, `x_test.go`, `x.test.ts`,
/// `XTest.java`, `x_spec.rb`.
pub fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_some() {
            if matches!(part, "test" | "tests" | "__tests__" | "testdata" | "spec" | "testing") {
                return true;
            }
            continue;
        }
        let stem = part.split('.').next().unwrap_or(part);
        let lower = part.to_ascii_lowercase();
        return stem.starts_with("test_")
            || stem.ends_with("_test")
            || stem.ends_with("_tests")
            || stem.ends_with("_spec")
            || lower.contains(".test.")
            || lower.contains(".spec.")
            || (stem.ends_with("Test") || stem.ends_with("Tests")) && stem.len() > 4;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_tests() {
        assert_eq!(Language::of("a/b.PY"), Some(Language::Python));
        assert_eq!(Language::of("x.kt"), Some(Language::Java));
        assert_eq!(Language::of("Makefile"), None);
        assert!(is_test_path("src/tests/a.rs"));
        assert!(is_test_path("pkg/rsa_test.go"));
        assert!(is_test_path("lib/x.test.ts"));
        assert!(is_test_path("src/CryptoTest.java"));
        assert!(is_test_path("test_rsa.py"));
        assert!(!is_test_path("src/attest.rs"));
        assert!(!is_test_path("src/contest/main.go"));
    }
}

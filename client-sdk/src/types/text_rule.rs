//! The rule of every name-like text the API takes (names, refs, labels, ids typed by a person):
//! not blank, no control characters, no whitespace at either end, at most a field's number of
//! characters. [`check_text`] is what the server applies; [`TEXT_PATTERN`] states the same rule
//! to JSON Schema, so the OpenAPI document and the server agree (the daemon holds the two
//! together by a test over every code point).
//!
//! A request field says it follows the rule with `#[schema(format = "cairn-text", max_length =
//! N)]` ([`TEXT_FORMAT`]); the daemon's OpenAPI completion replaces that marker with the pattern.

/// The marker a field's schema carries until the OpenAPI document is completed.
pub const TEXT_FORMAT: &str = "cairn-text";

/// The marker of a one-word text ([`check_word`]: an advisory id or alias).
pub const WORD_FORMAT: &str = "cairn-word";

/// The ECMA-262 pattern of [`check_text`] (length aside: `minLength`/`maxLength` state that).
/// Control characters are Unicode's `Cc` (U+0000–U+001F, U+007F–U+009F); whitespace is what
/// Rust's `str::trim` removes (Unicode `White_Space`), spelled out because `\s` differs between
/// ECMA-262, Python and Rust.
pub const TEXT_PATTERN: &str = concat!(
    r"^[^\u0000-\u001f\u007f-\u009f\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
    r"(?:[^\u0000-\u001f\u007f-\u009f]*",
    r"[^\u0000-\u001f\u007f-\u009f\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$",
);

/// The ECMA-262 pattern of [`check_word`]: no control characters and no whitespace anywhere.
pub const WORD_PATTERN: &str =
    r"^[^\u0000-\u001f\u007f-\u009f\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$";

/// Why `value` is not an acceptable name-like text of at most `max` characters, or `None`.
pub fn check_text(value: &str, max: usize) -> Option<String> {
    if value.trim().is_empty() {
        Some("must not be empty".to_owned())
    } else if value.chars().count() > max {
        Some(format!("must be at most {max} characters"))
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters".to_owned())
    } else if value.trim() != value {
        Some("must not start or end with whitespace".to_owned())
    } else {
        None
    }
}

/// Why `value` is not one advisory id or alias of at most `max` characters (the name-like text
/// rule, and no whitespace inside), or `None`.
pub fn check_word(value: &str, max: usize) -> Option<String> {
    check_text(value, max).or_else(|| {
        value
            .chars()
            .any(char::is_whitespace)
            .then(|| "must be one advisory id or alias, without spaces".to_owned())
    })
}

//! Field validation shared by handlers: collects every problem with its field path.

use cairn_sdk::types::FieldError;

use crate::error::ApiError;

/// Accumulates field errors.
#[derive(Debug, Default)]
pub struct Check(Vec<FieldError>);

impl Check {
    /// A new, empty check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error.
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    /// A name-like string: not blank, at most `max` characters, no control characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(field, "must not be empty");
        } else if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if value.chars().any(char::is_control) {
            self.fail(field, "must not contain control characters");
        } else if value.trim() != value {
            self.fail(field, "must not start or end with whitespace");
        }
    }

    /// A repository URL: `https://`, `http://`, `ssh://`, `git://` or `git@host:path`, no spaces.
    pub fn repo_url(&mut self, field: &str, value: &str) {
        let ok_scheme = ["https://", "http://", "ssh://", "git://"].iter().any(|s| value.starts_with(s))
            || (value.starts_with("git@") && value.contains(':'));
        if !ok_scheme || value.len() > 2048 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.fail(field, "must be an https://, http://, ssh://, git:// or git@host:path URL");
        } else if crate::sources::url::has_credentials(value) {
            self.fail(field, crate::sources::url::CREDENTIALS_REFUSED);
        }
    }

    /// Tags: at most 50, each 1-64 characters without control characters.
    pub fn tags(&mut self, field: &str, tags: &[String]) {
        if tags.len() > 50 {
            self.fail(field, "at most 50 tags");
        }
        for (i, t) in tags.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), t, 64);
        }
    }

    /// 400 with every recorded error, or Ok.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::fields(self.0)) }
    }
}

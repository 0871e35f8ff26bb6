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
    /// The rule and its pattern in the OpenAPI document are one: [`cairn_sdk::types::check_text`].
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if let Some(why) = cairn_sdk::types::check_text(value, max) {
            self.fail(field, why);
        }
    }

    /// An advisory id or alias: a name-like text without whitespace inside
    /// ([`cairn_sdk::types::check_word`]).
    pub fn word(&mut self, field: &str, value: &str, max: usize) {
        if let Some(why) = cairn_sdk::types::check_word(value, max) {
            self.fail(field, why);
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

    /// Tags: at most 50, each a name-like text of 1-64 characters (the bounds the OpenAPI
    /// document states: [`cairn_sdk::types::MAX_TAGS`], [`cairn_sdk::types::MAX_TAG_CHARS`]).
    pub fn tags(&mut self, field: &str, tags: &[String]) {
        use cairn_sdk::types::{MAX_TAG_CHARS, MAX_TAGS};
        if tags.len() > MAX_TAGS {
            self.fail(field, format!("at most {MAX_TAGS} tags"));
        }
        for (i, t) in tags.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), t, MAX_TAG_CHARS);
        }
    }

    /// A product profile (the CRA fields of a project).
    pub fn product(&mut self, field: &str, p: &cairn_sdk::types::ProductProfile) {
        if let Some(m) = p.support_period_months
            && !(1..=600).contains(&m)
        {
            self.fail(&format!("{field}.support_period_months"), "must be 1-600");
        }
        if let Some(c) = &p.security_contact {
            let f = format!("{field}.security_contact");
            let email = c.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
            let url = c.starts_with("https://") && c.len() > "https://".len();
            if c.chars().any(|ch| ch.is_whitespace() || ch.is_control())
                || c.chars().count() > 320
                || !(email || url)
            {
                self.fail(&f, "must be an e-mail address or an https:// URL, at most 320 characters");
            }
        }
        if let Some(v) = &p.vulnerability_policy {
            let f = format!("{field}.vulnerability_policy");
            if v.trim().is_empty() {
                self.fail(&f, "must not be empty");
            } else if v.chars().count() > 20_000 {
                self.fail(&f, "must be at most 20000 characters");
            }
        }
    }

    /// A triage SLA: each given number of days 1-3650.
    pub fn triage_sla(&mut self, field: &str, sla: &cairn_sdk::types::TriageSla) {
        for (name, days) in [
            ("critical", sla.critical),
            ("high", sla.high),
            ("medium", sla.medium),
            ("low", sla.low),
            ("other", sla.other),
        ] {
            if let Some(d) = days
                && !(1..=3650).contains(&d)
            {
                self.fail(&format!("{field}.{name}"), "must be 1-3650 days");
            }
        }
    }

    /// 400 with every recorded error, or Ok.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::fields(self.0)) }
    }
}

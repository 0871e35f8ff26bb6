//! An email address as accounts use it: trimmed, lower-cased, one `@` with text on both sides.

use super::error::{AccountField, InvalidField};

/// A normalised email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims and lower-cases `raw`, and checks its shape.
    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        normalize_email(raw).map(Self).map_err(|m| InvalidField::new(AccountField::Email, m))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@` (the default tenant name).
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(self.0.as_str(), |(local, _)| local)
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims and lower-cases an email, and checks its shape; the error is the message for its field.
pub fn normalize_email(email: &str) -> Result<String, String> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid { Ok(e) } else { Err("must be an email address".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_refuses_what_is_not_an_address() {
        let e = Email::parse("  Ada@Example.TEST ").expect("valid");
        assert_eq!((e.as_str(), e.local_part()), ("ada@example.test", "ada"));
        for bad in ["", "ada", "@example.test", "ada@", "a@b@c", "a da@example.test"] {
            let err = Email::parse(bad).expect_err(bad);
            assert_eq!(err.field, AccountField::Email, "{bad}");
        }
    }
}

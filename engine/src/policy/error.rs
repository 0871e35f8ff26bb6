//! What is wrong with a policy document: which rule, which field, what.

use std::fmt;

/// A policy document that cannot be used. `rule` and `field` say where, so the author can fix it
/// without guessing (`rule "no-agpl": field license.categories[0]: unknown variant "agpl"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The rule's id (or its position, `#3`, when it has no readable id); `None` for the document.
    pub rule: Option<String>,
    /// The field, as a path in the document (`license.categories[0]`); `None` when the whole
    /// document or rule is at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl PolicyError {
    /// An error about the document as a whole.
    pub fn document(field: Option<&str>, message: impl Into<String>) -> Self {
        PolicyError { rule: None, field: field.map(str::to_owned), message: message.into() }
    }

    /// An error about one rule's field.
    pub fn rule(rule: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        PolicyError { rule: Some(rule.to_owned()), field: field.map(str::to_owned), message: message.into() }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = &self.rule {
            write!(f, "rule {r:?}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field {field}: ")?;
        }
        f.write_str(&self.message)
    }
}

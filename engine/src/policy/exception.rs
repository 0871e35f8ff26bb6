//! Approved exceptions: a violation waived until a time. Expired exceptions waive nothing, so
//! evaluating again after the expiry fails the gate again.

use super::gate::{GateResult, Waived};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One approved exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// Its id (the approval's).
    pub id: String,
    /// The rule it waives; `None`: any rule on that subject.
    pub rule: Option<String>,
    /// The subject's key ([`super::Subject::key`]).
    pub subject: String,
    /// When it stops waiving.
    pub expires_at: OffsetDateTime,
}

impl Exception {
    /// Whether it waives `rule` on the subject keyed `subject` at `now`.
    pub fn waives(&self, rule: &str, subject: &str, now: OffsetDateTime) -> bool {
        now < self.expires_at && self.rule.as_deref().is_none_or(|r| r == rule) && self.subject == subject
    }
}

/// Moves the violations `exceptions` waive at `now` to `result.waived` and recomputes the status.
pub fn apply_exceptions(result: &mut GateResult, exceptions: &[Exception], now: OffsetDateTime) {
    if exceptions.is_empty() {
        return;
    }
    let mut kept = Vec::with_capacity(result.violations.len());
    for v in std::mem::take(&mut result.violations) {
        let key = v.subject.key();
        match exceptions.iter().find(|e| e.waives(&v.rule, &key, now)) {
            Some(e) => result.waived.push(Waived {
                violation: v,
                exception: e.id.clone(),
                expires_at: e.expires_at.format(&Rfc3339).unwrap_or_default(),
            }),
            None => kept.push(v),
        }
    }
    result.violations = kept;
    result.status = GateResult::status_of(&result.violations);
}

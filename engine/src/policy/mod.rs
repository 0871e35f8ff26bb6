//! Policy as data: a versioned document of rules (`cairn-policy/1`, TOML or JSON) evaluated purely
//! over a scan's facts into a gate result (`pass` / `warn` / `fail`, the violations, what was
//! waived and what could not be evaluated). The CLI (offline) and the daemon evaluate through
//! this one function, so they agree. docs/policies.md describes the document.
//!
//! **Architecture invariant:** evaluation cannot fail: a document is checked when read
//! ([`Policy::parse`], errors naming the rule and the field), and missing facts become
//! [`NotEvaluated`] entries, never a pass.

mod action;
mod condition;
mod document;
mod error;
mod evaluate;
mod exception;
mod gate;
mod input;
mod purl_pattern;
mod rule;
mod scope;

pub use action::Action;
pub use condition::{
    Condition, CryptoCondition, DataCondition, FindingCondition, IdPattern, InventoryCondition,
    LicenseCondition, OPEN, TriageFilter, WarningCondition,
};
pub use document::{DEFAULT_POLICY_TOML, POLICY_FORMAT, Policy};
pub use error::PolicyError;
pub use evaluate::evaluate;
pub use exception::{Exception, apply_exceptions};
pub use gate::{GateResult, GateStatus, NotEvaluated, PolicyRef, Subject, Violation, Waived};
pub use input::{CryptoFacts, DataGap, FindingFacts, PolicyInput, VulnFacts, WarningFacts, rfc3339};
pub use purl_pattern::PurlPattern;
pub use rule::Rule;
pub use scope::{ProjectFacts, RuleScope, Usage};

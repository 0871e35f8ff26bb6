//! A policy document: `format`, `id`, `revision`, optional `name`/`description`, and `[[rules]]`.
//! Written in TOML or JSON (the same shape); checked once when read, so evaluation cannot fail.

use super::error::PolicyError;
use super::rule::{Rule, valid_id};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The document format this engine reads.
pub const POLICY_FORMAT: &str = "cairn-policy/1";

/// The default policy (`config/policy.default.toml`), selectable as `--policy default`.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../config/policy.default.toml");

/// A checked policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// The policy's id (`default`, `release-gate`).
    pub id: String,
    /// Its revision: the document's own, or the one the daemon assigned when it stored it.
    pub revision: u32,
    /// A title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rules, in document order.
    pub rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    format: String,
    id: String,
    #[serde(default = "first_revision")]
    revision: u32,
    name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    rules: Vec<serde_json::Value>,
}

fn first_revision() -> u32 {
    1
}

impl Policy {
    /// Reads a policy written in JSON (an object) or TOML (anything else).
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        if text.trim_start().starts_with('{') { Policy::from_json(text) } else { Policy::from_toml(text) }
    }

    /// Reads a TOML policy.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let value: serde_json::Value =
            toml::from_str(text).map_err(|e| PolicyError::document(None, format!("not valid TOML: {e}")))?;
        Policy::from_value(value)
    }

    /// Reads a JSON policy.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| PolicyError::document(None, format!("not valid JSON: {e}")))?;
        Policy::from_value(value)
    }

    /// The built-in default policy.
    pub fn builtin_default() -> Policy {
        // The file is checked by a test; a broken one is a build of Cairn that must not ship.
        Policy::from_toml(DEFAULT_POLICY_TOML).unwrap_or_else(|e| panic!("config/policy.default.toml: {e}"))
    }

    fn from_value(value: serde_json::Value) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            PolicyError::document((path != ".").then_some(path.as_str()), e.into_inner().to_string())
        })?;
        if raw.format != POLICY_FORMAT {
            return Err(PolicyError::document(
                Some("format"),
                format!("{:?} is not a format this version reads ({POLICY_FORMAT})", raw.format),
            ));
        }
        if !valid_id(&raw.id) {
            return Err(PolicyError::document(
                Some("id"),
                "letters, digits, `.`, `_` and `-` only, 1 to 100 of them",
            ));
        }
        if raw.revision == 0 {
            return Err(PolicyError::document(Some("revision"), "revisions start at 1"));
        }
        let mut seen = BTreeSet::new();
        let mut rules = Vec::with_capacity(raw.rules.len());
        for (i, v) in raw.rules.into_iter().enumerate() {
            let rule = Rule::from_value(i, v)?;
            if !seen.insert(rule.id.clone()) {
                return Err(PolicyError::rule(
                    &rule.id,
                    Some("id"),
                    "used by an earlier rule; ids are unique",
                ));
            }
            rules.push(rule);
        }
        Ok(Policy { id: raw.id, revision: raw.revision, name: raw.name, description: raw.description, rules })
    }

    /// The same policy under the revision a store gave it.
    pub fn with_revision(mut self, revision: u32) -> Policy {
        self.revision = revision;
        self
    }
}

//! One rule: id, action, message, optional scope and exactly one condition.

use super::action::Action;
use super::condition::{
    Condition, CryptoCondition, DataCondition, FindingCondition, InventoryCondition, LicenseCondition,
    WarningCondition,
};
use super::error::PolicyError;
use super::scope::RuleScope;
use serde::{Deserialize, Serialize};

/// A checked rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Unique in its policy: letters, digits, `.`, `_`, `-`.
    pub id: String,
    /// What a match does to the gate.
    pub action: Action,
    /// What a violation says.
    pub message: String,
    /// Where it applies.
    pub scope: RuleScope,
    /// What it looks for.
    pub condition: Condition,
}

/// A rule as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    action: Action,
    message: String,
    #[serde(default)]
    scope: RuleScope,
    finding: Option<FindingCondition>,
    warning: Option<WarningCondition>,
    license: Option<LicenseCondition>,
    crypto: Option<CryptoCondition>,
    inventory: Option<InventoryCondition>,
    data: Option<DataCondition>,
}

/// Whether `id` is a usable rule id.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl Rule {
    /// Reads the rule at position `index` (for errors when it has no id) from its JSON form.
    pub(super) fn from_value(index: usize, value: serde_json::Value) -> Result<Rule, PolicyError> {
        let name =
            value.get("id").and_then(|v| v.as_str()).map_or_else(|| format!("#{}", index + 1), str::to_owned);
        let raw: RawRule = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            PolicyError::rule(&name, (path != ".").then_some(path.as_str()), e.into_inner().to_string())
        })?;
        if !valid_id(&raw.id) {
            return Err(PolicyError::rule(
                &name,
                Some("id"),
                "letters, digits, `.`, `_` and `-` only, 1 to 100 of them",
            ));
        }
        if raw.message.trim().is_empty() {
            return Err(PolicyError::rule(&name, Some("message"), "must say something"));
        }
        let mut conditions = Vec::new();
        conditions.extend(raw.finding.map(Condition::Finding));
        conditions.extend(raw.warning.map(Condition::Warning));
        conditions.extend(raw.license.map(Condition::License));
        conditions.extend(raw.crypto.map(Condition::Crypto));
        conditions.extend(raw.inventory.map(Condition::Inventory));
        conditions.extend(raw.data.map(Condition::Data));
        if conditions.len() != 1 {
            return Err(PolicyError::rule(
                &name,
                None,
                format!(
                    "needs exactly one condition table (finding, warning, license, crypto, inventory or data), found {}",
                    conditions.len()
                ),
            ));
        }
        let condition = conditions.remove(0);
        check(&name, &condition)?;
        Ok(Rule { id: raw.id, action: raw.action, message: raw.message, scope: raw.scope, condition })
    }
}

/// Checks a condition's values beyond their types.
fn check(rule: &str, c: &Condition) -> Result<(), PolicyError> {
    let err = |field: &str, message: &str| Err(PolicyError::rule(rule, Some(field), message));
    match c {
        Condition::Finding(f) => {
            if f.min_cvss.is_some_and(|s| !(0.0..=10.0).contains(&s)) {
                return err("finding.min_cvss", "a CVSS score is between 0.0 and 10.0");
            }
            if f.triage.as_ref().is_some_and(Vec::is_empty) {
                return err(
                    "finding.triage",
                    "an empty list matches nothing; leave it out for open findings",
                );
            }
        }
        Condition::License(l) => {
            if l.ids.is_empty() && l.categories.is_empty() && l.obligations.is_empty() && !l.not_determined {
                return err("license", "needs ids, categories, obligations or not_determined");
            }
            for (i, o) in l.obligations.iter().enumerate() {
                if !crate::license::obligations::Obligations::NAMES.contains(&o.as_str()) {
                    return Err(PolicyError::rule(
                        rule,
                        Some(&format!("license.obligations[{i}]")),
                        format!(
                            "unknown obligation {o:?} (one of {})",
                            crate::license::obligations::Obligations::NAMES.join(", ")
                        ),
                    ));
                }
            }
        }
        Condition::Crypto(k) => {
            if k.nist_level_below.is_some_and(|l| l > 6) {
                return err("crypto.nist_level_below", "NIST levels are 0 to 6");
            }
            if k.readiness_below.is_some_and(|r| r > 100) {
                return err("crypto.readiness_below", "the readiness score is 0 to 100");
            }
            if !k.checks_algorithms()
                && k.readiness_below.is_none()
                && !k.private_keys
                && !k.expired_certificates
                && !k.weak_certificates
            {
                return err("crypto", "needs at least one check");
            }
        }
        Condition::Inventory(i) => {
            if !i.unpinned && !i.no_lockfile && i.deny.is_empty() {
                return err("inventory", "needs unpinned, no_lockfile or deny");
            }
        }
        Condition::Warning(_) | Condition::Data(_) => {}
    }
    Ok(())
}

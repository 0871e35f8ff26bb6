//! The gate change: each side's policy verdict, and the violations one side has and the other not
//! (the same violation when rule and subject key agree, so a re-measured scan-wide value is the
//! same violation).

use crate::policy::{GateResult, GateStatus, PolicyRef, Violation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Both sides' gates compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateChange {
    /// The verdict before.
    pub from_status: GateStatus,
    /// The verdict after.
    pub to_status: GateStatus,
    /// The policy and revision the `from` gate evaluated.
    pub from_policy: PolicyRef,
    /// The policy and revision the `to` gate evaluated.
    pub to_policy: PolicyRef,
    /// Violations only `to` has, in its order.
    pub violations_added: Vec<Violation>,
    /// Violations only `from` has, in its order.
    pub violations_removed: Vec<Violation>,
    /// Violations both have.
    pub violations_unchanged: usize,
}

fn key(v: &Violation) -> (String, String) {
    (v.rule.to_string(), v.subject.key())
}

/// Compares two gates.
pub(super) fn compare(from: &GateResult, to: &GateResult) -> GateChange {
    let from_keys: BTreeSet<_> = from.violations.iter().map(key).collect();
    let to_keys: BTreeSet<_> = to.violations.iter().map(key).collect();
    let only = |list: &[Violation], other: &BTreeSet<(String, String)>| -> Vec<Violation> {
        list.iter().filter(|v| !other.contains(&key(v))).cloned().collect()
    };
    GateChange {
        from_status: from.status,
        to_status: to.status,
        from_policy: from.policy.clone(),
        to_policy: to.policy.clone(),
        violations_added: only(&to.violations, &from_keys),
        violations_removed: only(&from.violations, &to_keys),
        violations_unchanged: from_keys.intersection(&to_keys).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Action, Subject};

    fn violation(rule: &str, advisory: &str, action: Action) -> Violation {
        Violation {
            rule: rule.into(),
            action,
            subject: Subject::Finding { advisory: advisory.into(), purl: "pkg:pypi/x@1".into() },
            message: "m".into(),
        }
    }

    fn gate(violations: Vec<Violation>) -> GateResult {
        GateResult {
            status: GateResult::status_of(&violations),
            policy: PolicyRef { id: "default".to_owned(), revision: 1 },
            violations,
            waived: Vec::new(),
            not_evaluated: Vec::new(),
        }
    }

    #[test]
    fn a_fixed_failing_finding_turns_the_gate_from_fail_to_warn() {
        let from = gate(vec![violation("high", "A", Action::Fail), violation("medium", "B", Action::Warn)]);
        let to = gate(vec![violation("medium", "B", Action::Warn), violation("medium", "C", Action::Warn)]);
        let change = compare(&from, &to);
        assert_eq!((change.from_status, change.to_status), (GateStatus::Fail, GateStatus::Warn));
        assert_eq!(change.violations_removed, vec![violation("high", "A", Action::Fail)]);
        assert_eq!(change.violations_added, vec![violation("medium", "C", Action::Warn)]);
        assert_eq!(change.violations_unchanged, 1);
    }

    #[test]
    fn a_scan_wide_violation_remeasured_is_the_same_violation() {
        let scan = |detail: &str| Violation {
            rule: "stale".into(),
            action: Action::Warn,
            subject: Subject::Scan { detail: detail.to_owned() },
            message: "m".into(),
        };
        let change =
            compare(&gate(vec![scan("data from 2026-11-01")]), &gate(vec![scan("data from 2026-11-20")]));
        assert!(change.violations_added.is_empty() && change.violations_removed.is_empty());
        assert_eq!(change.violations_unchanged, 1);
    }
}

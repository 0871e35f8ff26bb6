//! Evaluation: every rule over the facts it needs, pure and total. A rule whose facts are missing
//! (no vulnerability data, no crypto stage, findings without a score) says so in `not_evaluated`
//! instead of passing silently.

use super::condition::{
    Condition, CryptoCondition, DataCondition, FindingCondition, InventoryCondition, LicenseCondition, OPEN,
    WarningCondition,
};
use super::document::Policy;
use super::gate::{GateResult, NotEvaluated, PolicyRef, Subject, Violation};
use super::input::{PolicyInput, rfc3339};
use super::rule::Rule;
use super::scope::Usage;
use crate::crypto::material::MaterialKind;
use crate::crypto::quantum::{assess, readiness};
use crate::license::obligations;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Where one rule's results go: its id and message made once and shared by its violations.
struct Out<'r, 'v> {
    rule: &'r Rule,
    id: Arc<str>,
    message: Arc<str>,
    violations: &'v mut Vec<Violation>,
    not_evaluated: &'v mut Vec<NotEvaluated>,
}

impl Out<'_, '_> {
    fn violation(&mut self, subject: Subject) {
        self.violations.push(Violation {
            rule: Arc::clone(&self.id),
            action: self.rule.action,
            subject,
            message: Arc::clone(&self.message),
        });
    }

    fn not_evaluated(&mut self, reason: impl Into<String>) {
        self.not_evaluated.push(NotEvaluated {
            rule: self.rule.id.clone(),
            action: self.rule.action,
            reason: reason.into(),
        });
    }
}

/// Evaluates `policy` against `input`.
pub fn evaluate(policy: &Policy, input: &PolicyInput<'_>) -> GateResult {
    let mut violations = Vec::new();
    let mut not_evaluated = Vec::new();
    for rule in &policy.rules {
        if !rule.scope.covers_project(&input.project) {
            continue;
        }
        // Each rule's results go straight into the gate's lists, in rule order as before.
        let mut out = Out {
            rule,
            id: rule.id.as_str().into(),
            message: rule.message.as_str().into(),
            violations: &mut violations,
            not_evaluated: &mut not_evaluated,
        };
        match &rule.condition {
            Condition::Finding(c) => findings(c, input, &mut out),
            Condition::Warning(c) => warnings(c, input, &mut out),
            Condition::License(c) => licenses(c, input, &mut out),
            Condition::Crypto(c) => crypto(c, input, &mut out),
            Condition::Inventory(c) => inventory(c, input, &mut out),
            Condition::Data(c) => data(c, input, &mut out),
        }
    }
    GateResult {
        status: GateResult::status_of(&violations),
        policy: PolicyRef { id: policy.id.clone(), revision: policy.revision },
        violations,
        waived: Vec::new(),
        not_evaluated,
    }
}

const NO_VULN_DATA: &str = "no vulnerability data: findings were not matched";

fn findings(c: &FindingCondition, input: &PolicyInput<'_>, out: &mut Out<'_, '_>) {
    let Some(v) = &input.vulnerabilities else {
        out.not_evaluated(NO_VULN_DATA);
        return;
    };
    let scope = &out.rule.scope;
    for g in v.gaps.iter().filter(|g| scope.covers_ecosystem(g.ecosystem)) {
        out.not_evaluated(g.line.clone());
    }
    let triage: &[_] = c.triage.as_deref().unwrap_or(&OPEN);
    let (mut unscored, mut undated) = (0usize, 0usize);
    for f in &v.findings {
        if !scope.covers_ecosystem(f.ecosystem)
            || !triage.iter().any(|t| t.matches(f.triage))
            || c.min_severity.is_some_and(|m| f.rating < m)
            || (!c.severity.is_empty() && !c.severity.contains(&f.rating))
            || c.fix_available.is_some_and(|want| f.fix_available != want)
        {
            continue;
        }
        if let Some(min) = c.min_cvss {
            match f.score {
                None => {
                    unscored += 1;
                    continue;
                }
                Some(s) if s < min => continue,
                Some(_) => {}
            }
        }
        if let Some(days) = c.min_age_days {
            match f.published {
                None => {
                    undated += 1;
                    continue;
                }
                Some(p) if (input.now - p).whole_days() < i64::from(days) => continue,
                Some(_) => {}
            }
        }
        out.violation(Subject::Finding { advisory: Arc::clone(&f.advisory), purl: Arc::clone(&f.purl) });
    }
    if unscored > 0 {
        out.not_evaluated(format!("{unscored} findings have no CVSS score (min_cvss)"));
    }
    if undated > 0 {
        out.not_evaluated(format!("{undated} findings' advisories have no publication date (min_age_days)"));
    }
}

fn warnings(c: &WarningCondition, input: &PolicyInput<'_>, out: &mut Out<'_, '_>) {
    let Some(v) = &input.vulnerabilities else {
        out.not_evaluated(NO_VULN_DATA);
        return;
    };
    for w in &v.warnings {
        if out.rule.scope.covers_ecosystem(w.ecosystem) && (c.kinds.is_empty() || c.kinds.contains(&w.kind)) {
            out.violation(Subject::Finding { advisory: Arc::clone(&w.advisory), purl: Arc::clone(&w.purl) });
        }
    }
}

fn licenses(c: &LicenseCondition, input: &PolicyInput<'_>, out: &mut Out<'_, '_>) {
    let only_undetermined = c.ids.is_empty() && c.categories.is_empty() && c.obligations.is_empty();
    for comp in input.components {
        if comp.local
            || !out.rule.scope.covers_ecosystem(comp.ecosystem)
            || (!c.usage.is_empty() && !c.usage.contains(&Usage::of(comp.scope)))
        {
            continue;
        }
        let Some(concluded) = &comp.licenses.concluded else {
            if c.not_determined {
                out.violation(Subject::License { purl: comp.purl.clone(), license: "not determined".into() });
            }
            continue;
        };
        if only_undetermined {
            continue;
        }
        let counted: Vec<&str> = comp
            .licenses
            .ids
            .iter()
            .map(String::as_str)
            .filter(|id| !c.allow.iter().any(|a| a.matches(id)))
            .collect();
        if counted.is_empty() {
            continue;
        }
        let by_id = c.ids.is_empty() || counted.iter().any(|id| c.ids.iter().any(|p| p.matches(id)));
        let by_category = c.categories.is_empty()
            || counted.iter().any(|id| c.categories.contains(&obligations::category(id)));
        let by_obligation = c.obligations.is_empty() || {
            let asked = obligations::of_ids(counted.iter().copied());
            c.obligations.iter().any(|o| asked.has(o))
        };
        if by_id && by_category && by_obligation {
            out.violation(Subject::License {
                purl: comp.purl.clone(),
                license: concluded.expression.clone(),
            });
        }
    }
}

fn crypto(c: &CryptoCondition, input: &PolicyInput<'_>, out: &mut Out<'_, '_>) {
    let Some(k) = &input.crypto else {
        out.not_evaluated("cryptography was not inventoried in this scan (crypto detection did not run)");
        return;
    };
    if c.checks_algorithms() {
        let grades = c.quantum_vulnerable || c.weak || c.nist_level_below.is_some();
        for u in k.uses.iter().filter(|u| c.include_tests || !u.in_test) {
            let a = &u.algorithm;
            if !c.families.is_empty()
                && !a.family.as_deref().is_some_and(|f| c.families.iter().any(|w| w.eq_ignore_ascii_case(f)))
            {
                continue;
            }
            if !c.primitives.is_empty() && !c.primitives.contains(&a.primitive) {
                continue;
            }
            let hit = !grades || {
                let s = assess(a);
                (c.quantum_vulnerable && s.nist_level == Some(0))
                    || (c.weak && s.classically_broken)
                    || c.nist_level_below.is_some_and(|n| s.nist_level.is_some_and(|l| l < n))
            };
            if hit {
                out.violation(Subject::Asset {
                    name: a.name(),
                    file: u.file.clone(),
                    line: u.lines.first().copied(),
                });
            }
        }
    }
    if let Some(below) = c.readiness_below {
        let r = readiness(k.uses);
        match r.score {
            None => out.not_evaluated("no shipped algorithm the quantum table rates: no readiness score"),
            Some(s) if s < below => out.violation(Subject::Scan { detail: format!("readiness {s}/100") }),
            Some(_) => {}
        }
    }
    for m in k.material {
        let name = match m.kind {
            MaterialKind::PrivateKey if c.private_keys => format!("private key ({})", m.format),
            MaterialKind::Certificate if c.weak_certificates && m.weak => {
                format!("weak certificate {}", m.subject.as_deref().unwrap_or("(no subject)"))
            }
            _ => String::new(),
        };
        if !name.is_empty() {
            out.violation(Subject::Asset { name, file: m.file.clone(), line: Some(m.line) });
        }
        if c.expired_certificates && m.kind == MaterialKind::Certificate {
            match m.not_after.as_deref().and_then(rfc3339) {
                Some(t) if t < input.now => out.violation(Subject::Asset {
                    name: format!(
                        "certificate {} expired {}",
                        m.subject.as_deref().unwrap_or("(no subject)"),
                        m.not_after.as_deref().unwrap_or_default()
                    ),
                    file: m.file.clone(),
                    line: Some(m.line),
                }),
                Some(_) => {}
                None => out
                    .not_evaluated(format!("{}:{}: certificate without a readable notAfter", m.file, m.line)),
            }
        }
    }
}

fn inventory(c: &InventoryCondition, input: &PolicyInput<'_>, out: &mut Out<'_, '_>) {
    let mut manifests = BTreeSet::new();
    for comp in input.components {
        if comp.local || !out.rule.scope.covers_ecosystem(comp.ecosystem) {
            continue;
        }
        let unpinned = comp.version.is_empty();
        if (c.unpinned && unpinned) || c.deny.iter().any(|p| p.matches(&comp.purl)) {
            out.violation(Subject::Component { purl: comp.purl.clone() });
        }
        if c.no_lockfile && unpinned && comp.constraint.is_some() {
            manifests.extend(comp.locations.iter().map(|l| l.path.clone()));
        }
    }
    for path in manifests {
        out.violation(Subject::File { path });
    }
}

fn data(c: &DataCondition, input: &PolicyInput<'_>, out: &mut Out<'_, '_>) {
    let Some(v) = &input.vulnerabilities else {
        out.not_evaluated("no vulnerability data: nothing to date");
        return;
    };
    let Some(as_of) = v.data_as_of else {
        out.not_evaluated("the vulnerability data does not say how recent it is");
        return;
    };
    let days = (input.now - as_of).whole_days();
    if days > i64::from(c.older_than_days) {
        out.violation(Subject::Scan {
            detail: format!("vulnerability data as of {}, {days} days old", as_of.date()),
        });
    }
}

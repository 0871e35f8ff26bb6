//! Findings new, fixed and still open between two inputs, keyed by advisory and package: two
//! findings are the same when they name the same package (ecosystem and name, any version) and
//! share an advisory id or alias, so a finding that survives an upgrade is still open, not fixed
//! and new again, and a record renamed by an alias merge is not a change.

use crate::bom::{BomInput, BomSeverity, VexStatus};
use crate::inventory::Ecosystem;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One finding in a comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingChange {
    /// The advisory id (the `to` side's for a finding still open).
    pub id: String,
    /// Its other ids, sorted.
    pub aliases: Vec<String>,
    /// The package's ecosystem, when the package is in the side's inventory.
    pub ecosystem: Option<Ecosystem>,
    /// The package's name (its purl when not in the inventory).
    pub name: String,
    /// The version on the `from` side (none for a new finding).
    pub from_version: Option<String>,
    /// The version on the `to` side (none for a fixed finding).
    pub to_version: Option<String>,
    /// The highest severity the advisory is rated (the `to` side's when both have it).
    pub severity: BomSeverity,
    /// Its VEX status on the side it is last seen in.
    pub status: VexStatus,
}

/// Findings new, fixed and still open, each sorted by severity (worst first), then id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingChanges {
    /// In `to` only.
    pub new: Vec<FindingChange>,
    /// In `from` only.
    pub fixed: Vec<FindingChange>,
    /// In both.
    pub still_open: Vec<FindingChange>,
}

struct Row {
    ids: BTreeSet<String>,
    id: String,
    aliases: Vec<String>,
    ecosystem: Option<Ecosystem>,
    name: String,
    version: Option<String>,
    severity: BomSeverity,
    status: VexStatus,
}

fn rows(input: &BomInput) -> Vec<Row> {
    let components: BTreeMap<&str, (Ecosystem, &str, &str)> = input
        .inventory
        .components
        .iter()
        .map(|c| (c.purl.as_str(), (c.ecosystem, c.name.as_str(), c.version.as_str())))
        .collect();
    let mut out = Vec::new();
    for v in &input.vulnerabilities {
        let severity = v.ratings.iter().map(|r| r.severity).max().unwrap_or(BomSeverity::Unknown);
        let ids: BTreeSet<String> = std::iter::once(&v.id).chain(&v.aliases).cloned().collect();
        for a in &v.affects {
            let (ecosystem, name, version) = match components.get(a.purl.as_str()) {
                Some((e, n, ver)) => (Some(*e), n.to_string(), Some(ver.to_string())),
                None => (None, a.purl.clone(), None),
            };
            out.push(Row {
                ids: ids.clone(),
                id: v.id.clone(),
                aliases: v.aliases.clone(),
                ecosystem,
                name,
                version,
                severity,
                status: a.status,
            });
        }
    }
    out
}

fn same(a: &Row, b: &Row) -> bool {
    a.ecosystem == b.ecosystem && a.name == b.name && !a.ids.is_disjoint(&b.ids)
}

fn sorted(mut v: Vec<FindingChange>) -> Vec<FindingChange> {
    v.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.cmp(b)));
    v.dedup();
    v
}

pub(super) fn compare(from: &BomInput, to: &BomInput) -> FindingChanges {
    let (old, new) = (rows(from), rows(to));
    let mut out = FindingChanges::default();
    for n in &new {
        let before = old.iter().find(|o| same(o, n));
        let change = FindingChange {
            id: n.id.clone(),
            aliases: n.aliases.clone(),
            ecosystem: n.ecosystem,
            name: n.name.clone(),
            from_version: before.and_then(|o| o.version.clone()),
            to_version: n.version.clone(),
            severity: n.severity,
            status: n.status,
        };
        match before {
            Some(_) => out.still_open.push(change),
            None => out.new.push(change),
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| same(o, n))) {
        out.fixed.push(FindingChange {
            id: o.id.clone(),
            aliases: o.aliases.clone(),
            ecosystem: o.ecosystem,
            name: o.name.clone(),
            from_version: o.version.clone(),
            to_version: None,
            severity: o.severity,
            status: o.status,
        });
    }
    FindingChanges { new: sorted(out.new), fixed: sorted(out.fixed), still_open: sorted(out.still_open) }
}

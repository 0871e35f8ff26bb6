//! License changes: components present on both sides whose license changed, and the license
//! expressions that appear or disappear across the whole input.

use crate::bom::{BomInput, LicenseKind};
use crate::inventory::Ecosystem;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One component (by ecosystem and name) whose license changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LicenseChange {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The ecosystem-native name.
    pub name: String,
    /// The license before (none: none known).
    pub from: Option<String>,
    /// The license after (none: none known).
    pub to: Option<String>,
}

/// License changes, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseChanges {
    /// Components kept whose license changed.
    pub changed: Vec<LicenseChange>,
    /// Expressions some component of `to` has and none of `from`.
    pub added: Vec<String>,
    /// Expressions some component of `from` has and none of `to`.
    pub removed: Vec<String>,
}

/// A component's license: the concluded expression, else its declared ones joined by `AND`.
fn license(input: &BomInput, purl: &str) -> Option<String> {
    let given = input.licenses.get(purl)?;
    if let Some(c) = given.iter().find(|l| l.kind == LicenseKind::Concluded) {
        return Some(c.expression.clone());
    }
    let declared: Vec<&str> = given.iter().map(|l| l.expression.as_str()).collect();
    (!declared.is_empty()).then(|| declared.join(" AND "))
}

/// Per ecosystem and name, the licenses of its versions (one text; several versions that
/// disagree are listed with `;`).
fn by_name(input: &BomInput) -> BTreeMap<(Ecosystem, &str), Option<String>> {
    let mut sets: BTreeMap<(Ecosystem, &str), BTreeSet<String>> = BTreeMap::new();
    for c in &input.inventory.components {
        let entry = sets.entry((c.ecosystem, c.name.as_str())).or_default();
        if let Some(l) = license(input, &c.purl) {
            entry.insert(l);
        }
    }
    sets.into_iter()
        .map(|(k, v)| (k, (!v.is_empty()).then(|| v.into_iter().collect::<Vec<_>>().join("; "))))
        .collect()
}

fn expressions(input: &BomInput) -> BTreeSet<String> {
    input.inventory.components.iter().filter_map(|c| license(input, &c.purl)).collect()
}

pub(super) fn compare(from: &BomInput, to: &BomInput) -> LicenseChanges {
    let (old, new) = (by_name(from), by_name(to));
    let changed = old
        .iter()
        .filter_map(|(key, before)| {
            let after = new.get(key)?;
            (before != after).then(|| LicenseChange {
                ecosystem: key.0,
                name: key.1.to_string(),
                from: before.clone(),
                to: after.clone(),
            })
        })
        .collect();
    let (old_x, new_x) = (expressions(from), expressions(to));
    LicenseChanges {
        changed,
        added: new_x.difference(&old_x).cloned().collect(),
        removed: old_x.difference(&new_x).cloned().collect(),
    }
}

//! Components added, removed and changed between two inputs.
//!
//! Components are grouped by ecosystem and name. Versions on both sides are unchanged; of the
//! versions only one side has, the `from` and `to` lists (each in the ecosystem's version order)
//! are paired in order as version changes, and what is left over is added or removed. A name with
//! one version on each side (the usual lockfile) is thus one change.

use crate::bom::BomInput;
use crate::inventory::Ecosystem;
use crate::vuln::version::{OsvEcosystem, compare_in};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// A component on one side.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ComponentRef {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The ecosystem-native name.
    pub name: String,
    /// The version (empty when only a requirement was known).
    pub version: String,
    /// The package URL.
    pub purl: String,
}

/// Which way a version moved, in the ecosystem's own ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The new version orders after the old one.
    Upgrade,
    /// The new version orders before the old one.
    Downgrade,
    /// Different spellings of the same version (`1.0` and `1.0.0` in SemVer-like schemes).
    Equivalent,
    /// The ecosystem has no ordering here or a version is not one of its scheme.
    Unordered,
}

/// One component whose version changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionChange {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The ecosystem-native name.
    pub name: String,
    /// The version before.
    pub from_version: String,
    /// The version after.
    pub to_version: String,
    /// The purl before.
    pub from_purl: String,
    /// The purl after.
    pub to_purl: String,
    /// Upgrade, downgrade, or why neither.
    pub direction: Direction,
    /// Why the direction is `unordered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unordered_reason: Option<String>,
}

/// Components added, removed and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentChange {
    /// Only in `to`, sorted.
    pub added: Vec<ComponentRef>,
    /// Only in `from`, sorted.
    pub removed: Vec<ComponentRef>,
    /// In both with another version, sorted by ecosystem and name.
    pub changed: Vec<VersionChange>,
    /// Components present with the same version on both sides.
    pub unchanged: usize,
}

type Key = (Ecosystem, String);

fn grouped(input: &BomInput) -> BTreeMap<Key, BTreeMap<String, String>> {
    let mut out: BTreeMap<Key, BTreeMap<String, String>> = BTreeMap::new();
    for c in &input.inventory.components {
        out.entry((c.ecosystem, c.name.clone())).or_default().insert(c.version.clone(), c.purl.clone());
    }
    out
}

/// The ecosystem's ordering of two versions, or why there is none.
fn order(ecosystem: Ecosystem, a: &str, b: &str) -> Result<Ordering, String> {
    compare_in(&OsvEcosystem::from(ecosystem), a, b).map_err(|e| e.to_string())
}

/// The versions in the ecosystem's order (by text where it has none). An insertion sort: a
/// scheme's comparison need not be a total order (Maven's has cycles), and `sort_by` may panic
/// on one that is not; the lists are the few versions of one name.
fn sorted_versions(ecosystem: Ecosystem, versions: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(versions.len());
    for v in versions {
        let at = out
            .iter()
            .position(|o| order(ecosystem, &v, o).unwrap_or_else(|_| v.cmp(o)) == Ordering::Less)
            .unwrap_or(out.len());
        out.insert(at, v);
    }
    out
}

fn change(ecosystem: Ecosystem, name: &str, from: (String, String), to: (String, String)) -> VersionChange {
    let (direction, unordered_reason) = match order(ecosystem, &from.0, &to.0) {
        Ok(Ordering::Less) => (Direction::Upgrade, None),
        Ok(Ordering::Greater) => (Direction::Downgrade, None),
        Ok(Ordering::Equal) => (Direction::Equivalent, None),
        Err(reason) => (Direction::Unordered, Some(reason)),
    };
    VersionChange {
        ecosystem,
        name: name.to_string(),
        from_version: from.0,
        to_version: to.0,
        from_purl: from.1,
        to_purl: to.1,
        direction,
        unordered_reason,
    }
}

pub(super) fn compare(from: &BomInput, to: &BomInput) -> ComponentChange {
    let (old, new) = (grouped(from), grouped(to));
    let keys: BTreeSet<&Key> = old.keys().chain(new.keys()).collect();
    let empty = BTreeMap::new();
    let mut out = ComponentChange::default();
    for key in keys {
        let (ecosystem, name) = key;
        let before = old.get(key).unwrap_or(&empty);
        let after = new.get(key).unwrap_or(&empty);
        out.unchanged += before.keys().filter(|v| after.contains_key(*v)).count();
        let gone =
            sorted_versions(*ecosystem, before.keys().filter(|v| !after.contains_key(*v)).cloned().collect());
        let came =
            sorted_versions(*ecosystem, after.keys().filter(|v| !before.contains_key(*v)).cloned().collect());
        let component = |version: &String, purl: &String| ComponentRef {
            ecosystem: *ecosystem,
            name: name.clone(),
            version: version.clone(),
            purl: purl.clone(),
        };
        let pairs = gone.len().min(came.len());
        for (g, c) in gone.iter().zip(&came) {
            out.changed.push(change(
                *ecosystem,
                name,
                (g.clone(), before[g].clone()),
                (c.clone(), after[c].clone()),
            ));
        }
        out.removed.extend(gone[pairs..].iter().map(|v| component(v, &before[v])));
        out.added.extend(came[pairs..].iter().map(|v| component(v, &after[v])));
    }
    out.added.sort();
    out.removed.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Inventory, Location, Package};

    fn input(packages: &[(Ecosystem, &str, &str)]) -> BomInput {
        let pkgs: Vec<Package> = packages
            .iter()
            .map(|(e, n, v)| Package::new(*e, *n, *v, Location::new("lock", Some(1))).expect("package"))
            .collect();
        BomInput::new(
            "t",
            None,
            "2026-01-01T00:00:00Z",
            Inventory::assemble(pkgs, [], Vec::new(), Vec::new()),
        )
    }

    #[test]
    fn several_versions_of_a_name_pair_in_version_order_and_the_rest_is_added() {
        let from = input(&[(Ecosystem::Npm, "ms", "2.0.0"), (Ecosystem::Npm, "ms", "2.1.1")]);
        let to = input(&[
            (Ecosystem::Npm, "ms", "2.1.3"),
            (Ecosystem::Npm, "ms", "2.1.1"),
            (Ecosystem::Npm, "ms", "3.0.0"),
        ]);
        let c = compare(&from, &to);
        assert_eq!(c.unchanged, 1);
        let pairs: Vec<(&str, &str, Direction)> =
            c.changed.iter().map(|v| (v.from_version.as_str(), v.to_version.as_str(), v.direction)).collect();
        assert_eq!(pairs, [("2.0.0", "2.1.3", Direction::Upgrade)]);
        assert_eq!(c.added.iter().map(|a| a.version.as_str()).collect::<Vec<_>>(), ["3.0.0"]);
        assert!(c.removed.is_empty());
    }

    #[test]
    fn downgrades_equivalent_spellings_and_unorderable_versions_are_named() {
        let from = input(&[
            (Ecosystem::PyPI, "a", "2.0"),
            (Ecosystem::PyPI, "b", "1.0"),
            (Ecosystem::Go, "example.com/c", "v1.2.3"),
        ]);
        let to = input(&[
            (Ecosystem::PyPI, "a", "1.9"),
            (Ecosystem::PyPI, "b", "1.0.0"),
            (Ecosystem::Go, "example.com/c", "not-a-version"),
        ]);
        let c = compare(&from, &to);
        let dirs: Vec<(&str, Direction)> = c.changed.iter().map(|v| (v.name.as_str(), v.direction)).collect();
        assert_eq!(
            dirs,
            [
                ("a", Direction::Downgrade),
                ("b", Direction::Equivalent),
                ("example.com/c", Direction::Unordered)
            ]
        );
        assert!(c.changed[2].unordered_reason.is_some());
        assert!(c.changed[0].unordered_reason.is_none());
    }
}

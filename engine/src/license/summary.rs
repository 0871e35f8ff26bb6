//! The license summary of an inventory: third-party components per category and per license id,
//! each with its obligations from the catalogue. Plain data: the report's `licenses` section, the
//! CLI's summary line and the input of a license policy gate.

use super::notice::third_party;
use super::obligations::{self, Obligations};
use crate::inventory::{Category, Inventory, Licenses};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One category's share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// Third-party components with at least one id in this category.
    pub components: usize,
    /// The category's obligations (before per-id overrides).
    pub obligations: Obligations,
}

/// One license id's share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCount {
    /// Its category.
    pub category: Category,
    /// Third-party components whose conclusion names it.
    pub components: usize,
    /// What shipping under it asks (category plus the id's overrides).
    pub obligations: Obligations,
}

/// Licenses across an inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Third-party components (everything not the project's own code).
    pub components: usize,
    /// Of those, components without a concluded license (nothing declared, no license file found).
    pub without_license: usize,
    /// Per category, for categories that occur.
    pub categories: BTreeMap<Category, CategoryCount>,
    /// Per license id (SPDX or `LicenseRef-`), for ids that occur.
    pub ids: BTreeMap<String, IdCount>,
    /// What shipping every third-party component asks, taken together.
    pub obligations: Obligations,
    /// The project's `SPDX-License-Identifier` lines counted per expression.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub project_headers: BTreeMap<String, usize>,
    /// The project's own licenses (license files at the root, `SPDX-License-Identifier` lines).
    #[serde(skip_serializing_if = "Licenses::is_empty")]
    pub project: Licenses,
}

/// Summarises the licenses of `inv`'s third-party components.
pub fn summarize(inv: &Inventory) -> Summary {
    let mut s = Summary { project: inv.project_licenses.clone(), ..Summary::default() };
    for h in &inv.project_licenses.headers {
        *s.project_headers.entry(h.id.clone()).or_default() += 1;
    }
    let mut by_category: BTreeMap<Category, usize> = BTreeMap::new();
    for c in inv.components.iter().filter(|c| third_party(c)) {
        s.components += 1;
        let l = &c.licenses;
        if l.concluded.is_none() {
            s.without_license += 1;
            // No license known is the unknown category: nothing may be assumed about it.
            *by_category.entry(Category::ProprietaryUnknown).or_default() += 1;
            continue;
        }
        for cat in &l.categories {
            *by_category.entry(*cat).or_default() += 1;
        }
        for id in &l.ids {
            s.ids
                .entry(id.clone())
                .or_insert_with(|| IdCount {
                    category: obligations::category(id),
                    components: 0,
                    obligations: obligations::obligations(id),
                })
                .components += 1;
        }
        if let Some(o) = l.obligations {
            s.obligations = s.obligations.union(o);
        }
    }
    s.categories = by_category
        .into_iter()
        .map(|(cat, n)| (cat, CategoryCount { components: n, obligations: obligations::of_category(cat) }))
        .collect();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Ecosystem, Location, Package, Source};

    fn inventory() -> Inventory {
        let pkg = |name: &str, license: Option<&str>| {
            let p = Package::new(Ecosystem::Npm, name, "1.0.0", Location::new("package-lock.json", None))
                .expect("purl");
            match license {
                Some(l) => p.license(l, Location::new("package-lock.json", Some(1))),
                None => p,
            }
        };
        let own = pkg("app", Some("AGPL-3.0-only")).source(Source::Local { path: String::new() }).expect("p");
        Inventory::assemble(
            [pkg("a", Some("MIT")), pkg("b", Some("MIT OR GPL-3.0-only")), pkg("c", None), own],
            [],
            Vec::new(),
            Vec::new(),
        )
    }

    #[test]
    fn counts_third_party_components_by_category_and_id() {
        let inv = inventory();
        let s = summarize(&inv);
        assert_eq!((s.components, s.without_license), (3, 1), "the local app is not third-party");
        assert_eq!(s.ids.keys().collect::<Vec<_>>(), ["GPL-3.0-only", "MIT"]);
        assert_eq!(s.ids["MIT"].components, 2);
        assert_eq!(s.ids["GPL-3.0-only"].category, Category::StrongCopyleft);
        assert_eq!(s.categories[&Category::Permissive].components, 2);
        assert_eq!(s.categories[&Category::StrongCopyleft].components, 1);
        assert_eq!(s.categories[&Category::ProprietaryUnknown].components, 1, "c has no license");
        assert!(s.obligations.disclose_source && !s.obligations.network_use, "AGPL is the project's own");
        let b = inv.components.iter().find(|c| c.name == "b").expect("b");
        assert!(b.licenses.obligations.is_some_and(|o| o.disclose_source && o.attribution));
    }
}

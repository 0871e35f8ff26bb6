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
    /// Those components counted per reason (see `Licenses::not_determined`): not determined is no
    /// category, so nothing about their obligations is assumed or counted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_determined: BTreeMap<String, usize>,
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
            let why = l.not_determined.clone().unwrap_or_else(|| super::undetermined::reason(c));
            *s.not_determined.entry(why).or_default() += 1;
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

impl Summary {
    /// The human summary (the CLI's stderr lines): components per category and not determined,
    /// then the obligations — the same union the JSON's `obligations` holds, said to cover only
    /// the components whose license is known — and one line per reason a license is not determined.
    pub fn human_lines(&self) -> Vec<String> {
        if self.components == 0 {
            return Vec::new();
        }
        let mut parts: Vec<String> =
            self.categories.iter().map(|(c, n)| format!("{} {}", n.components, c.as_str())).collect();
        if self.without_license > 0 {
            parts.push(format!("{} not determined", self.without_license));
        }
        let mut lines =
            vec![format!("licenses of {} third-party components: {}", self.components, parts.join(", "))];
        let known = self.components - self.without_license;
        let notable: Vec<String> = self
            .ids
            .iter()
            .filter(|(_, i)| i.category >= Category::WeakCopyleft)
            .map(|(id, i)| format!("{id} ({})", i.components))
            .collect();
        let notable = if notable.is_empty() {
            String::new()
        } else {
            format!("; copyleft or unknown: {}", notable.join(", "))
        };
        let duties = self.obligations.names();
        let duties = if duties.is_empty() { "none".to_owned() } else { duties.join(", ").replace('_', " ") };
        lines.push(match (known, self.without_license) {
            (0, _) => "obligations: not determined (no component's license is known)".to_owned(),
            (_, 0) => format!("obligations: {duties}{notable}"),
            (k, _) => format!(
                "obligations: {duties} (from the {k} components whose license is known; the others' are not determined){notable}"
            ),
        });
        for (why, n) in &self.not_determined {
            lines.push(format!("license not determined for {n}: {why}"));
        }
        lines
    }
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
        assert!(
            !s.categories.keys().any(|c| matches!(c, Category::Unknown | Category::Proprietary)),
            "c has no license, no category"
        );
        assert_eq!(s.not_determined.values().sum::<usize>(), 1, "{:?}", s.not_determined);
        assert!(s.not_determined.keys().all(|r| r.contains("package-lock.json")), "{:?}", s.not_determined);
        assert!(s.obligations.disclose_source && !s.obligations.network_use, "AGPL is the project's own");
        let lines = s.human_lines();
        assert_eq!(
            lines[0],
            "licenses of 3 third-party components: 2 permissive, 1 strong-copyleft, 1 not determined"
        );
        assert!(lines[1].starts_with("obligations: attribution, include license text,"), "{lines:?}");
        assert!(lines[1].contains("(from the 2 components whose license is known;"), "{lines:?}");
        let b = inv.components.iter().find(|c| c.name == "b").expect("b");
        assert!(b.licenses.obligations.is_some_and(|o| o.disclose_source && o.attribution));
    }
}

#[cfg(test)]
mod agreement {
    use super::*;
    use crate::inventory::{Ecosystem, Location, Package};

    /// Issue 14 point 8: with no license known, stderr said "obligations: none" while the JSON
    /// counted every component under a category with obligations. Both now say not determined.
    #[test]
    fn obligations_line_agrees_with_the_json_when_no_license_is_known() {
        let pkgs = ["a", "b"].map(|n| {
            Package::new(Ecosystem::Cargo, n, "1.0.0", Location::new("Cargo.lock", None)).expect("purl")
        });
        let s = summarize(&Inventory::assemble(pkgs, [], Vec::new(), Vec::new()));
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json["categories"], serde_json::json!({}), "no category is claimed: {json}");
        assert!(json["obligations"].as_object().expect("obligations").values().all(|v| v == false));
        assert_eq!(json["not_determined"].as_object().map(|o| o.len()), Some(1), "{json}");
        let lines = s.human_lines();
        assert_eq!(lines[0], "licenses of 2 third-party components: 2 not determined");
        assert_eq!(lines[1], "obligations: not determined (no component's license is known)");
        assert!(
            lines[2].starts_with(
                "license not determined for 2: Cargo.lock: the lockfile carries no license data"
            ),
            "{lines:?}"
        );
        assert!(lines.iter().all(|l| !l.contains("proprietary")), "{lines:?}");
    }
}

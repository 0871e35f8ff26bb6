//! The obligations catalogue (`obligations.toml`): license id → category → what shipping it asks.

use crate::inventory::Category;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a license asks of whoever ships the component (see `obligations.toml` for each field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(clippy::struct_excessive_bools)] // one flag per obligation is what the catalogue is
pub struct Obligations {
    /// Keep copyright notices and credit the authors.
    pub attribution: bool,
    /// Ship the license text.
    pub include_license_text: bool,
    /// Mark modified files.
    pub state_changes: bool,
    /// Offer the source.
    pub disclose_source: bool,
    /// Derived work or modified files keep this license.
    pub same_license: bool,
    /// Network use triggers the duties too.
    pub network_use: bool,
    /// The license grants a patent licence.
    pub patent_grant: bool,
    /// The patent licence ends on patent litigation.
    pub patent_termination: bool,
}

impl Obligations {
    /// Every obligation either side has: what shipping under both licenses asks.
    pub fn union(self, o: Obligations) -> Obligations {
        Obligations {
            attribution: self.attribution || o.attribution,
            include_license_text: self.include_license_text || o.include_license_text,
            state_changes: self.state_changes || o.state_changes,
            disclose_source: self.disclose_source || o.disclose_source,
            same_license: self.same_license || o.same_license,
            network_use: self.network_use || o.network_use,
            patent_grant: self.patent_grant || o.patent_grant,
            patent_termination: self.patent_termination || o.patent_termination,
        }
    }

    /// Every obligation's name, as [`Obligations::names`] spells them.
    pub const NAMES: [&'static str; 8] = [
        "attribution",
        "include_license_text",
        "state_changes",
        "disclose_source",
        "same_license",
        "network_use",
        "patent_grant",
        "patent_termination",
    ];

    /// Whether the obligation called `name` (one of [`Obligations::NAMES`]) is asked.
    pub fn has(&self, name: &str) -> bool {
        self.names().contains(&name)
    }

    /// The obligations that hold, by their field names (`attribution`, `disclose_source`, …).
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.attribution, "attribution"),
            (self.include_license_text, "include_license_text"),
            (self.state_changes, "state_changes"),
            (self.disclose_source, "disclose_source"),
            (self.same_license, "same_license"),
            (self.network_use, "network_use"),
            (self.patent_grant, "patent_grant"),
            (self.patent_termination, "patent_termination"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// What shipping under every one of `ids` asks (an OR expression's ids all count: the cautious
/// reading until a policy picks one alternative).
pub fn of_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Obligations {
    ids.into_iter().map(obligations).fold(Obligations::default(), Obligations::union)
}

#[derive(Deserialize)]
struct CategoryEntry {
    #[allow(dead_code)] // documentation for readers of the file
    description: String,
    #[serde(flatten)]
    obligations: Obligations,
}

#[derive(Deserialize, Default)]
struct Overrides {
    attribution: Option<bool>,
    include_license_text: Option<bool>,
    state_changes: Option<bool>,
    disclose_source: Option<bool>,
    same_license: Option<bool>,
    network_use: Option<bool>,
    patent_grant: Option<bool>,
    patent_termination: Option<bool>,
}

#[derive(Deserialize)]
struct Catalogue {
    categories: HashMap<Category, CategoryEntry>,
    ids: HashMap<String, Category>,
    overrides: HashMap<String, Overrides>,
}

const CATALOGUE: &str = include_str!("obligations.toml");

fn catalogue() -> Option<&'static Catalogue> {
    static C: OnceLock<Option<Catalogue>> = OnceLock::new();
    C.get_or_init(|| match toml::from_str(CATALOGUE) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::error!(error = %e, "obligations.toml does not parse");
            None
        }
    })
    .as_ref()
}

/// The category of one license id (SPDX or `LicenseRef-`).
pub fn category(id: &str) -> Category {
    if let Some(c) = catalogue().and_then(|c| c.ids.get(id)) {
        return *c;
    }
    match spdx::license_id(id) {
        Some(l) if l.is_copyleft() => Category::StrongCopyleft,
        Some(l) if l.is_osi_approved() || l.is_fsf_free_libre() => Category::Permissive,
        _ => Category::Unknown,
    }
}

/// A category's obligations, before any id's overrides.
pub fn of_category(category: Category) -> Obligations {
    catalogue().and_then(|c| c.categories.get(&category)).map(|e| e.obligations).unwrap_or_default()
}

/// What shipping a component under license `id` asks: its category's obligations with the id's
/// overrides applied.
pub fn obligations(id: &str) -> Obligations {
    let Some(c) = catalogue() else { return Obligations::default() };
    let mut o = c.categories.get(&category(id)).map(|e| e.obligations).unwrap_or_default();
    if let Some(x) = c.overrides.get(id) {
        let set = |field: &mut bool, v: Option<bool>| {
            if let Some(v) = v {
                *field = v;
            }
        };
        set(&mut o.attribution, x.attribution);
        set(&mut o.include_license_text, x.include_license_text);
        set(&mut o.state_changes, x.state_changes);
        set(&mut o.disclose_source, x.disclose_source);
        set(&mut o.same_license, x.same_license);
        set(&mut o.network_use, x.network_use);
        set(&mut o.patent_grant, x.patent_grant);
        set(&mut o.patent_termination, x.patent_termination);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_complete_and_valid() {
        let c: Catalogue = toml::from_str(CATALOGUE).expect("obligations.toml parses");
        assert_eq!(c.categories.len(), 7, "one entry per category");
        for id in c.ids.keys().chain(c.overrides.keys()) {
            assert!(
                id.starts_with("LicenseRef-") || spdx::license_id(id).is_some_and(|l| !l.is_deprecated()),
                "{id} is a current SPDX id"
            );
        }
        for id in c.overrides.keys() {
            assert!(c.ids.contains_key(id), "{id} has overrides but no category");
        }
    }

    #[test]
    fn categories_and_overrides() {
        assert_eq!(category("MIT"), Category::Permissive);
        assert_eq!(category("AGPL-3.0-only"), Category::NetworkCopyleft);
        assert_eq!(category("LicenseRef-whatever"), Category::Unknown);
        assert_eq!(category("LicenseRef-proprietary"), Category::Proprietary);
        // Not listed: from the SPDX flags.
        assert_eq!(category("GPL-1.0-or-later"), Category::StrongCopyleft);
        assert_eq!(category("NCSA"), Category::Permissive);
        let apache = obligations("Apache-2.0");
        assert!(apache.attribution && apache.state_changes && apache.patent_grant && !apache.disclose_source);
        assert!(!obligations("MIT").patent_grant);
        assert!(obligations("AGPL-3.0-or-later").network_use);
        assert_eq!(obligations("CC0-1.0"), Obligations::default());
    }
}

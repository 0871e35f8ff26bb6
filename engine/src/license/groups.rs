//! A project's licenses and obligations as lists: third-party components grouped by concluded
//! expression (with the most demanding category of its ids), components without a conclusion
//! grouped by the reason, and components grouped by each obligation their licenses ask with the
//! ids that ask it. Plain data over an inventory: the daemon's `/projects/{id}/licenses` and
//! `/projects/{id}/obligations` read them from a scan's stored input.

use super::notice::third_party;
use super::obligations::{self, Obligations};
use super::undetermined;
use crate::inventory::{Category, Component, Inventory};
use std::collections::{BTreeMap, BTreeSet};

/// Components under one concluded expression, or without a conclusion for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseGroup<'a> {
    /// The concluded expression; none for components whose license is not determined.
    pub expression: Option<String>,
    /// The expression's license ids, sorted.
    pub ids: Vec<String>,
    /// The most demanding category of those ids (an `OR` counts every alternative until a policy
    /// picks one); none when not determined, which is no category.
    pub category: Option<Category>,
    /// Why no license was concluded (only for the group without an expression).
    pub not_determined: Option<String>,
    /// The components, in inventory (purl) order.
    pub components: Vec<&'a Component>,
}

/// The components one obligation applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationGroup<'a> {
    /// The obligation's name (one of [`Obligations::NAMES`]).
    pub obligation: &'static str,
    /// The license ids that ask it, sorted.
    pub ids: Vec<String>,
    /// The components whose licenses ask it, in inventory order.
    pub components: Vec<&'a Component>,
}

/// Third-party components grouped by concluded expression (sorted by expression), then the
/// components without a conclusion grouped by reason (sorted by reason).
pub fn by_license(inv: &Inventory) -> Vec<LicenseGroup<'_>> {
    let mut concluded: BTreeMap<&str, Vec<&Component>> = BTreeMap::new();
    let mut undetermined: BTreeMap<String, Vec<&Component>> = BTreeMap::new();
    for c in inv.components.iter().filter(|c| third_party(c)) {
        match &c.licenses.concluded {
            Some(l) => concluded.entry(l.expression.as_str()).or_default().push(c),
            None => {
                let why = c.licenses.not_determined.clone().unwrap_or_else(|| undetermined::reason(c));
                undetermined.entry(why).or_default().push(c);
            }
        }
    }
    let mut out: Vec<LicenseGroup<'_>> = concluded
        .into_iter()
        .map(|(expression, components)| {
            let ids: BTreeSet<String> =
                components.iter().flat_map(|c| c.licenses.ids.iter().cloned()).collect();
            let category = ids.iter().map(|id| obligations::category(id)).max();
            LicenseGroup {
                expression: Some(expression.to_owned()),
                ids: ids.into_iter().collect(),
                category,
                not_determined: None,
                components,
            }
        })
        .collect();
    out.extend(undetermined.into_iter().map(|(why, components)| LicenseGroup {
        expression: None,
        ids: Vec::new(),
        category: None,
        not_determined: Some(why),
        components,
    }));
    out
}

/// Each obligation some third-party component's license asks, in [`Obligations::NAMES`] order,
/// with the ids that ask it and the components. Components without a concluded license are in no
/// group: nothing is assumed about what their license asks.
pub fn by_obligation(inv: &Inventory) -> Vec<ObligationGroup<'_>> {
    Obligations::NAMES
        .into_iter()
        .filter_map(|name| {
            let mut ids = BTreeSet::new();
            let mut components = Vec::new();
            for c in inv.components.iter().filter(|c| third_party(c)) {
                if !c.licenses.obligations.is_some_and(|o| o.has(name)) {
                    continue;
                }
                ids.extend(
                    c.licenses.ids.iter().filter(|id| obligations::obligations(id).has(name)).cloned(),
                );
                components.push(c);
            }
            (!components.is_empty()).then(|| ObligationGroup {
                obligation: name,
                ids: ids.into_iter().collect(),
                components,
            })
        })
        .collect()
}

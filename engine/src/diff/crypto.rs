//! Cryptographic assets added and removed, keyed by asset type and name.

use crate::bom::{BomInput, CBOM_VERSION, crypto_assets};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One cryptographic asset in a comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CryptoChange {
    /// CycloneDX's asset type (`algorithm`, `certificate`, `related-crypto-material`, `protocol`).
    pub asset_type: String,
    /// The asset's name.
    pub name: String,
    /// Its NIST post-quantum security category, when rated.
    pub nist_quantum_level: Option<u8>,
    /// How many places it is seen at, on the side it is in.
    pub occurrences: usize,
}

/// Assets added and removed, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CryptoChanges {
    /// Only in `to`.
    pub added: Vec<CryptoChange>,
    /// Only in `from`.
    pub removed: Vec<CryptoChange>,
    /// Assets on both sides.
    pub unchanged: usize,
}

fn assets(input: &BomInput) -> BTreeMap<(String, String), CryptoChange> {
    crypto_assets(input, CBOM_VERSION)
        .into_iter()
        .map(|a| {
            let key = (a.asset_type.as_str().to_string(), a.name.clone());
            let change = CryptoChange {
                asset_type: key.0.clone(),
                name: a.name,
                nist_quantum_level: a.nist_quantum_level,
                occurrences: a.occurrences.len(),
            };
            (key, change)
        })
        .collect()
}

pub(super) fn compare(from: &BomInput, to: &BomInput) -> CryptoChanges {
    let (old, new) = (assets(from), assets(to));
    CryptoChanges {
        added: new.iter().filter(|(k, _)| !old.contains_key(*k)).map(|(_, v)| v.clone()).collect(),
        removed: old.iter().filter(|(k, _)| !new.contains_key(*k)).map(|(_, v)| v.clone()).collect(),
        unchanged: old.keys().filter(|k| new.contains_key(*k)).count(),
    }
}

//! The crypto inventory as Cairn's own JSON report carries it: each distinct algorithm with its
//! quantum rating, replacement, providing libraries and locations; certificates, keys and TLS
//! settings; and the readiness score with its methodology.

use super::libraries::{self, FAMILIES};
use super::material::CryptoMaterial;
use super::protocol::CryptoProtocol;
use super::quantum::{self, METHODOLOGY, Readiness};
use super::{CryptoUse, oids};
use crate::inventory::Inventory;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One place an algorithm is used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UseLocation {
    /// Path relative to the scan root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The file is a test.
    pub in_test: bool,
}

/// One distinct algorithm across the tree.
#[derive(Debug, Clone, Serialize)]
pub struct AlgorithmEntry {
    /// Readable name (`AES-256-GCM`, `RSASSA-PKCS1 with SHA-256`), the CBOM component's name.
    pub name: String,
    /// CycloneDX primitive.
    pub primitive: &'static str,
    /// Family, when known.
    pub family: Option<String>,
    /// Key size, digest size, curve or parameter set.
    pub parameter: Option<String>,
    /// The OID a standard assigns, when there is one.
    pub oid: Option<&'static str>,
    /// NIST post-quantum category 0–5, when rated.
    pub nist_quantum_level: Option<u8>,
    /// Classical security in bits, when known.
    pub classical_bits: Option<u16>,
    /// Broken without a quantum computer.
    pub classically_broken: bool,
    /// What to migrate to.
    pub replacement: Option<&'static str>,
    /// The parameter is the library's default, not a literal at the call.
    pub parameter_assumed: bool,
    /// Every use is in a test file.
    pub test_only: bool,
    /// Library families whose API the uses call (names from the library table).
    pub libraries: Vec<&'static str>,
    /// Where it is used.
    pub locations: Vec<UseLocation>,
}

/// An inventory package that is a crypto library.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryEntry {
    /// The package's purl.
    pub purl: String,
    /// The library family's name.
    pub library: &'static str,
    /// Names of the algorithms found through its API.
    pub provides: Vec<String>,
}

/// The readiness score with the methodology it follows.
#[derive(Debug, Clone, Serialize)]
pub struct ReadinessEntry {
    /// `cairn-cbom-v1`.
    pub methodology: &'static str,
    /// The score and its counts.
    #[serde(flatten)]
    pub readiness: Readiness,
}

/// The crypto section of the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct CryptoInventory {
    /// Post-quantum readiness.
    pub readiness: ReadinessEntry,
    /// Distinct algorithms, by name.
    pub algorithms: Vec<AlgorithmEntry>,
    /// Certificates, keys and key stores.
    pub material: Vec<CryptoMaterial>,
    /// TLS settings.
    pub protocols: Vec<CryptoProtocol>,
    /// Crypto libraries in the inventory.
    pub libraries: Vec<LibraryEntry>,
}

fn family_name(id: &str) -> Option<&'static str> {
    FAMILIES.iter().find(|f| f.id == id).map(|f| f.name)
}

impl CryptoInventory {
    /// The section for the uses, material and protocols a scan found over `inventory`.
    pub fn new(
        uses: &[CryptoUse],
        material: &[CryptoMaterial],
        protocols: &[CryptoProtocol],
        inventory: &Inventory,
    ) -> Self {
        let mut groups: BTreeMap<String, Vec<&CryptoUse>> = BTreeMap::new();
        for u in uses {
            groups.entry(u.algorithm.name()).or_default().push(u);
        }
        let mut by_family: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let algorithms = groups
            .into_iter()
            .filter_map(|(name, group)| {
                let alg = &group.first()?.algorithm;
                let rating = quantum::assess(alg);
                let libs: BTreeSet<&str> = group.iter().filter_map(|u| u.library.as_deref()).collect();
                for id in &libs {
                    by_family.entry(id).or_default().insert(name.clone());
                }
                let mut locations: Vec<UseLocation> = group
                    .iter()
                    .flat_map(|u| {
                        u.lines.iter().map(|l| UseLocation {
                            file: u.file.clone(),
                            line: *l,
                            in_test: u.in_test,
                        })
                    })
                    .collect();
                locations.sort();
                locations.dedup();
                Some(AlgorithmEntry {
                    primitive: alg.primitive.as_str(),
                    family: alg.family.clone(),
                    parameter: alg.parameter.clone(),
                    oid: oids::oid(alg),
                    nist_quantum_level: rating.nist_level,
                    classical_bits: rating.classical_bits,
                    classically_broken: rating.classically_broken,
                    replacement: rating.replacement,
                    parameter_assumed: group.iter().any(|u| u.algorithm.assumed),
                    test_only: group.iter().all(|u| u.in_test),
                    libraries: libs.iter().filter_map(|id| family_name(id)).collect(),
                    locations,
                    name,
                })
            })
            .collect();
        let libraries = inventory
            .components
            .iter()
            .filter_map(|c| {
                let f = libraries::family_of_component(c)?;
                Some(LibraryEntry {
                    purl: c.purl.clone(),
                    library: f.name,
                    provides: by_family.get(f.id).map(|s| s.iter().cloned().collect()).unwrap_or_default(),
                })
            })
            .collect();
        CryptoInventory {
            readiness: ReadinessEntry { methodology: METHODOLOGY, readiness: quantum::readiness(uses) },
            algorithms,
            material: material.to_vec(),
            protocols: protocols.to_vec(),
            libraries,
        }
    }
}

//! The common end of every reader: raw packages and edges by document-local reference, turned into
//! an inventory.

use super::DocumentKind;
use crate::bom::input::{BomLicense, LicenseKind};
use crate::inventory::{
    DeclaredLicense, Diagnostic, Ecosystem, Edge, Hash, Inventory, Location, Package, Scope, Source, purl,
};
use packageurl::PackageUrl;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// A document read into Cairn's model.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBom {
    /// What kind of document it was.
    pub kind: DocumentKind,
    /// The described project's name, when the document names one.
    pub name: Option<String>,
    /// The described project's version, when given.
    pub version: Option<String>,
    /// Components (one per purl), edges, and diagnostics about what could not be used.
    pub inventory: Inventory,
    /// Licenses per component purl, as raw expressions (SPDX ids, expressions, or names as given).
    pub licenses: BTreeMap<String, Vec<BomLicense>>,
    /// Packages kept out of the inventory because they have no usable purl.
    pub unidentified: Vec<Unidentified>,
}

/// A package the document lists without a purl Cairn can use.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unidentified {
    /// Its name as given.
    pub name: String,
    /// Its version as given.
    pub version: Option<String>,
    /// Why it is not a component.
    pub reason: String,
}

/// One package as a document lists it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawPackage {
    /// The document-local reference (bom-ref, SPDXID, spdxId).
    pub reference: String,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub scope: Option<Scope>,
    pub direct: Option<bool>,
    pub local: bool,
    pub hashes: Vec<Hash>,
    pub licenses: Vec<BomLicense>,
    pub locations: Vec<Location>,
    /// The version requirement Cairn recorded for an unpinned package (`cairn:version-constraint`).
    pub constraint: Option<String>,
}

/// Gathers packages and edges, then resolves them.
pub(crate) struct Collector {
    origin: String,
    packages: Vec<RawPackage>,
    edges: Vec<(String, String, Option<Scope>)>,
    root: Option<String>,
    root_name: Option<String>,
    root_version: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Collector {
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.to_string(),
            packages: Vec::new(),
            edges: Vec::new(),
            root: None,
            root_name: None,
            root_version: None,
            diagnostics: Vec::new(),
        }
    }

    pub fn package(&mut self, mut p: RawPackage) {
        if p.locations.is_empty() {
            p.locations.push(origin_location(&self.origin));
        }
        self.packages.push(p);
    }

    /// `from` depends on `to`; `scope` when the relationship says how.
    pub fn edge(&mut self, from: &str, to: &str, scope: Option<Scope>) {
        self.edges.push((from.to_string(), to.to_string(), scope));
    }

    /// The reference of the described root package, when it is one of the packages.
    pub fn root(&mut self, reference: &str) {
        self.root = Some(reference.to_string());
    }

    /// The project's name and version, from a root that is not in the package list.
    pub fn root_info(&mut self, name: Option<String>, version: Option<String>) {
        self.root_name = name.filter(|n| !n.is_empty());
        self.root_version = version.filter(|v| !v.is_empty());
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(self.origin.clone(), None, message));
    }

    pub fn finish(mut self, kind: DocumentKind) -> ReadBom {
        let root_ref = self.root.clone();
        let mut by_ref: BTreeMap<String, String> = BTreeMap::new();
        let mut packages = Vec::new();
        let mut licenses: BTreeMap<String, Vec<BomLicense>> = BTreeMap::new();
        let mut unidentified = Vec::new();
        // Direct dependencies: what the root depends on, when the document says.
        let root_deps: Option<BTreeMap<&str, Option<Scope>>> = root_ref.as_deref().map(|r| {
            self.edges.iter().filter(|(f, _, _)| f == r).map(|(_, t, s)| (t.as_str(), *s)).collect()
        });
        let root_deps_known = root_deps.as_ref().is_some_and(|d| !d.is_empty());
        for raw in &self.packages {
            let is_root = root_ref.as_deref() == Some(raw.reference.as_str());
            let resolved =
                raw.purl.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(|p| resolve(p, raw));
            match resolved {
                Some(Ok(mut pkg)) => {
                    if let Some(d) = root_deps.as_ref() {
                        if let Some(scope) = d.get(raw.reference.as_str()) {
                            pkg.direct = pkg.direct.or(Some(true));
                            if let (Some(s), None) = (scope, raw.scope) {
                                pkg.scope = *s;
                            }
                        } else if root_deps_known && pkg.direct.is_none() {
                            pkg.direct = Some(false);
                        }
                    }
                    if is_root || raw.local {
                        let path = pkg.location.path.clone();
                        pkg.source = Source::Local { path };
                    }
                    by_ref.insert(raw.reference.clone(), pkg.purl.clone());
                    if !raw.licenses.is_empty() {
                        licenses.entry(pkg.purl.clone()).or_default().extend(raw.licenses.iter().cloned());
                    }
                    let extra_locations: Vec<Location> = raw.locations.iter().skip(1).cloned().collect();
                    packages.push(pkg.clone());
                    for loc in extra_locations {
                        let mut p = pkg.clone();
                        p.location = loc;
                        packages.push(p);
                    }
                }
                Some(Err(reason)) => {
                    if is_root {
                        self.root_name.get_or_insert(raw.name.clone());
                        if let Some(v) = &raw.version {
                            self.root_version.get_or_insert(v.clone());
                        }
                    }
                    self.diagnostics.push(Diagnostic::warning(
                        self.origin.clone(),
                        None,
                        format!("package {:?} kept out of the inventory: {reason}", raw.name),
                    ));
                    unidentified.push(Unidentified {
                        name: raw.name.clone(),
                        version: raw.version.clone(),
                        reason,
                    });
                }
                None if is_root => {
                    self.root_name.get_or_insert(raw.name.clone());
                    if let Some(v) = &raw.version {
                        self.root_version.get_or_insert(v.clone());
                    }
                }
                None => {
                    let reason = "it has no package URL".to_string();
                    self.diagnostics.push(Diagnostic::warning(
                        self.origin.clone(),
                        None,
                        format!("package {:?} kept out of the inventory: {reason}", raw.name),
                    ));
                    unidentified.push(Unidentified {
                        name: raw.name.clone(),
                        version: raw.version.clone(),
                        reason,
                    });
                }
            }
        }
        let mut dangling = BTreeSet::new();
        let edges: Vec<Edge> = self
            .edges
            .iter()
            .filter_map(|(f, t, _)| match (by_ref.get(f), by_ref.get(t)) {
                (Some(f), Some(t)) => Some(Edge::new(f.clone(), t.clone())),
                (None, _) if root_ref.as_deref() == Some(f.as_str()) => None,
                (a, b) => {
                    if a.is_none() && !self.packages.iter().any(|p| &p.reference == f) {
                        dangling.insert(f.clone());
                    }
                    if b.is_none() && !self.packages.iter().any(|p| &p.reference == t) {
                        dangling.insert(t.clone());
                    }
                    None
                }
            })
            .collect();
        if !dangling.is_empty() {
            let sample: Vec<&String> = dangling.iter().take(3).collect();
            self.diagnostics.push(Diagnostic::warning(
                self.origin.clone(),
                None,
                format!(
                    "{} dependency references name no package in the document (e.g. {sample:?})",
                    dangling.len()
                ),
            ));
        }
        for l in licenses.values_mut() {
            l.sort();
            l.dedup();
        }
        ReadBom {
            kind,
            name: self.root_name,
            version: self.root_version,
            inventory: Inventory::assemble(packages, edges, self.diagnostics, Vec::new()),
            licenses,
            unidentified,
        }
    }
}

fn ecosystem_of(purl_type: &str) -> Option<Ecosystem> {
    Ecosystem::ALL.into_iter().find(|e| e.purl_type() == purl_type)
}

/// Turns a raw package with a purl into a `Package`, or says why it cannot be one.
fn resolve(purl_text: &str, raw: &RawPackage) -> Result<Package, String> {
    let p = PackageUrl::from_str(purl_text).map_err(|e| format!("invalid package URL {purl_text:?}: {e}"))?;
    let ecosystem = ecosystem_of(p.ty())
        .ok_or_else(|| format!("package URL type {:?} is not an ecosystem Cairn inventories", p.ty()))?;
    let ns = p.namespace().filter(|n| !n.is_empty());
    let name = match (ecosystem, ns) {
        (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", p.name()),
        (_, Some(ns)) => format!("{ns}/{}", p.name()),
        (_, None) => p.name().to_string(),
    };
    // The document's own spelling wins when it is the same name (purls fold case for some types).
    let fold = |s: &str| s.to_ascii_lowercase().replace(['_', '.'], "-");
    let name = if fold(&raw.name) == fold(&name) { raw.name.clone() } else { name };
    let version = p.version().map(str::to_string).or_else(|| raw.version.clone()).unwrap_or_default();
    let qualifiers: Vec<(&str, &str)> =
        p.qualifiers().iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    // Rebuilt through Cairn's own purl rules, so equal packages from different tools meet.
    let canonical = purl(ecosystem, &name, &version, &qualifiers).unwrap_or_else(|_| purl_text.to_string());
    let source = qualifiers
        .iter()
        .find_map(|(k, v)| match *k {
            "vcs_url" => {
                let url = v.trim_start_matches("git+");
                Some(match url.rsplit_once('@').filter(|(u, _)| u.contains("://")) {
                    Some((u, rev)) => Source::Git { url: u.to_string(), rev: Some(rev.to_string()) },
                    None => Source::Git { url: url.to_string(), rev: None },
                })
            }
            "download_url" => Some(Source::Url { url: v.to_string() }),
            "repository_url" => Some(Source::AltRegistry { url: v.to_string() }),
            _ => None,
        })
        .unwrap_or_default();
    let location = raw.locations.first().cloned().unwrap_or_else(|| Location::new("", None));
    // Declared licenses travel with the package, so the inventory concludes from them as it does
    // for manifests; concluded ones stay in `ReadBom::licenses`.
    let licenses = raw
        .licenses
        .iter()
        .filter(|l| l.kind == LicenseKind::Declared)
        .map(|l| DeclaredLicense { raw: l.expression.clone(), location: location.clone() })
        .collect();
    Ok(Package {
        ecosystem,
        name,
        version,
        purl: canonical,
        scope: raw.scope.unwrap_or_default(),
        direct: raw.direct,
        source,
        hashes: raw.hashes.clone(),
        licenses,
        location,
        constraint: raw.constraint.clone(),
        distro: None,
    })
}

/// The default location of a document's packages: the document itself.
pub(crate) fn origin_location(origin: &str) -> Location {
    Location::new(origin, None)
}

/// A license statement, declared unless the document says concluded.
pub(crate) fn license(expression: &str, concluded: bool) -> Option<BomLicense> {
    let e = expression.trim();
    if e.is_empty() || e == "NOASSERTION" || e == "NONE" {
        return None;
    }
    Some(BomLicense {
        kind: if concluded { LicenseKind::Concluded } else { LicenseKind::Declared },
        expression: e.to_string(),
    })
}

/// Hash algorithm names of SPDX 2 and 3 in CycloneDX spelling (Cairn's).
pub(crate) fn hash_name(alg: &str) -> String {
    match alg.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
        "md5" => "MD5".into(),
        "sha1" => "SHA-1".into(),
        "sha256" => "SHA-256".into(),
        "sha384" => "SHA-384".into(),
        "sha512" => "SHA-512".into(),
        "sha3256" => "SHA3-256".into(),
        "sha3384" => "SHA3-384".into(),
        "sha3512" => "SHA3-512".into(),
        "blake2b256" => "BLAKE2b-256".into(),
        "blake2b384" => "BLAKE2b-384".into(),
        "blake2b512" => "BLAKE2b-512".into(),
        "blake3" => "BLAKE3".into(),
        _ => alg.to_string(),
    }
}

//! Maps the engine's own results into the document inputs: component and project licenses, and
//! OSV findings. The CLI and the daemon both build documents through this, so they cannot differ.

use super::ROOT_REF;
use super::input::{
    BomAffect, BomInput, BomLicense, BomRating, BomVulnerability, LicenseKind, RatingMethod, VexStatus,
};
use crate::inventory::Licenses;
use crate::vuln::{Finding, Matches, SeveritySource};
use std::collections::BTreeMap;

fn bom_licenses(l: &Licenses) -> Vec<BomLicense> {
    let mut out: Vec<BomLicense> = l
        .declared
        .iter()
        .map(|d| BomLicense { kind: LicenseKind::Declared, expression: d.expression.clone() })
        .collect();
    if let Some(c) = &l.concluded {
        out.push(BomLicense { kind: LicenseKind::Concluded, expression: c.expression.clone() });
    }
    out.sort();
    out.dedup();
    out
}

fn rating(f: &Finding) -> Option<BomRating> {
    let s = &f.severity;
    let method = match s.source {
        SeveritySource::CvssV4 => RatingMethod::CvssV4,
        SeveritySource::CvssV3 if s.vector.as_deref().is_some_and(|v| v.starts_with("CVSS:3.0/")) => {
            RatingMethod::CvssV3
        }
        SeveritySource::CvssV3 => RatingMethod::CvssV31,
        SeveritySource::Database | SeveritySource::CvssV2 => RatingMethod::Other,
        SeveritySource::None => return None,
    };
    Some(BomRating {
        method,
        score: s.score,
        severity: s.rating,
        vector: s.vector.clone(),
        source: Some("OSV".to_string()),
    })
}

impl BomInput {
    /// Adds every component's licenses (declared expressions and the conclusion) and the project's
    /// own, under the root reference.
    pub fn with_inventory_licenses(mut self) -> Self {
        let mut map: BTreeMap<String, Vec<BomLicense>> = self
            .inventory
            .components
            .iter()
            .map(|c| (c.purl.clone(), bom_licenses(&c.licenses)))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        let project = bom_licenses(&self.inventory.project_licenses);
        if !project.is_empty() {
            map.insert(ROOT_REF.to_string(), project);
        }
        self.licenses = map;
        self
    }

    /// Adds the findings of a match, one vulnerability per advisory id with every component it
    /// affects. Findings are `affected` until someone triages them.
    pub fn with_findings(mut self, matches: &Matches) -> Self {
        let mut by_id: BTreeMap<&str, BomVulnerability> = BTreeMap::new();
        for f in &matches.findings {
            let v = by_id.entry(f.id.as_str()).or_insert_with(|| {
                let mut aliases: Vec<String> =
                    f.ids.iter().chain(&f.aliases).filter(|a| **a != f.id).cloned().collect();
                aliases.sort();
                aliases.dedup();
                BomVulnerability {
                    id: f.id.clone(),
                    aliases,
                    source: Some("OSV".to_string()),
                    summary: f.summary.clone(),
                    details: None,
                    ratings: rating(f).into_iter().collect(),
                    cwes: Vec::new(),
                    references: vec![format!("https://osv.dev/vulnerability/{}", f.id)],
                    published: None,
                    modified: None,
                    affects: Vec::new(),
                }
            });
            v.affects.push(BomAffect {
                purl: f.purl.clone(),
                status: VexStatus::Affected,
                justification: None,
                detail: None,
                response: None,
                fixed_versions: f.fixed.clone(),
            });
        }
        self.vulnerabilities = by_id.into_values().collect();
        self.coverage = matches.coverage.clone();
        self
    }
}

impl BomInput {
    /// The input every document of a scan is made from: the inventory with its licenses, the
    /// findings when vulnerability data was matched, and the cryptography found. The CLI and the
    /// daemon both build their documents through this, so a document is the same from either.
    pub fn from_scan(
        name: impl Into<String>,
        version: Option<String>,
        timestamp: impl Into<String>,
        scan: &crate::Scan,
        matches: Option<&Matches>,
    ) -> Self {
        let parts = crate::Scan {
            inventory: scan.inventory.clone(),
            crypto: scan.crypto.clone(),
            crypto_material: scan.crypto_material.clone(),
            crypto_protocols: scan.crypto_protocols.clone(),
            stats: scan.stats,
        };
        Self::from_owned_scan(name, version, timestamp, parts, matches)
    }

    /// [`BomInput::from_scan`] taking the scan's inventory and cryptography instead of copying
    /// them: for a caller that is done with the scan (the CLI writing its one document), an
    /// inventory of 11k components is not held twice. Gives the same input.
    pub fn from_owned_scan(
        name: impl Into<String>,
        version: Option<String>,
        timestamp: impl Into<String>,
        scan: crate::Scan,
        matches: Option<&Matches>,
    ) -> Self {
        let mut input = BomInput::new(name, version, timestamp, scan.inventory).with_inventory_licenses();
        if let Some(m) = matches {
            input = input.with_findings(m);
        }
        input.crypto = scan.crypto;
        input.crypto_material = scan.crypto_material;
        input.crypto_protocols = scan.crypto_protocols;
        input
    }
}

//! What the emitters take: the inventory plus the project, the timestamp, and the plain input types
//! that vulnerability findings and licenses are mapped into by whoever produced them.

use crate::crypto::CryptoUse;
use crate::crypto::material::CryptoMaterial;
use crate::crypto::protocol::CryptoProtocol;
use crate::inventory::Inventory;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything one document is made from. The same input always gives the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BomInput {
    /// The scanned project's name (the root component).
    pub name: String,
    /// The scanned project's version, when known.
    pub version: Option<String>,
    /// RFC 3339 creation time, chosen by the caller (the CLI: `--timestamp`, `SOURCE_DATE_EPOCH` or now).
    pub timestamp: String,
    /// The components, edges and diagnostics.
    pub inventory: Inventory,
    /// Licenses per component purl, as raw SPDX expressions.
    pub licenses: BTreeMap<String, Vec<BomLicense>>,
    /// Vulnerabilities and how they affect components; empty when nothing was matched.
    pub vulnerabilities: Vec<BomVulnerability>,
    /// Cryptographic algorithms found in source (CycloneDX 1.6+ only); empty when not looked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crypto: Vec<CryptoUse>,
    /// Certificates and keys found in the tree (CycloneDX 1.6+ only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crypto_material: Vec<CryptoMaterial>,
    /// TLS settings found in the tree (CycloneDX 1.6+ only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crypto_protocols: Vec<CryptoProtocol>,
    /// Vulnerability coverage per ecosystem; empty when nothing was matched. Written as CycloneDX
    /// properties and SARIF notifications (`npm 1767 not evaluated — no advisories loaded`): a
    /// document without findings must not read as "checked, nothing found".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage: Vec<crate::vuln::EcosystemCoverage>,
    /// What the root component is: the scanned project (an application) or a container image.
    #[serde(default, skip_serializing_if = "RootKind::is_application")]
    pub root_kind: RootKind,
    /// The policy gate's result, when a policy was evaluated: SARIF carries its violations as
    /// results (the other formats ignore it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<crate::policy::GateResult>,
}

/// What a document's root component is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RootKind {
    /// A source tree, repository or archive: CycloneDX `application`, SPDX `APPLICATION`.
    #[default]
    Application,
    /// A container image: CycloneDX `container`, SPDX `CONTAINER`.
    Container,
}

impl RootKind {
    fn is_application(&self) -> bool {
        *self == RootKind::Application
    }

    /// The CycloneDX component type.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            RootKind::Application => "application",
            RootKind::Container => "container",
        }
    }

    /// The SPDX 2.3 `primaryPackagePurpose`.
    pub fn spdx2(self) -> &'static str {
        match self {
            RootKind::Application => "APPLICATION",
            RootKind::Container => "CONTAINER",
        }
    }

    /// The SPDX 3 `software_primaryPurpose`.
    pub fn spdx3(self) -> &'static str {
        match self {
            RootKind::Application => "application",
            RootKind::Container => "container",
        }
    }
}

/// How a license was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LicenseKind {
    /// Stated by the package's metadata.
    Declared,
    /// Concluded by analysis (texts found, a person's decision).
    Concluded,
}

/// One license statement for a component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BomLicense {
    /// Declared or concluded.
    pub kind: LicenseKind,
    /// An SPDX license expression (`MIT`, `Apache-2.0 OR MIT`, `LicenseRef-…`) as given.
    pub expression: String,
}

/// A rating's qualitative severity: Cairn's one [`cairn_vocab::Severity`] (ordered, `Unknown`
/// lowest; CVSS 0.0 is `none`), spelled in lower case as CycloneDX and OSV spell it.
pub use cairn_vocab::Severity as BomSeverity;

/// How a rating was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RatingMethod {
    /// CVSS v3.0.
    CvssV3,
    /// CVSS v3.1.
    CvssV31,
    /// CVSS v4.0.
    CvssV4,
    /// Anything else (an advisory's own severity word).
    Other,
}

/// One severity rating of a vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BomRating {
    /// How it was computed.
    pub method: RatingMethod,
    /// The base score, when the method has one.
    pub score: Option<f64>,
    /// The qualitative severity.
    pub severity: BomSeverity,
    /// The vector string, when the method has one.
    pub vector: Option<String>,
    /// Who rated it (`NVD`, `GHSA`, …), when known.
    pub source: Option<String>,
}

/// A VEX status for one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// The component is affected.
    Affected,
    /// The component is not affected (a justification should say why).
    NotAffected,
    /// The vulnerability is fixed in this component.
    Fixed,
    /// Not yet known.
    UnderInvestigation,
}

/// Why a component is not affected, in OpenVEX's terms (SPDX 3 has the same five).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexJustification {
    /// The vulnerable component is not included.
    ComponentNotPresent,
    /// The vulnerable code is not included.
    VulnerableCodeNotPresent,
    /// The vulnerable code cannot be reached.
    VulnerableCodeNotInExecutePath,
    /// An adversary cannot control the vulnerable code's input.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Mitigations are built in.
    InlineMitigationsAlreadyExist,
}

impl VexJustification {
    /// The OpenVEX spelling.
    pub fn as_openvex(self) -> &'static str {
        match self {
            VexJustification::ComponentNotPresent => "component_not_present",
            VexJustification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            VexJustification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            VexJustification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            VexJustification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

/// What is being done about an affected component (CycloneDX `analysis.response`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexResponse {
    /// It cannot be fixed.
    CanNotFix,
    /// It will not be fixed.
    WillNotFix,
    /// Update to a fixed version.
    Update,
    /// Roll back to an unaffected version.
    Rollback,
    /// A workaround is available.
    WorkaroundAvailable,
}

impl VexResponse {
    /// The CycloneDX spelling.
    pub fn as_cyclonedx(self) -> &'static str {
        match self {
            VexResponse::CanNotFix => "can_not_fix",
            VexResponse::WillNotFix => "will_not_fix",
            VexResponse::Update => "update",
            VexResponse::Rollback => "rollback",
            VexResponse::WorkaroundAvailable => "workaround_available",
        }
    }
}

/// How one vulnerability touches one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BomAffect {
    /// The component's purl (must be in the inventory).
    pub purl: String,
    /// The VEX status.
    pub status: VexStatus,
    /// Why not affected.
    pub justification: Option<VexJustification>,
    /// Free text: the impact statement (not affected) or the action to take (affected).
    pub detail: Option<String>,
    /// What is being done (CycloneDX only; OpenVEX has no field for it).
    #[serde(default)]
    pub response: Option<VexResponse>,
    /// Versions that fix it, in the ecosystem's spelling.
    pub fixed_versions: Vec<String>,
}

/// One vulnerability with its ratings and the components it touches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BomVulnerability {
    /// The advisory id (`GHSA-…`, `RUSTSEC-…`, `CVE-…`).
    pub id: String,
    /// Other ids of the same vulnerability.
    pub aliases: Vec<String>,
    /// Who published it (`OSV`, `GitHub`, …) when known.
    pub source: Option<String>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description.
    pub details: Option<String>,
    /// Severity ratings.
    pub ratings: Vec<BomRating>,
    /// CWE numbers.
    pub cwes: Vec<u32>,
    /// Advisory and fix URLs.
    pub references: Vec<String>,
    /// RFC 3339 publication time.
    pub published: Option<String>,
    /// RFC 3339 last modification time.
    pub modified: Option<String>,
    /// The components it touches.
    pub affects: Vec<BomAffect>,
}

impl BomVulnerability {
    /// The worst severity among the ratings (`Unknown` when there are none).
    pub fn severity(&self) -> BomSeverity {
        self.ratings
            .iter()
            .map(|r| r.severity)
            .filter(|s| *s != BomSeverity::Unknown)
            .max()
            .unwrap_or(BomSeverity::Unknown)
    }

    /// The highest score among the ratings.
    pub fn max_score(&self) -> Option<f64> {
        self.ratings.iter().filter_map(|r| r.score).fold(None, |m, s| Some(m.map_or(s, |m: f64| m.max(s))))
    }
}

impl BomInput {
    /// An input with no licenses and no vulnerabilities.
    pub fn new(
        name: impl Into<String>,
        version: Option<String>,
        timestamp: impl Into<String>,
        inventory: Inventory,
    ) -> Self {
        Self {
            name: name.into(),
            version,
            timestamp: timestamp.into(),
            inventory,
            licenses: BTreeMap::new(),
            vulnerabilities: Vec::new(),
            crypto: Vec::new(),
            crypto_material: Vec::new(),
            crypto_protocols: Vec::new(),
            coverage: Vec::new(),
            root_kind: RootKind::Application,
            gate: None,
        }
    }
}

impl BomInput {
    /// The vulnerabilities in a stable order: by id, each one's affects by purl, lists sorted.
    pub(crate) fn sorted_vulnerabilities(&self) -> Vec<BomVulnerability> {
        let mut vulns = self.vulnerabilities.clone();
        for v in &mut vulns {
            v.aliases.sort();
            v.aliases.dedup();
            v.cwes.sort_unstable();
            v.cwes.dedup();
            v.references.sort();
            v.references.dedup();
            v.affects.sort_by(|a, b| (&a.purl, a.status).cmp(&(&b.purl, b.status)));
            for a in &mut v.affects {
                a.fixed_versions.sort();
                a.fixed_versions.dedup();
            }
        }
        vulns.sort_by(|a, b| a.id.cmp(&b.id));
        vulns
    }

    /// The licenses of one component, sorted (declared first).
    pub(crate) fn licenses_of(&self, purl: &str) -> Vec<BomLicense> {
        let mut l = self.licenses.get(purl).cloned().unwrap_or_default();
        l.sort();
        l.dedup();
        l
    }
}

//! CycloneDX JSON 1.5, 1.6 (default) and 1.7: serde models and the emitter. The document is also
//! CycloneDX VEX: each vulnerability carries its `analysis` and `affects`.

use super::canonical::{self, METHODOLOGY_KEY, METHODOLOGY_VERSION, SHA256_KEY};
use super::canonical_json::{self, At, OpenObject, Part};
use super::crypto;
use super::input::{
    BomInput, BomLicense, BomVulnerability, LicenseKind, RatingMethod, VexJustification, VexStatus,
};
use crate::crypto::libraries;
use crate::inventory::{Component, Inventory, Scope, Severity, Source};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Which CycloneDX specification version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum CdxVersion {
    /// 1.5.
    V1_5,
    /// 1.6, the default.
    #[default]
    V1_6,
    /// 1.7.
    V1_7,
}

impl CdxVersion {
    /// `1.5`, `1.6` or `1.7`.
    pub fn as_str(self) -> &'static str {
        match self {
            CdxVersion::V1_5 => "1.5",
            CdxVersion::V1_6 => "1.6",
            CdxVersion::V1_7 => "1.7",
        }
    }
}

/// The bom-ref of the scanned project (the root component).
pub const ROOT_REF: &str = "cairn:root";

/// Hash algorithms CycloneDX names (Cairn's `Hash::algorithm` already uses these spellings).
const STANDARD_HASHES: [&str; 12] = [
    "MD5",
    "SHA-1",
    "SHA-256",
    "SHA-384",
    "SHA-512",
    "SHA3-256",
    "SHA3-384",
    "SHA3-512",
    "BLAKE2b-256",
    "BLAKE2b-384",
    "BLAKE2b-512",
    "BLAKE3",
];

// The model borrows the inventory's strings (`Cow`) instead of copying them: 11k components'
// names, versions and purls would otherwise be held twice while the document is written.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: String,
    bom_format: &'static str,
    spec_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<CdxComponent<'a>>,
    dependencies: Vec<Dependency<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<CdxVulnerability>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: String,
    tools: Tools,
    component: CdxComponent<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property<'a>>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<ToolComponent>,
}

#[derive(Serialize)]
struct ToolComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct CdxComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: Cow<'a, str>,
    name: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<CdxHash<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<CdxLicense>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<Cow<'a, str>>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property<'a>>,
    #[serde(rename = "cryptoProperties", skip_serializing_if = "Option::is_none")]
    crypto_properties: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Value>,
}

/// A `licenses[]` entry: an SPDX expression, or (1.6) one license by id.
#[derive(Serialize)]
#[serde(untagged)]
enum CdxLicense {
    Expression {
        expression: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        acknowledgement: Option<&'static str>,
    },
    License {
        license: LicenseId,
    },
}

#[derive(Serialize)]
struct LicenseId {
    id: String,
    acknowledgement: &'static str,
}

#[derive(Serialize)]
struct CdxHash<'a> {
    alg: &'a str,
    content: Cow<'a, str>,
}

#[derive(Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Property<'a> {
    name: Cow<'a, str>,
    value: Cow<'a, str>,
}

impl<'a> Property<'a> {
    fn new(name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        Self { name: name.into(), value: value.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: Cow<'a, str>,
    depends_on: Vec<&'a str>,
    /// For a crypto library: the cryptographic assets it implements (1.6+).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    provides: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CdxVulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<VulnSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<VulnReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<Rating>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cwes: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<Analysis>,
    affects: Vec<Affect>,
}

#[derive(Serialize)]
struct VulnSource {
    name: String,
}

#[derive(Serialize)]
struct VulnReference {
    id: String,
    source: VulnSource,
}

#[derive(Serialize)]
struct Advisory {
    url: String,
}

#[derive(Serialize)]
struct Rating {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<VulnSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: &'static str,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<String>,
}

#[derive(Serialize)]
struct Analysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
}

#[derive(Serialize)]
struct Affect {
    #[serde(rename = "ref")]
    reference: String,
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Required => "required",
        Scope::Optional | Scope::Dev | Scope::Test => "optional",
    }
}

/// CycloneDX `licenses` for one component, and the properties for what the version cannot carry.
fn licenses(version: CdxVersion, licenses: &[BomLicense]) -> (Vec<CdxLicense>, Vec<Property<'static>>) {
    let ack = |l: &BomLicense| match l.kind {
        LicenseKind::Declared => "declared",
        LicenseKind::Concluded => "concluded",
    };
    let expression = |l: &BomLicense| CdxLicense::Expression {
        expression: l.expression.clone(),
        acknowledgement: (version >= CdxVersion::V1_6).then(|| ack(l)),
    };
    match version {
        CdxVersion::V1_7 => (licenses.iter().map(expression).collect(), Vec::new()),
        // 1.6 lists any number of single licenses, each with its acknowledgement: when every
        // statement is one SPDX id, declared and concluded both stay in `licenses`.
        CdxVersion::V1_6
            if !licenses.is_empty() && licenses.iter().all(|l| spdx::license_id(&l.expression).is_some()) =>
        {
            let list = licenses
                .iter()
                .map(|l| CdxLicense::License {
                    license: LicenseId { id: l.expression.clone(), acknowledgement: ack(l) },
                })
                .collect();
            (list, Vec::new())
        }
        // 1.5 and 1.6 allow exactly one expression: the concluded one wins, the rest become properties.
        CdxVersion::V1_5 | CdxVersion::V1_6 => {
            let Some(chosen) =
                licenses.iter().find(|l| l.kind == LicenseKind::Concluded).or_else(|| licenses.first())
            else {
                return (Vec::new(), Vec::new());
            };
            let mut rest: Vec<Property> = licenses
                .iter()
                .filter(|l| *l != chosen)
                .map(|l| Property::new(format!("cairn:license:{}", ack(l)), l.expression.clone()))
                .collect();
            if version == CdxVersion::V1_5 {
                // 1.5 has no `acknowledgement`; the property keeps it for readers.
                rest.push(Property::new("cairn:license:acknowledgement", ack(chosen)));
            }
            (vec![expression(chosen)], rest)
        }
    }
}

fn component<'a>(version: CdxVersion, c: &'a Component, input: &BomInput) -> CdxComponent<'a> {
    let hashes = c
        .hashes
        .iter()
        .filter(|h| {
            STANDARD_HASHES.contains(&h.algorithm.as_str()) && h.value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|h| CdxHash {
            alg: &h.algorithm,
            content: if h.value.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(h.value.to_ascii_lowercase())
            } else {
                Cow::Borrowed(&h.value)
            },
        })
        .collect();
    let mut properties = vec![Property::new("cairn:ecosystem", c.ecosystem.osv_name())];
    if c.scope != Scope::Required {
        properties.push(Property::new("cairn:scope", Scope::as_str(c.scope)));
    }
    if let Some(direct) = c.direct {
        properties.push(Property::new("cairn:direct", if direct { "true" } else { "false" }));
    }
    if c.local {
        properties.push(Property::new("cairn:local", "true"));
    }
    if let Some(req) = &c.constraint {
        properties.push(Property::new("cairn:version-constraint", req.as_str()));
    }
    for loc in &c.locations {
        let value = match loc.line {
            Some(line) => Cow::Owned(format!("{}:{line}", loc.path)),
            None => Cow::Borrowed(loc.path.as_str()),
        };
        properties.push(Property::new("cairn:location", value));
    }
    // Hashes CycloneDX cannot name (Go's h1:, base64 digests) are kept as properties, not dropped.
    for h in &c.hashes {
        if !(STANDARD_HASHES.contains(&h.algorithm.as_str())
            && h.value.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            properties.push(Property::new("cairn:hash", format!("{}:{}", h.algorithm, h.value)));
        }
    }
    let (licenses, license_props) = licenses(version, &input.licenses_of(&c.purl));
    properties.extend(license_props);
    let external_references = match &c.source {
        Source::Git { url, .. } => vec![ExternalReference { kind: "vcs", url: url.clone() }],
        Source::Url { url } => vec![ExternalReference { kind: "distribution", url: url.clone() }],
        Source::AltRegistry { url } => vec![ExternalReference { kind: "distribution", url: url.clone() }],
        Source::Registry | Source::Local { .. } => Vec::new(),
    };
    CdxComponent {
        kind: if c.local { "application" } else { "library" },
        bom_ref: Cow::Borrowed(&c.purl),
        name: Cow::Borrowed(&c.name),
        version: (!c.version.is_empty()).then_some(Cow::Borrowed(c.version.as_str())),
        scope: Some(scope_name(c.scope)),
        hashes,
        licenses,
        purl: Some(Cow::Borrowed(&c.purl)),
        external_references,
        properties,
        crypto_properties: None,
        evidence: None,
    }
}

fn method(m: RatingMethod) -> &'static str {
    match m {
        RatingMethod::CvssV3 => "CVSSv3",
        RatingMethod::CvssV31 => "CVSSv31",
        RatingMethod::CvssV4 => "CVSSv4",
        RatingMethod::Other => "other",
    }
}

/// CycloneDX's analysis justifications are coarser than OpenVEX's; this is the closest of each.
fn justification(j: VexJustification) -> &'static str {
    match j {
        VexJustification::ComponentNotPresent | VexJustification::VulnerableCodeNotPresent => {
            "code_not_present"
        }
        VexJustification::VulnerableCodeNotInExecutePath => "code_not_reachable",
        VexJustification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
        VexJustification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
    }
}

fn state(s: VexStatus) -> &'static str {
    match s {
        VexStatus::Affected => "exploitable",
        VexStatus::NotAffected => "not_affected",
        VexStatus::Fixed => "resolved",
        VexStatus::UnderInvestigation => "in_triage",
    }
}

/// One CycloneDX vulnerability per (advisory, VEX status): CycloneDX has one analysis per entry, so
/// components in different states get separate entries with the same id.
fn vulnerabilities(v: &BomVulnerability, known: &BTreeSet<&str>) -> Vec<CdxVulnerability> {
    let mut by_state: BTreeMap<VexStatus, Vec<&super::input::BomAffect>> = BTreeMap::new();
    for a in v.affects.iter().filter(|a| known.contains(a.purl.as_str())) {
        by_state.entry(a.status).or_default().push(a);
    }
    let single = by_state.len() == 1;
    by_state
        .into_iter()
        .map(|(status, affects)| {
            let fixes: BTreeSet<String> = affects
                .iter()
                .flat_map(|a| a.fixed_versions.iter().map(move |f| format!("{} → {f}", a.purl)))
                .collect();
            let justification =
                affects.iter().find_map(|a| a.justification).filter(|_| status == VexStatus::NotAffected);
            let detail = affects.iter().find_map(|a| a.detail.clone());
            let response: BTreeSet<&'static str> =
                affects.iter().filter_map(|a| a.response.map(|r| r.as_cyclonedx())).collect();
            CdxVulnerability {
                bom_ref: if single { v.id.clone() } else { format!("{}#{}", v.id, state(status)) },
                id: v.id.clone(),
                source: v.source.clone().map(|name| VulnSource { name }),
                references: v
                    .aliases
                    .iter()
                    .map(|a| VulnReference { id: a.clone(), source: VulnSource { name: alias_source(a) } })
                    .collect(),
                ratings: v
                    .ratings
                    .iter()
                    .map(|r| Rating {
                        source: r.source.clone().map(|name| VulnSource { name }),
                        score: r.score,
                        severity: r.severity.as_str(),
                        method: method(r.method),
                        vector: r.vector.clone(),
                    })
                    .collect(),
                cwes: v.cwes.clone(),
                description: v.summary.clone(),
                detail: v.details.clone(),
                recommendation: (!fixes.is_empty())
                    .then(|| format!("Upgrade: {}", fixes.into_iter().collect::<Vec<_>>().join(", "))),
                advisories: v.references.iter().map(|url| Advisory { url: url.clone() }).collect(),
                published: v.published.clone(),
                updated: v.modified.clone(),
                analysis: Some(Analysis {
                    state: state(status),
                    justification: justification.map(self::justification),
                    detail,
                    response: response.into_iter().collect(),
                }),
                affects: affects.iter().map(|a| Affect { reference: a.purl.clone() }).collect(),
            }
        })
        .collect()
}

/// The database an alias id comes from, by its prefix.
fn alias_source(id: &str) -> String {
    let prefix = id.split('-').next().unwrap_or(id);
    match prefix {
        "CVE" => "NVD".into(),
        "GHSA" => "GitHub".into(),
        _ => prefix.to_string(),
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn build(version: CdxVersion, input: &BomInput) -> Bom<'_> {
    let inv = &input.inventory;
    let root = CdxComponent {
        kind: input.root_kind.cyclonedx(),
        bom_ref: Cow::Borrowed(ROOT_REF),
        name: Cow::Borrowed(&input.name),
        version: input.version.as_deref().map(Cow::Borrowed),
        scope: None,
        hashes: Vec::new(),
        licenses: licenses(version, &input.licenses_of(ROOT_REF)).0,
        purl: None,
        external_references: Vec::new(),
        properties: Vec::new(),
        crypto_properties: None,
        evidence: None,
    };
    let mut graph: BTreeMap<&str, BTreeSet<&str>> =
        inv.components.iter().map(|c| (c.purl.as_str(), BTreeSet::new())).collect();
    for e in &inv.edges {
        if let Some(deps) = graph.get_mut(e.from.as_str()) {
            deps.insert(&e.to);
        }
    }
    let top = super::top_level(inv);
    let mut dependencies = vec![Dependency {
        reference: Cow::Borrowed(ROOT_REF),
        depends_on: top.into_iter().collect(),
        provides: Vec::new(),
    }];
    dependencies.extend(graph.into_iter().map(|(r, deps)| Dependency {
        reference: Cow::Borrowed(r),
        depends_on: deps.into_iter().collect(),
        provides: Vec::new(),
    }));
    let known: BTreeSet<&str> = inv.components.iter().map(|c| c.purl.as_str()).collect();
    let mut properties: Vec<Property> = inv
        .diagnostics
        .iter()
        .map(|d| {
            let at = match d.line {
                Some(l) => format!("{}:{l}", d.path),
                None => d.path.clone(),
            };
            Property::new("cairn:diagnostic", format!("{} {at}: {}", severity_word(d.severity), d.message))
        })
        .collect();
    properties.extend(
        input
            .coverage
            .iter()
            .flat_map(|c| c.lines())
            .map(|l| Property::new("cairn:vulnerability-coverage", l)),
    );
    // Mapped in parallel, collected in the inventory's order.
    let mut components: Vec<CdxComponent<'_>> =
        inv.components.par_iter().map(|c| component(version, c, input)).collect();
    // Crypto libraries are named on their component whatever the version; what they provide needs
    // cryptographic assets, so 1.6+ only.
    // Looked up in parallel (each parses its purl), collected in order.
    let families: Vec<(&str, &str)> = inv
        .components
        .par_iter()
        .filter_map(|c| libraries::family_of_component(c).map(|f| (c.purl.as_str(), f.id)))
        .collect();
    let families: BTreeMap<&str, &str> = families.into_iter().collect();
    for c in &mut components {
        if let Some(f) =
            families.get(&*c.bom_ref).and_then(|id| libraries::FAMILIES.iter().find(|f| f.id == *id))
        {
            c.properties.push(Property::new("cairn:crypto:library", f.name));
        }
    }
    // Cryptographic assets exist from CycloneDX 1.6 on; 1.5 documents leave them out.
    if version != CdxVersion::V1_5
        && !(input.crypto.is_empty() && input.crypto_material.is_empty() && input.crypto_protocols.is_empty())
    {
        properties
            .extend(crypto::metadata_properties(&input.crypto).into_iter().map(|(k, v)| Property::new(k, v)));
        let mut provided: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for a in crypto::crypto_assets(input, version) {
            for lib in &a.libraries {
                if let Some(f) = libraries::FAMILIES.iter().find(|f| f.id == lib) {
                    provided.entry(f.id).or_default().push(a.bom_ref.clone());
                }
            }
            dependencies.push(Dependency {
                reference: Cow::Owned(a.bom_ref.clone()),
                depends_on: Vec::new(),
                provides: Vec::new(),
            });
            let evidence = a.evidence();
            components.push(CdxComponent {
                kind: "cryptographic-asset",
                bom_ref: Cow::Owned(a.bom_ref),
                name: Cow::Owned(a.name),
                version: None,
                scope: None,
                hashes: Vec::new(),
                licenses: Vec::new(),
                purl: None,
                external_references: Vec::new(),
                properties: a.properties.into_iter().map(|(k, v)| Property::new(k, v)).collect(),
                crypto_properties: Some(a.crypto_properties),
                evidence: Some(evidence),
            });
        }
        // Every inventory package of a family provides what that family's API was seen doing.
        for d in &mut dependencies {
            if let Some(refs) = families.get(&*d.reference).and_then(|id| provided.get(id)) {
                d.provides = refs.clone();
                d.provides.sort();
                d.provides.dedup();
            }
        }
    }
    Bom {
        schema: format!("http://cyclonedx.org/schema/bom-{}.schema.json", version.as_str()),
        bom_format: "CycloneDX",
        spec_version: version.as_str(),
        serial_number: None,
        version: 1,
        metadata: Metadata {
            timestamp: input.timestamp.clone(),
            tools: Tools {
                components: vec![ToolComponent {
                    kind: "application",
                    name: "cairn",
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
            component: root,
            properties,
        },
        components,
        dependencies,
        vulnerabilities: input
            .sorted_vulnerabilities()
            .iter()
            .flat_map(|v| vulnerabilities(v, &known))
            .collect(),
    }
}

/// Renders the input as a CycloneDX JSON document (pretty, trailing newline), sealed with
/// `cairn:methodology_version` and `cairn:sha256` metadata properties.
pub fn to_cyclonedx(input: &BomInput, version: CdxVersion) -> String {
    let mut out = Vec::new();
    // Writing to a Vec fails only where `to_pretty` would (never, for this model): the same text.
    match write_sealed(input, version, &mut out).map(|()| String::from_utf8(out)) {
        Ok(Ok(text)) => text,
        _ => canonical::to_pretty(&sealed(input, version)),
    }
}

/// Components (and dependencies) rendered at once on the thread pool, then written in order:
/// bounds the memory held to one batch's text.
const RENDER_BATCH: usize = 512;

/// Writes the sealed document to `out`: the same bytes as [`canonical::write_pretty`] of it, with
/// the components and dependencies — nearly all of it — rendered in parallel. Each item is
/// rendered pretty on its own and indented to its depth (JSON strings never hold a raw newline,
/// so every line break is the formatter's), which is what the formatter writes in place.
pub(crate) fn write_sealed(
    input: &BomInput,
    version: CdxVersion,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut bom = sealed(input, version);
    let components = std::mem::take(&mut bom.components);
    let dependencies = std::mem::take(&mut bom.dependencies);
    let frame = serde_json::to_vec_pretty(&bom)?;
    const COMPONENTS: &[u8] = b"\n  \"components\": ";
    const EMPTY: &[u8] = b"[],\n  \"dependencies\": []";
    let mark = [COMPONENTS, EMPTY].concat();
    let Some(at) = frame.windows(mark.len()).position(|w| w == mark.as_slice()) else {
        // Not reached (both fields are always written, in this order); the plain way is the same.
        bom.components = components;
        bom.dependencies = dependencies;
        return canonical::write_pretty(&bom, out);
    };
    out.write_all(&frame[..at + COMPONENTS.len()])?;
    write_array(&components, out)?;
    out.write_all(b",\n  \"dependencies\": ")?;
    write_array(&dependencies, out)?;
    out.write_all(&frame[at + mark.len()..])?;
    out.write_all(b"\n")
}

/// A top-level array of the document (its items at depth 2), as the pretty formatter writes it.
fn write_array<T: Serialize + Sync>(items: &[T], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let mut first = true;
    for batch in items.chunks(RENDER_BATCH) {
        let rendered: Vec<Vec<u8>> =
            batch.par_iter().map(to_vec_at_depth_2).collect::<serde_json::Result<_>>()?;
        for text in &rendered {
            let separator: &[u8] = if first { b"\n    " } else { b",\n    " };
            out.write_all(separator)?;
            out.write_all(text)?;
            first = false;
        }
    }
    out.write_all(b"\n  ]")
}

/// An item of a top-level array pretty-printed in place: serde_json's `PrettyFormatter` (two
/// spaces a level) started two levels deep, so every line after the first is indented as the
/// whole document's formatter would indent it, without copying the text to indent it.
fn to_vec_at_depth_2<T: Serialize>(item: &T) -> serde_json::Result<Vec<u8>> {
    let mut text = Vec::with_capacity(512);
    let mut ser = serde_json::Serializer::with_formatter(&mut text, Depth2 { indent: 2, has_value: false });
    item.serialize(&mut ser)?;
    Ok(text)
}

/// `PrettyFormatter`'s output, from a starting depth.
struct Depth2 {
    indent: usize,
    has_value: bool,
}

impl Depth2 {
    fn newline<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        const SPACES: &[u8] = b"\n                                                                ";
        let n = 1 + 2 * self.indent;
        match SPACES.get(..n) {
            Some(s) => w.write_all(s),
            None => {
                w.write_all(b"\n")?;
                (0..self.indent).try_for_each(|_| w.write_all(b"  "))
            }
        }
    }

    /// `[` or `{`, one level deeper.
    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`, on its own line unless the array or object was empty.
    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.indent -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    /// Before an element or a key: the comma after the previous one, then a new line.
    fn next<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }
}

impl serde_json::ser::Formatter for Depth2 {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.next(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.next(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The sealed document's model, for [`to_cyclonedx`] and [`super::render_to`].
fn sealed(input: &BomInput, version: CdxVersion) -> Bom<'_> {
    let mut bom = build(version, input);
    // Both hashes come from the typed model's canonical form (no Value tree, no re-parsing): the
    // serial number's over the document without it, the seal's over the document with it. The
    // components and dependencies, nearly all of it, are serialized in parallel.
    let components = std::mem::take(&mut bom.components);
    let dependencies = std::mem::take(&mut bom.dependencies);
    let hashes = super::canonical_json::to_open_object(&bom)
        .ok()
        .and_then(|open| seal_hashes(&open, &components, &dependencies, input, version));
    bom.components = components;
    bom.dependencies = dependencies;
    let sha = match hashes {
        Some((serial, sha)) => {
            bom.serial_number = Some(serial);
            sha
        }
        // Not reached (the model is an object with string keys); the plain way gives the same.
        None => {
            let content = canonical::to_canonical(&bom);
            let serial = canonical::derived_uuid(&[
                b"cyclonedx",
                version.as_str().as_bytes(),
                &content,
                input.name.as_bytes(),
                input.version.as_deref().unwrap_or("").as_bytes(),
            ]);
            bom.serial_number = Some(format!("urn:uuid:{serial}"));
            canonical::sha256_hex(&canonical::to_canonical(&bom))
        }
    };
    bom.metadata.properties.push(Property::new(METHODOLOGY_KEY, METHODOLOGY_VERSION));
    bom.metadata.properties.push(Property::new(SHA256_KEY, sha));
    bom
}

/// The serial number — a UUID derived from the canonical document without it, and the project's
/// name and version — and the seal — the SHA-256 of the canonical document with it — from the
/// canonical form streamed into the hashes, never held: the components and dependencies (nearly
/// all of it) are serialized twice, in parallel batches, instead of into a buffer of the
/// document's size, which was the peak of a large scan's memory.
fn seal_hashes(
    open: &OpenObject,
    components: &[CdxComponent<'_>],
    dependencies: &[Dependency<'_>],
    input: &BomInput,
    version: CdxVersion,
) -> Option<(String, String)> {
    const SERIAL: &str = "serialNumber";
    let components = |sink: &mut dyn FnMut(&[u8])| canonical_json::write_seq(components, sink);
    let dependencies = |sink: &mut dyn FnMut(&[u8])| canonical_json::write_seq(dependencies, sink);
    let parts = [("components", Part::Stream(&components)), ("dependencies", Part::Stream(&dependencies))];
    let all = |_: At<'_>| true;
    // The document with the serial number is the same bytes as the one without up to the entry
    // before "serialNumber": the seal's hash takes that part in the pass that measures the length.
    let before_serial = |at: At<'_>| match at {
        At::Open => true,
        At::Entry(k) => k < SERIAL,
        At::Close => false,
    };
    let mut seal = Sha256::new();
    let mut len = 0usize;
    let mut entries_before = false;
    open.write_parts(&parts, &all, &mut |at, b| {
        len += b.len();
        if before_serial(at) {
            seal.update(b);
            entries_before |= at != At::Open;
        }
    })
    .ok()?;
    // With no entry before it, the entries after it would lack the comma the serial number's
    // entry puts before them (not reached: "$schema" and "bomFormat" always come first); the
    // caller's plain way covers it.
    if !entries_before {
        return None;
    }
    let mut h = Sha256::new();
    canonical::uuid_part(&mut h, b"cyclonedx");
    canonical::uuid_part(&mut h, version.as_str().as_bytes());
    h.update((len as u64).to_be_bytes());
    open.write_parts(&parts, &all, &mut |_, b| h.update(b)).ok()?;
    canonical::uuid_part(&mut h, input.name.as_bytes());
    canonical::uuid_part(&mut h, input.version.as_deref().unwrap_or("").as_bytes());
    let serial = format!("urn:uuid:{}", canonical::uuid_of(h));
    // The seal's remainder: the serial number's entry, then the entries after it and the brace
    // (none of them a streamed sequence).
    let value = serde_json::to_vec(&serial).ok()?;
    let mut entry = Vec::with_capacity(value.len() + 16);
    entry.push(b',');
    entry.extend_from_slice(b"\"serialNumber\":");
    entry.extend_from_slice(&value);
    seal.update(&entry);
    open.write_parts(&parts, &|at| !before_serial(at), &mut |_, b| seal.update(b)).ok()?;
    Some((serial, canonical::hex(&seal.finalize())))
}

/// Renders a CBOM: a CycloneDX 1.6 document with the root component, the cryptographic assets and
/// the inventory's crypto libraries with what they provide (no other packages, no licenses or
/// vulnerabilities).
pub fn to_cbom(input: &BomInput) -> String {
    let inv = &input.inventory;
    let components: Vec<_> =
        inv.components.iter().filter(|c| libraries::family_of_component(c).is_some()).cloned().collect();
    let kept: BTreeSet<&str> = components.iter().map(|c| c.purl.as_str()).collect();
    let edges = inv
        .edges
        .iter()
        .filter(|e| kept.contains(e.from.as_str()) && kept.contains(e.to.as_str()))
        .cloned()
        .collect();
    let only_crypto = BomInput {
        inventory: Inventory { components, edges, ..Inventory::default() },
        name: input.name.clone(),
        version: input.version.clone(),
        timestamp: input.timestamp.clone(),
        crypto: input.crypto.clone(),
        crypto_material: input.crypto_material.clone(),
        crypto_protocols: input.crypto_protocols.clone(),
        ..BomInput::default()
    };
    to_cyclonedx(&only_crypto, CBOM_VERSION)
}

/// The CycloneDX version [`to_cbom`] writes: its assets are [`crate::bom::crypto_assets`] at it.
pub const CBOM_VERSION: CdxVersion = CdxVersion::V1_6;

#[cfg(test)]
mod tests {
    use super::to_vec_at_depth_2;

    /// An item written at depth 2 is serde_json's pretty form with every line after the first
    /// indented two levels: the bytes the whole document's `PrettyFormatter` gives it in place.
    #[test]
    fn an_item_at_depth_2_is_the_pretty_form_indented() {
        let item = serde_json::json!({
            "name": "a\nb",
            "empty_list": [],
            "empty_object": {},
            "licenses": [{"license": {"id": "MIT"}}, {"expression": "A OR B"}],
            "nested": [[1, 2], [], [{"k": [true, null]}]],
        });
        let pretty = serde_json::to_string_pretty(&item).expect("pretty").replace('\n', "\n    ");
        let at_depth = to_vec_at_depth_2(&item).expect("written");
        assert_eq!(String::from_utf8(at_depth).expect("utf8"), pretty);
    }
}

//! SPDX 3.0.1 JSON-LD (Core, Software, Security and SimpleLicensing profiles): serde model and emitter.
//!
//! Layout: one `CreationInfo` (blank node), the `SoftwareAgent` and `Tool` Cairn, the `SpdxDocument`,
//! one `software_Sbom` whose root is the scanned project, a `software_Package` per component, a
//! `contains` relationship from the root to every component, `dependsOn` from the root to its direct
//! dependencies (lifecycle-scoped) and between components, license expressions with
//! `hasDeclaredLicense` / `hasConcludedLicense`, vulnerabilities with CVSS assessments and VEX
//! relationships, and an `Annotation` carrying the seal.

use super::canonical::{self, METHODOLOGY_VERSION};
use super::input::{BomInput, BomSeverity, LicenseKind, RatingMethod, VexJustification, VexStatus};
use crate::inventory::Scope;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
const CREATION_INFO: &str = "_:creationinfo";

/// One node of the `@graph`. Properties absent from a node's type stay `None` and are not written.
#[derive(Serialize, Default)]
struct Element {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "@id", skip_serializing_if = "Option::is_none")]
    node_id: Option<String>,
    #[serde(rename = "spdxId", skip_serializing_if = "Option::is_none")]
    spdx_id: Option<String>,
    #[serde(rename = "creationInfo", skip_serializing_if = "Option::is_none")]
    creation_info: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    // CreationInfo
    #[serde(rename = "specVersion", skip_serializing_if = "Option::is_none")]
    spec_version: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<String>,
    #[serde(rename = "createdBy", skip_serializing_if = "Vec::is_empty")]
    created_by: Vec<String>,
    #[serde(rename = "createdUsing", skip_serializing_if = "Vec::is_empty")]
    created_using: Vec<String>,
    // ElementCollection
    #[serde(rename = "profileConformance", skip_serializing_if = "Vec::is_empty")]
    profile_conformance: Vec<&'static str>,
    #[serde(rename = "rootElement", skip_serializing_if = "Vec::is_empty")]
    root_element: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    element: Vec<String>,
    #[serde(rename = "software_sbomType", skip_serializing_if = "Vec::is_empty")]
    sbom_type: Vec<&'static str>,
    // Package
    #[serde(rename = "software_packageVersion", skip_serializing_if = "Option::is_none")]
    package_version: Option<String>,
    #[serde(rename = "software_packageUrl", skip_serializing_if = "Option::is_none")]
    package_url: Option<String>,
    #[serde(rename = "software_primaryPurpose", skip_serializing_if = "Option::is_none")]
    primary_purpose: Option<&'static str>,
    #[serde(rename = "software_downloadLocation", skip_serializing_if = "Option::is_none")]
    download_location: Option<String>,
    #[serde(rename = "externalIdentifier", skip_serializing_if = "Vec::is_empty")]
    external_identifier: Vec<ExternalIdentifier>,
    #[serde(rename = "externalRef", skip_serializing_if = "Vec::is_empty")]
    external_ref: Vec<ExternalRef>,
    #[serde(rename = "verifiedUsing", skip_serializing_if = "Vec::is_empty")]
    verified_using: Vec<Hash>,
    // License expression
    #[serde(rename = "simplelicensing_licenseExpression", skip_serializing_if = "Option::is_none")]
    license_expression: Option<String>,
    // Relationship
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    to: Vec<String>,
    #[serde(rename = "relationshipType", skip_serializing_if = "Option::is_none")]
    relationship_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    // Vulnerability and assessments
    #[serde(rename = "security_publishedTime", skip_serializing_if = "Option::is_none")]
    published_time: Option<String>,
    #[serde(rename = "security_modifiedTime", skip_serializing_if = "Option::is_none")]
    modified_time: Option<String>,
    // A string: the JSON-LD context types it xsd:decimal, and a JSON number would read as a double.
    #[serde(rename = "security_score", skip_serializing_if = "Option::is_none")]
    score: Option<String>,
    #[serde(rename = "security_severity", skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    #[serde(rename = "security_vectorString", skip_serializing_if = "Option::is_none")]
    vector_string: Option<String>,
    #[serde(rename = "security_actionStatement", skip_serializing_if = "Option::is_none")]
    action_statement: Option<String>,
    #[serde(rename = "security_justificationType", skip_serializing_if = "Option::is_none")]
    justification_type: Option<&'static str>,
    #[serde(rename = "security_impactStatement", skip_serializing_if = "Option::is_none")]
    impact_statement: Option<String>,
    // Annotation
    #[serde(rename = "annotationType", skip_serializing_if = "Option::is_none")]
    annotation_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<String>,
}

impl Element {
    fn new(kind: &'static str, id: String) -> Self {
        Self { kind, spdx_id: Some(id), creation_info: Some(CREATION_INFO), ..Self::default() }
    }
}

#[derive(Serialize)]
struct ExternalIdentifier {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "externalIdentifierType")]
    identifier_type: &'static str,
    identifier: String,
}

#[derive(Serialize)]
struct ExternalRef {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "externalRefType")]
    ref_type: &'static str,
    locator: Vec<String>,
}

#[derive(Serialize)]
struct Hash {
    #[serde(rename = "type")]
    kind: &'static str,
    algorithm: &'static str,
    #[serde(rename = "hashValue")]
    hash_value: String,
}

#[derive(Serialize)]
struct Document {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: Vec<Element>,
}

fn hash_algorithm(cdx: &str) -> Option<&'static str> {
    Some(match cdx {
        "MD5" => "md5",
        "SHA-1" => "sha1",
        "SHA-256" => "sha256",
        "SHA-384" => "sha384",
        "SHA-512" => "sha512",
        "SHA3-256" => "sha3_256",
        "SHA3-384" => "sha3_384",
        "SHA3-512" => "sha3_512",
        "BLAKE2b-256" => "blake2b256",
        "BLAKE2b-384" => "blake2b384",
        "BLAKE2b-512" => "blake2b512",
        "BLAKE3" => "blake3",
        _ => return None,
    })
}

fn lifecycle(scope: Scope) -> &'static str {
    match scope {
        Scope::Required => "runtime",
        Scope::Optional => "other",
        Scope::Dev => "development",
        Scope::Test => "test",
    }
}

fn justification(j: VexJustification) -> &'static str {
    match j {
        VexJustification::ComponentNotPresent => "componentNotPresent",
        VexJustification::VulnerableCodeNotPresent => "vulnerableCodeNotPresent",
        VexJustification::VulnerableCodeNotInExecutePath => "vulnerableCodeNotInExecutePath",
        VexJustification::VulnerableCodeCannotBeControlledByAdversary => {
            "vulnerableCodeCannotBeControlledByAdversary"
        }
        VexJustification::InlineMitigationsAlreadyExist => "inlineMitigationsAlreadyExist",
    }
}

/// Turns any text into the characters SPDX ids allow, keeping it readable.
pub(crate) fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' }).collect()
}

/// Hands out unique ids: readable slugs, with a counter when two slugs collide.
#[derive(Default)]
pub(crate) struct Ids {
    used: BTreeSet<String>,
}

impl Ids {
    pub(crate) fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// The id namespace of a document: a UUID derived from the whole input, so equal inputs share it.
pub(crate) fn namespace_uuid(kind: &str, input: &BomInput) -> uuid::Uuid {
    let content = canonical::to_canonical(input);
    canonical::derived_uuid(&[
        kind.as_bytes(),
        &content,
        input.name.as_bytes(),
        input.version.as_deref().unwrap_or("").as_bytes(),
    ])
}

fn build(input: &BomInput, ns: &str) -> (Vec<Element>, String) {
    let inv = &input.inventory;
    let id = |local: &str| format!("{ns}{local}");
    let mut ids = Ids::default();
    let doc_id = id("SpdxDocument");
    let sbom_id = id("Sbom");
    let agent_id = id("Agent-cairn");
    let tool_id = id("Tool-cairn");
    let root_id = id("Package-root");
    ids.used.extend(["SpdxDocument", "Sbom", "Agent-cairn", "Tool-cairn", "Package-root"].map(String::from));

    let mut packages = Vec::new();
    let mut pkg_ids: BTreeMap<&str, String> = BTreeMap::new();
    for c in &inv.components {
        let pid = id(&ids.unique(format!("Package-{}", slug(&c.purl))));
        pkg_ids.insert(&c.purl, pid.clone());
        let mut p = Element::new("software_Package", pid);
        p.name = Some(c.name.clone());
        p.package_version = (!c.version.is_empty()).then(|| c.version.clone());
        p.package_url = Some(c.purl.clone());
        p.primary_purpose = Some(if c.local { "application" } else { "library" });
        p.external_identifier = vec![ExternalIdentifier {
            kind: "ExternalIdentifier",
            identifier_type: "packageUrl",
            identifier: c.purl.clone(),
        }];
        p.verified_using = c
            .hashes
            .iter()
            .filter(|h| h.value.bytes().all(|b| b.is_ascii_hexdigit()))
            .filter_map(|h| {
                hash_algorithm(&h.algorithm).map(|a| Hash {
                    kind: "Hash",
                    algorithm: a,
                    hash_value: h.value.to_ascii_lowercase(),
                })
            })
            .collect();
        let locations: Vec<String> = c
            .locations
            .iter()
            .map(|l| match l.line {
                Some(line) => format!("{}:{line}", l.path),
                None => l.path.clone(),
            })
            .collect();
        if !locations.is_empty() {
            p.comment = Some(format!("Declared in {}", locations.join(", ")));
        }
        packages.push(p);
    }

    let mut root = Element::new("software_Package", root_id.clone());
    root.name = Some(input.name.clone());
    root.package_version = input.version.clone();
    root.primary_purpose = Some(input.root_kind.spdx3());

    let mut rels = Vec::new();
    let rel = |ids: &mut Ids,
               kind: &'static str,
               base: String,
               from: &str,
               to: Vec<String>,
               rtype: &'static str| {
        let mut r = Element::new(kind, id(&ids.unique(base)));
        r.from = Some(from.to_string());
        r.to = to;
        r.relationship_type = Some(rtype);
        r
    };
    if !inv.components.is_empty() {
        rels.push(rel(
            &mut ids,
            "Relationship",
            "Relationship-root-contains".into(),
            &root_id,
            pkg_ids.values().cloned().collect(),
            "contains",
        ));
    }
    let top = super::top_level(inv);
    let mut by_scope: BTreeMap<Scope, Vec<String>> = BTreeMap::new();
    for c in inv.components.iter().filter(|c| top.contains(c.purl.as_str())) {
        by_scope.entry(c.scope).or_default().push(pkg_ids[c.purl.as_str()].clone());
    }
    for (scope, to) in by_scope {
        let mut r = rel(
            &mut ids,
            "LifecycleScopedRelationship",
            format!("Relationship-root-dependsOn-{}", lifecycle(scope)),
            &root_id,
            to,
            "dependsOn",
        );
        r.scope = Some(lifecycle(scope));
        rels.push(r);
    }
    let mut graph: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in &inv.edges {
        if let (Some(_), Some(to)) = (pkg_ids.get(e.from.as_str()), pkg_ids.get(e.to.as_str())) {
            graph.entry(e.from.as_str()).or_default().push(to.clone());
        }
    }
    for (from, to) in graph {
        let base = format!("Relationship-{}-dependsOn", slug(from));
        rels.push(rel(&mut ids, "Relationship", base, &pkg_ids[from], to, "dependsOn"));
    }

    // Licenses: one expression element per distinct expression.
    let mut expressions: BTreeMap<String, String> = BTreeMap::new();
    let mut license_elements = Vec::new();
    for c in &inv.components {
        for l in input.licenses_of(&c.purl) {
            let lid = match expressions.get(&l.expression) {
                Some(lid) => lid.clone(),
                None => {
                    let lid = id(&ids.unique(format!("License-{}", slug(&l.expression))));
                    let mut e = Element::new("simplelicensing_LicenseExpression", lid.clone());
                    e.license_expression = Some(l.expression.clone());
                    license_elements.push(e);
                    expressions.insert(l.expression.clone(), lid.clone());
                    lid
                }
            };
            let rtype = match l.kind {
                LicenseKind::Declared => "hasDeclaredLicense",
                LicenseKind::Concluded => "hasConcludedLicense",
            };
            let base = format!("Relationship-{}-{rtype}", slug(&c.purl));
            rels.push(rel(&mut ids, "Relationship", base, &pkg_ids[c.purl.as_str()], vec![lid], rtype));
        }
    }

    // Vulnerabilities, their CVSS assessments per affected package, and VEX statements.
    let mut vuln_elements = Vec::new();
    for v in input.sorted_vulnerabilities() {
        let affects: Vec<_> = v.affects.iter().filter(|a| pkg_ids.contains_key(a.purl.as_str())).collect();
        if affects.is_empty() {
            continue;
        }
        let vid = id(&ids.unique(format!("Vulnerability-{}", slug(&v.id))));
        let mut e = Element::new("security_Vulnerability", vid.clone());
        e.name = Some(v.id.clone());
        e.summary = v.summary.clone();
        e.description = v.details.clone();
        e.external_identifier = std::iter::once(&v.id)
            .chain(&v.aliases)
            .map(|a| ExternalIdentifier {
                kind: "ExternalIdentifier",
                identifier_type: if a.starts_with("CVE-") { "cve" } else { "securityOther" },
                identifier: a.clone(),
            })
            .collect();
        if !v.references.is_empty() {
            e.external_ref = vec![ExternalRef {
                kind: "ExternalRef",
                ref_type: "securityAdvisory",
                locator: v.references.clone(),
            }];
        }
        e.published_time = v.published.clone();
        e.modified_time = v.modified.clone();
        vuln_elements.push(e);
        for a in &affects {
            let pid = pkg_ids[a.purl.as_str()].clone();
            for r in &v.ratings {
                let kind = match r.method {
                    RatingMethod::CvssV3 | RatingMethod::CvssV31 => {
                        "security_CvssV3VulnAssessmentRelationship"
                    }
                    RatingMethod::CvssV4 => "security_CvssV4VulnAssessmentRelationship",
                    RatingMethod::Other => continue,
                };
                let (Some(score), Some(vector)) = (r.score, r.vector.clone()) else { continue };
                let base = format!("Assessment-{}-{}", slug(&v.id), slug(&a.purl));
                let mut x = rel(&mut ids, kind, base, &vid, vec![pid.clone()], "hasAssessmentFor");
                x.score = Some(score.to_string());
                // SPDX 3's scale has no "unknown"; a scored rating always has a word anyway.
                x.severity = Some(
                    match r.severity {
                        BomSeverity::Unknown => BomSeverity::None,
                        s => s,
                    }
                    .as_str(),
                );
                x.vector_string = Some(vector);
                rels.push(x);
            }
            let (kind, rtype) = match a.status {
                VexStatus::Affected => ("security_VexAffectedVulnAssessmentRelationship", "affects"),
                VexStatus::NotAffected => {
                    ("security_VexNotAffectedVulnAssessmentRelationship", "doesNotAffect")
                }
                VexStatus::Fixed => ("security_VexFixedVulnAssessmentRelationship", "fixedIn"),
                VexStatus::UnderInvestigation => {
                    ("security_VexUnderInvestigationVulnAssessmentRelationship", "underInvestigationFor")
                }
            };
            let base = format!("Vex-{}-{}", slug(&v.id), slug(&a.purl));
            let mut x = rel(&mut ids, kind, base, &vid, vec![pid], rtype);
            match a.status {
                VexStatus::Affected => {
                    x.action_statement = Some(
                        a.detail.clone().unwrap_or_else(|| super::openvex::default_action(&a.fixed_versions)),
                    );
                }
                VexStatus::NotAffected => {
                    x.justification_type = a.justification.map(justification);
                    x.impact_statement = a.detail.clone();
                }
                VexStatus::Fixed | VexStatus::UnderInvestigation => {}
            }
            rels.push(x);
        }
    }

    let mut agent = Element::new("SoftwareAgent", agent_id.clone());
    agent.name = Some("cairn".into());
    let mut tool = Element::new("Tool", tool_id.clone());
    tool.name = Some(format!("cairn {}", env!("CARGO_PKG_VERSION")));
    let creation = Element {
        kind: "CreationInfo",
        node_id: Some(CREATION_INFO.into()),
        spec_version: Some("3.0.1"),
        created: Some(input.timestamp.clone()),
        created_by: vec![agent_id.clone()],
        created_using: vec![tool_id.clone()],
        comment: diagnostics_comment(input),
        ..Element::default()
    };

    let mut content: Vec<Element> = Vec::new();
    content.push(root);
    content.extend(packages);
    content.extend(license_elements);
    content.extend(vuln_elements);
    content.extend(rels);
    let content_ids: Vec<String> = content.iter().filter_map(|e| e.spdx_id.clone()).collect();

    let mut sbom = Element::new("software_Sbom", sbom_id.clone());
    sbom.name = Some(input.name.clone());
    sbom.root_element = vec![root_id];
    sbom.element = content_ids.clone();
    sbom.sbom_type = vec!["source"];
    let mut doc = Element::new("SpdxDocument", doc_id.clone());
    doc.name = Some(input.name.clone());
    doc.profile_conformance = vec!["core", "software", "security", "simpleLicensing"];
    doc.root_element = vec![sbom_id.clone()];
    doc.element = [agent_id, tool_id, sbom_id].into_iter().chain(content_ids).collect();

    let mut graph = vec![creation, agent, tool, doc, sbom];
    graph.extend(content);
    (graph, doc_id)
}

/// Diagnostics, one per line, for a comment (SPDX has no structured place for them).
pub(crate) fn diagnostics_comment(input: &BomInput) -> Option<String> {
    let lines: Vec<String> = input
        .inventory
        .diagnostics
        .iter()
        .map(|d| match d.line {
            Some(l) => format!("{:?} {}:{l}: {}", d.severity, d.path, d.message),
            None => format!("{:?} {}: {}", d.severity, d.path, d.message),
        })
        .collect();
    (!lines.is_empty()).then(|| format!("cairn diagnostics:\n{}", lines.join("\n")))
}

/// Renders the input as an SPDX 3.0.1 JSON-LD document (pretty, trailing newline), sealed with an
/// `Annotation` whose statement records `cairn:methodology_version` and `cairn:sha256`.
pub fn to_spdx3(input: &BomInput) -> String {
    canonical::to_pretty(&sealed(input))
}

/// The sealed document's model, for [`to_spdx3`] and [`super::render_to`].
pub(crate) fn sealed(input: &BomInput) -> impl Serialize {
    let ns = format!("urn:uuid:{}#", namespace_uuid("spdx-3.0.1", input));
    let (graph, doc_id) = build(input, &ns);
    let unsealed = Document { context: CONTEXT, graph };
    let sha = canonical::sha256_hex(&canonical::to_canonical(&unsealed));
    let mut graph = unsealed.graph;
    let mut seal = Element::new("Annotation", format!("{ns}Annotation-cairn-seal"));
    seal.annotation_type = Some("other");
    seal.subject = Some(doc_id);
    seal.statement = Some(super::seal::statement(METHODOLOGY_VERSION, &sha));
    graph.push(seal);
    Document { context: CONTEXT, graph }
}

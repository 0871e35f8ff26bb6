//! SPDX 2.3 JSON: serde model and emitter. SPDX 2.3 has no vulnerability section: advisories are
//! `SECURITY` external references on the affected packages.

use super::canonical::{self, METHODOLOGY_VERSION};
use super::input::{BomInput, LicenseKind, VexStatus};
use super::spdx3::{Ids, namespace_uuid, slug};
use crate::inventory::Scope;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    document_describes: Vec<String>,
    packages: Vec<Package>,
    relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
}

/// A `LicenseRef-` used in the document, defined as SPDX 2.3 requires (clause 10).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
}

/// Definitions of the `LicenseRef-`s in `fields`: the declared texts they were made from, or the
/// files a license was found in. Cairn does not have the full license text of an unmapped
/// declaration, and says so.
fn extracted(input: &BomInput, fields: &[&str]) -> Vec<ExtractedLicense> {
    use crate::license::expression::ids;
    let mut refs: Vec<String> = fields
        .iter()
        .filter(|f| !matches!(**f, "NOASSERTION" | "NONE"))
        .flat_map(|f| ids(f))
        .filter(|i| i.starts_with("LicenseRef-"))
        .collect();
    refs.sort();
    refs.dedup();
    let all =
        input.inventory.components.iter().map(|c| &c.licenses).chain([&input.inventory.project_licenses]);
    refs.into_iter()
        .map(|id| {
            let mut texts: Vec<String> = Vec::new();
            for l in all.clone() {
                for d in l.declared.iter().filter(|d| ids(&d.expression).contains(&id)) {
                    texts.push(format!("Declared as \"{}\" in {}", d.raw, d.location.path));
                }
                for d in l.detected.iter().chain(&l.headers).filter(|d| d.id == id) {
                    texts.push(format!("Found in {}", d.path));
                }
            }
            texts.sort();
            texts.dedup();
            texts.truncate(20);
            // A known text without an SPDX id (license/known_texts.toml) is defined by its
            // distinguishing passage and where it is published, then where it was found.
            if let Some(k) = crate::license::known::by_id(&id) {
                let mut text = format!("{}\n{}\nPublished at {}", k.name, k.lines.join("\n"), k.source);
                if !texts.is_empty() {
                    text = format!("{text}\n{}", texts.join("\n"));
                }
                return ExtractedLicense { name: k.name.clone(), license_id: id, extracted_text: text };
            }
            let text = if texts.is_empty() {
                "License named by the scanned files; its text was not captured.".to_string()
            } else {
                texts.join("\n")
            };
            ExtractedLicense {
                name: id.trim_start_matches("LicenseRef-").to_string(),
                license_id: id,
                extracted_text: text,
            }
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    download_location: String,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    license_concluded: String,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_package_purpose: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Annotation {
    annotation_date: String,
    annotation_type: &'static str,
    annotator: String,
    comment: String,
}

fn checksum_algorithm(cdx: &str) -> Option<&'static str> {
    Some(match cdx {
        "MD5" => "MD5",
        "SHA-1" => "SHA1",
        "SHA-256" => "SHA256",
        "SHA-384" => "SHA384",
        "SHA-512" => "SHA512",
        "SHA3-256" => "SHA3-256",
        "SHA3-384" => "SHA3-384",
        "SHA3-512" => "SHA3-512",
        "BLAKE2b-256" => "BLAKE2b-256",
        "BLAKE2b-384" => "BLAKE2b-384",
        "BLAKE2b-512" => "BLAKE2b-512",
        "BLAKE3" => "BLAKE3",
        _ => return None,
    })
}

fn dependency_type(scope: Scope) -> &'static str {
    match scope {
        Scope::Required => "DEPENDS_ON",
        Scope::Optional => "OPTIONAL_DEPENDENCY_OF",
        Scope::Dev => "DEV_DEPENDENCY_OF",
        Scope::Test => "TEST_DEPENDENCY_OF",
    }
}

fn tool() -> String {
    format!("Tool: cairn-{}", env!("CARGO_PKG_VERSION"))
}

fn build(input: &BomInput, namespace: String) -> Document {
    let inv = &input.inventory;
    let mut ids = Ids::default();
    let root_id = ids.unique("SPDXRef-Package-root".into());
    let mut pkg_ids: BTreeMap<&str, String> = BTreeMap::new();
    for c in &inv.components {
        pkg_ids.insert(&c.purl, ids.unique(format!("SPDXRef-Package-{}", slug(&c.purl))));
    }
    let mut advisories: BTreeMap<&str, Vec<ExternalRef>> = BTreeMap::new();
    let vulns = input.sorted_vulnerabilities();
    for v in &vulns {
        for a in v
            .affects
            .iter()
            .filter(|a| matches!(a.status, VexStatus::Affected | VexStatus::UnderInvestigation))
        {
            let Some((purl, _)) = pkg_ids.get_key_value(a.purl.as_str()) else { continue };
            let locator = v
                .references
                .first()
                .cloned()
                .unwrap_or_else(|| format!("https://osv.dev/vulnerability/{}", v.id));
            advisories.entry(purl).or_default().push(ExternalRef {
                reference_category: "SECURITY",
                reference_type: "advisory",
                reference_locator: locator,
                comment: Some(match v.summary.as_deref() {
                    Some(s) => format!("{}: {s}", v.id),
                    None => v.id.clone(),
                }),
            });
        }
    }
    let mut packages = vec![Package {
        spdx_id: root_id.clone(),
        name: input.name.clone(),
        version_info: input.version.clone(),
        download_location: "NOASSERTION".into(),
        files_analyzed: false,
        checksums: Vec::new(),
        license_concluded: "NOASSERTION".into(),
        license_declared: "NOASSERTION".into(),
        copyright_text: "NOASSERTION",
        primary_package_purpose: Some(input.root_kind.spdx2()),
        comment: None,
        external_refs: Vec::new(),
    }];
    for c in &inv.components {
        let licenses = input.licenses_of(&c.purl);
        // Every declaration binds: several join with AND, as the conclusion does.
        let pick = |kind| {
            crate::license::expression::and_all(
                licenses.iter().filter(|l| l.kind == kind).map(|l| l.expression.as_str()),
            )
            .unwrap_or_else(|| "NOASSERTION".to_string())
        };
        let mut external_refs = vec![ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: c.purl.clone(),
            comment: None,
        }];
        external_refs.extend(advisories.remove(c.purl.as_str()).unwrap_or_default());
        let locations: Vec<String> = c
            .locations
            .iter()
            .map(|l| match l.line {
                Some(line) => format!("{}:{line}", l.path),
                None => l.path.clone(),
            })
            .collect();
        packages.push(Package {
            spdx_id: pkg_ids[c.purl.as_str()].clone(),
            name: c.name.clone(),
            version_info: (!c.version.is_empty()).then(|| c.version.clone()),
            download_location: match &c.source {
                crate::inventory::Source::Git { url, .. } => {
                    format!("git+{}", url.trim_start_matches("git+"))
                }
                crate::inventory::Source::Url { url } => url.clone(),
                _ => "NOASSERTION".into(),
            },
            files_analyzed: false,
            checksums: c
                .hashes
                .iter()
                .filter(|h| h.value.bytes().all(|b| b.is_ascii_hexdigit()))
                .filter_map(|h| {
                    checksum_algorithm(&h.algorithm)
                        .map(|a| Checksum { algorithm: a, checksum_value: h.value.to_ascii_lowercase() })
                })
                .collect(),
            license_concluded: pick(LicenseKind::Concluded),
            license_declared: pick(LicenseKind::Declared),
            copyright_text: "NOASSERTION",
            primary_package_purpose: Some(if c.local { "APPLICATION" } else { "LIBRARY" }),
            comment: (!locations.is_empty()).then(|| format!("Declared in {}", locations.join(", "))),
            external_refs,
        });
    }
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
        relationship_type: "DESCRIBES",
        related_spdx_element: root_id.clone(),
    }];
    let top = super::top_level(inv);
    for c in inv.components.iter().filter(|c| top.contains(c.purl.as_str())) {
        let id = pkg_ids[c.purl.as_str()].clone();
        // SPDX 2's scoped types point from the dependency to its dependent.
        relationships.push(match c.scope {
            Scope::Required => Relationship {
                spdx_element_id: root_id.clone(),
                relationship_type: "DEPENDS_ON",
                related_spdx_element: id,
            },
            s => Relationship {
                spdx_element_id: id,
                relationship_type: dependency_type(s),
                related_spdx_element: root_id.clone(),
            },
        });
    }
    for e in &inv.edges {
        if let (Some(from), Some(to)) = (pkg_ids.get(e.from.as_str()), pkg_ids.get(e.to.as_str())) {
            relationships.push(Relationship {
                spdx_element_id: from.clone(),
                relationship_type: "DEPENDS_ON",
                related_spdx_element: to.clone(),
            });
        }
    }
    let fields: Vec<&str> =
        packages.iter().flat_map(|p| [p.license_concluded.as_str(), p.license_declared.as_str()]).collect();
    let has_extracted_licensing_infos = extracted(input, &fields);
    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: input.name.clone(),
        document_namespace: namespace,
        creation_info: CreationInfo {
            created: input.timestamp.clone(),
            creators: vec![tool()],
            comment: super::spdx3::diagnostics_comment(input),
        },
        document_describes: vec![root_id],
        packages,
        relationships,
        has_extracted_licensing_infos,
        annotations: Vec::new(),
    }
}

/// Renders the input as an SPDX 2.3 JSON document (pretty, trailing newline), sealed with a
/// document annotation whose comment records `cairn:methodology_version` and `cairn:sha256`.
pub fn to_spdx2(input: &BomInput) -> String {
    canonical::to_pretty(&sealed(input))
}

/// The sealed document's model, for [`to_spdx2`] and [`super::render_to`].
pub(crate) fn sealed(input: &BomInput) -> impl Serialize {
    let namespace = format!("https://spdx.org/spdxdocs/cairn-{}", namespace_uuid("spdx-2.3", input));
    let mut doc = build(input, namespace);
    let sha = canonical::sha256_hex(&canonical::to_canonical(&doc));
    doc.annotations.push(Annotation {
        annotation_date: input.timestamp.clone(),
        annotation_type: "OTHER",
        annotator: tool(),
        comment: super::seal::statement(METHODOLOGY_VERSION, &sha),
    });
    doc
}

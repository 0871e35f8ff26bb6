//! The results as rows: components, vulnerabilities and findings, crypto assets, diagnostics
//! and warnings, built from the engine's types (never from its rendered documents); components
//! and edges a batch at a time, as the store takes them.

use std::collections::{BTreeMap, HashMap};

use cairn_engine::bom::{BomInput, CBOM_VERSION, CryptoAsset as EngineCryptoAsset, crypto_assets};
use cairn_engine::inventory::Inventory;
use cairn_engine::vuln::{Matches, WarningKind as EngineWarningKind};
use cairn_sdk::types::{CryptoAsset, ScanComponent, ScanDiagnostic, ScanWarning, WarningKind};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::{NewComponent, NewDocument, NewFinding, NewVulnerability, ScanResults};

/// The results as rows, from the documents' input (which holds the scan's inventory): the small
/// parts built here, the components and edges built a batch at a time while the store inserts
/// them (each component's row id is fixed here, so findings can name it).
pub(super) fn build_results<'a>(
    stamp: &str,
    input: &'a BomInput,
    matches: Option<&Matches>,
    snapshot_time: Option<OffsetDateTime>,
    documents: Vec<NewDocument>,
) -> ScanResults<'a> {
    let inv: &Inventory = &input.inventory;
    let mut per_purl: HashMap<&'a str, u64> = HashMap::new();
    // Each component's row id, in inventory order; by purl, the last one (findings name it).
    let row_ids: Vec<String> = inv.components.iter().map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let ids: HashMap<&str, String> =
        inv.components.iter().zip(&row_ids).map(|(c, id)| (c.purl.as_str(), id.clone())).collect();
    let modified = snapshot_time.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| stamp.to_owned());
    let (vulnerabilities, findings) = match matches {
        Some(m) => finding_rows(m, &ids, &modified),
        None => (Vec::new(), Vec::new()),
    };
    if let Some(m) = matches {
        for f in &m.findings {
            if let Some((purl, _)) = ids.get_key_value(f.purl.as_str()) {
                *per_purl.entry(*purl).or_default() += 1;
            }
        }
    }
    drop(ids);

    let crypto = crypto_assets(input, CBOM_VERSION).iter().map(crypto_row).collect();
    let diagnostics = inv
        .diagnostics
        .iter()
        .map(|d| ScanDiagnostic {
            severity: d.severity.as_str().to_owned(),
            path: (!d.path.is_empty()).then(|| d.path.clone()),
            line: d.line,
            message: d.message.clone(),
        })
        .collect();
    let warnings = matches
        .map(|m| {
            m.warnings
                .iter()
                .map(|w| ScanWarning {
                    kind: wire_warning_kind(w.kind),
                    advisory_id: w.advisory.clone(),
                    aliases: w.aliases.clone(),
                    purl: w.purl.clone(),
                    ecosystem: w.ecosystem.purl_type().to_owned(),
                    name: w.name.clone(),
                    version: w.version.clone(),
                    summary: w.summary.clone(),
                    fixed: w.fixed.clone(),
                    url: w.url.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let purls = inv.components.iter().map(|c| c.purl.as_str()).collect();
    let components = inv.components.iter().zip(row_ids).map(move |(c, id)| {
        let findings = per_purl.get(c.purl.as_str()).copied().unwrap_or(0);
        component_row(c, id, findings)
    });
    ScanResults {
        components: Box::new(components),
        purls,
        edges: Box::new(inv.edges.iter().map(|e| (e.from.clone(), e.to.clone()))),
        vulnerabilities,
        findings,
        crypto,
        diagnostics,
        warnings,
        documents,
        pqc: None,
        bom_input: None,
    }
}

/// One component's row.
fn component_row(c: &cairn_engine::Component, id: String, findings: u64) -> NewComponent {
    let declared = join_unique(c.licenses.declared.iter().map(|d| d.expression.clone()));
    let detected = join_unique(c.licenses.detected.iter().map(|d| d.id.clone()));
    NewComponent {
        component: ScanComponent {
            id,
            purl: c.purl.clone(),
            ecosystem: c.ecosystem.purl_type().to_owned(),
            name: c.name.clone(),
            version: (!c.version.is_empty()).then(|| c.version.clone()),
            scope: Some(c.scope),
            direct: c.direct == Some(true),
            local: c.local,
            license: c.licenses.concluded.as_ref().map(|l| l.expression.clone()),
            locations: c
                .locations
                .iter()
                .map(|l| match l.line {
                    Some(n) => format!("{}:{n}", l.path),
                    None => l.path.clone(),
                })
                .collect(),
            hashes: c.hashes.iter().map(|h| format!("{}:{}", h.algorithm, h.value)).collect(),
            findings,
        },
        declared,
        detected,
        // The most demanding category of the conclusion (the list is sorted least first).
        category: c.licenses.categories.last().map(|c| c.as_str().to_owned()),
    }
}

fn wire_warning_kind(k: EngineWarningKind) -> WarningKind {
    match k {
        EngineWarningKind::Unmaintained => WarningKind::Unmaintained,
        EngineWarningKind::Unsound => WarningKind::Unsound,
        EngineWarningKind::Notice => WarningKind::Notice,
        EngineWarningKind::Other => WarningKind::Other,
    }
}

/// One crypto asset as its row. `detail` keeps the CBOM component's `bom-ref`,
/// `cryptoProperties` and `properties` (null when it has none, as the document omits them).
fn crypto_row(a: &EngineCryptoAsset) -> CryptoAsset {
    let properties = if a.properties.is_empty() {
        serde_json::Value::Null
    } else {
        a.properties.iter().map(|(name, value)| serde_json::json!({"name": name, "value": value})).collect()
    };
    CryptoAsset {
        // bom-refs repeat across scans of the same tree; the row id must not.
        id: uuid::Uuid::now_v7().to_string(),
        asset_type: a.asset_type.as_str().to_owned(),
        name: a.name.clone(),
        primitive: a.primitive.map(|p| p.as_str().to_owned()),
        quantum_level: a.nist_quantum_level.map(i64::from),
        detail: serde_json::json!({
            "bom_ref": a.bom_ref,
            "cryptoProperties": a.crypto_properties,
            "properties": properties,
        }),
        locations: a.occurrences.iter().map(|o| format!("{}:{}", o.location, o.line)).collect(),
    }
}

fn join_unique(items: impl Iterator<Item = String>) -> Option<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    match v.len() {
        0 => None,
        1 => v.pop(),
        _ => Some(v.iter().map(|e| format!("({e})")).collect::<Vec<_>>().join(" AND ")),
    }
}

/// The vulnerability and finding rows of `m`, for components whose row ids `ids` has by purl
/// (scans and re-matches build them the same way). `modified` stands for an advisory's last
/// change when the data does not say.
pub(crate) fn finding_rows(
    m: &Matches,
    ids: &HashMap<&str, String>,
    modified: &str,
) -> (Vec<NewVulnerability>, Vec<NewFinding>) {
    let mut vulnerabilities: BTreeMap<String, NewVulnerability> = BTreeMap::new();
    let mut findings = Vec::new();
    for f in &m.findings {
        let Some(component_id) = ids.get(f.purl.as_str()) else { continue };
        let severity = f.severity.rating;
        let mut aliases: Vec<String> =
            f.ids.iter().chain(&f.aliases).filter(|a| **a != f.id).cloned().collect();
        aliases.sort();
        aliases.dedup();
        vulnerabilities.entry(f.id.clone()).or_insert_with(|| NewVulnerability {
            id: f.id.clone(),
            aliases,
            summary: f.summary.clone(),
            severity,
            cvss_vector: f.severity.vector.clone(),
            cvss_score: f.severity.score,
            modified_at: modified.to_owned(),
        });
        findings.push(NewFinding {
            id: uuid::Uuid::now_v7().to_string(),
            component_id: component_id.clone(),
            purl: f.purl.clone(),
            vulnerability_id: f.id.clone(),
            severity,
            fixed_version: f.nearest_fixed.clone(),
        });
    }
    (vulnerabilities.into_values().collect(), findings)
}

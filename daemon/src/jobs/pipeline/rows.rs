//! The results as rows: components, vulnerabilities and findings, crypto assets, diagnostics
//! and warnings, built from the engine's types (never from its rendered documents).

use std::collections::{BTreeMap, HashMap};

use cairn_engine::bom::{BomInput, CBOM_VERSION, CryptoAsset as EngineCryptoAsset, crypto_assets};
use cairn_engine::inventory::Inventory;
use cairn_engine::vuln::{Matches, WarningKind as EngineWarningKind};
use cairn_sdk::types::{CryptoAsset, ScanComponent, ScanDiagnostic, ScanWarning, WarningKind};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::{NewComponent, NewDocument, NewFinding, NewVulnerability, ScanResults};

/// Every row of the results, built off the async threads. `input` is what the documents were
/// rendered from: the crypto asset rows are the CBOM's assets.
pub(super) fn build_results(
    stamp: &str,
    scan: &cairn_engine::Scan,
    matches: Option<&Matches>,
    snapshot_time: Option<OffsetDateTime>,
    input: &BomInput,
    documents: Vec<NewDocument>,
) -> ScanResults {
    let inv: &Inventory = &scan.inventory;
    let mut per_purl: HashMap<&str, u64> = HashMap::new();
    if let Some(m) = matches {
        for f in &m.findings {
            *per_purl.entry(f.purl.as_str()).or_default() += 1;
        }
    }
    let mut ids: HashMap<&str, String> = HashMap::new();
    let components: Vec<NewComponent> = inv
        .components
        .iter()
        .map(|c| {
            let id = uuid::Uuid::now_v7().to_string();
            ids.insert(c.purl.as_str(), id.clone());
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
                    findings: per_purl.get(c.purl.as_str()).copied().unwrap_or(0),
                },
                declared,
                detected,
                // The most demanding category of the conclusion (the list is sorted least first).
                category: c.licenses.categories.last().map(|c| c.as_str().to_owned()),
            }
        })
        .collect();

    let modified = snapshot_time.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| stamp.to_owned());
    let (vulnerabilities, findings) = match matches {
        Some(m) => finding_rows(m, &ids, &modified),
        None => (Vec::new(), Vec::new()),
    };

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
    ScanResults {
        components,
        edges: inv.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect(),
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
            record: serde_json::to_string(f).unwrap_or_else(|_| "{}".into()),
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

//! A version's technical file: one ZIP holding the evidence a manufacturer hands a regulator —
//! SBOMs (CycloneDX 1.6, SPDX 3.0.1), VEX (OpenVEX; the CycloneDX SBOM carries CycloneDX VEX
//! analysis), the vulnerability report, the CRA checklist, the gate result, the comparison with
//! the previous released version, the audit extract, the licenses and the scan's NOTICE — with
//! `manifest.json` naming each file's SHA-256 and each missing part with the reason.
//!
//! The same data gives the same bytes: members in path order, fixed zip timestamps and
//! permissions, JSON written from typed values, and the checklist judged as of the data's own
//! time (`as_of`, the newest change in it), never the time of the export.

use std::io::{Read, Write};

use cairn_engine::bom::canonical::METHODOLOGY_VERSION;
use cairn_sdk::types::{
    AuditEntry, BomFormat, Scan, ScanComparison, ScanLicense, TECHNICAL_FILE_FORMAT, TechnicalFileEntry,
    TechnicalFileGap, TechnicalFileManifest, TechnicalFileTool, TenantId, VersionId,
};

use super::cra;
use crate::error::{ApiError, Kind};
use crate::jobs::documents::{self, DocError};
use crate::state::AppState;
use crate::store::StoreError;

/// The archive's media type.
pub const MEDIA_TYPE: &str = "application/zip";

/// Licenses read per page.
const PAGE: i64 = 1000;

/// One member before packing.
struct Member {
    path: &'static str,
    media_type: &'static str,
    description: &'static str,
    bytes: Vec<u8>,
}

/// A finished export: the archive and a file name for it.
pub struct TechnicalFile {
    /// The ZIP.
    pub bytes: Vec<u8>,
    /// `<project>-<version>-technical-file.zip`, reduced to safe characters.
    pub file_name: String,
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    let mut out =
        serde_json::to_vec_pretty(value).map_err(|e| ApiError::internal(format!("serializing: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

fn doc_error(e: DocError) -> ApiError {
    match e {
        DocError::Store(e) => e.into(),
        DocError::Render(e) => ApiError::internal(e),
    }
}

async fn document(
    state: &AppState,
    tenant: TenantId,
    scan: &Scan,
    format: BomFormat,
) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(doc) = documents::current(state, tenant, scan, format).await.map_err(doc_error)? else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(usize::try_from(doc.bytes).unwrap_or(0));
    flate2::read::GzDecoder::new(doc.compressed.as_slice())
        .read_to_end(&mut bytes)
        .map_err(|e| ApiError::internal(format!("stored document does not decompress: {e}")))?;
    Ok(Some(bytes))
}

fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `members` (already in path order) as a ZIP with fixed timestamps and permissions.
fn pack(members: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let stamp = zip::DateTime::from_date_and_time(1980, 1, 1, 0, 0, 0).map_err(|e| e.to_string())?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, bytes) in members {
        w.start_file(path.as_str(), options).map_err(|e| e.to_string())?;
        w.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}

/// License facts of every component of `scan` that has any, in inventory order.
pub(super) async fn licenses_of(
    state: &AppState,
    tenant: TenantId,
    scan: &Scan,
) -> Result<Vec<ScanLicense>, ApiError> {
    let mut licenses: Vec<ScanLicense> = Vec::new();
    let mut after = 0i64;
    loop {
        let (mut page, _) = state.store.scan_licenses(tenant, scan.id, after, PAGE).await?;
        let more = page.len() as i64 > PAGE;
        page.truncate(PAGE as usize);
        if let Some((ord, _)) = page.last() {
            after = *ord;
        }
        licenses.extend(page.into_iter().map(|(_, l)| l));
        if !more {
            break;
        }
    }
    Ok(licenses)
}

/// The comparison with the previous released version, or why there is none.
pub(super) enum Previous {
    /// Compared with that version's latest completed scan.
    Compared(Box<ScanComparison>),
    /// Nothing to compare with.
    Missing(&'static str),
}

/// The comparison of the facts' scan with the latest scan of the product's previous released
/// version (released before this one, when this one is released).
pub(super) async fn previous_comparison(
    state: &AppState,
    tenant: TenantId,
    facts: &cra::Facts,
) -> Result<Previous, ApiError> {
    let Some(scan) = facts.scan.as_ref().map(|s| &s.scan) else {
        return Ok(Previous::Missing("the version has no completed scan"));
    };
    let previous = state
        .store
        .version_previous_released(tenant, facts.project.id, facts.version.id, facts.version.released_at)
        .await?;
    let Some(prev) = previous else {
        return Ok(Previous::Missing("no earlier released version of the product"));
    };
    match state.store.scan_latest_completed_of_version(tenant, prev).await {
        Ok(from) => Ok(Previous::Compared(Box::new(
            crate::api::comparison::compare_scans(state, tenant, from, scan.clone()).await?,
        ))),
        Err(StoreError::NotFound) => {
            Ok(Previous::Missing("the previous released version has no completed scan"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Builds the technical file of `version` for `exported_by`.
pub async fn export(
    state: &AppState,
    tenant: TenantId,
    version: VersionId,
    exported_by: String,
) -> Result<TechnicalFile, ApiError> {
    // The facts first, judged later as of their own time.
    let mut facts = cra::gather(&state.store, tenant, version, crate::store::now()).await?;
    let Some(scan_facts) = facts.scan.clone() else {
        return Err(ApiError::new(Kind::NotFound, format!("version {version} has no completed scan yet")));
    };
    let scan = &scan_facts.scan;
    let mut members: Vec<Member> = Vec::new();
    let mut gaps: Vec<TechnicalFileGap> = Vec::new();
    let gap =
        |part: &str, reason: &str| TechnicalFileGap { part: part.to_owned(), reason: reason.to_owned() };

    for (format, path, media_type, description) in [
        (
            BomFormat::CycloneDx,
            "sbom/cyclonedx-1.6.json",
            "application/vnd.cyclonedx+json",
            "CycloneDX 1.6 SBOM; its vulnerabilities[].analysis is the CycloneDX VEX of the triage",
        ),
        (BomFormat::Spdx, "sbom/spdx-3.0.1.json", "application/spdx+json", "SPDX 3.0.1 SBOM (JSON-LD)"),
        (
            BomFormat::OpenVex,
            "vex/openvex.json",
            "application/json",
            "OpenVEX 0.2: the triage of every finding",
        ),
    ] {
        match document(state, tenant, scan, format).await? {
            Some(bytes) => members.push(Member { path, media_type, description, bytes }),
            None if format == BomFormat::OpenVex => gaps.push(gap(path, "the scan has no findings to state")),
            None => gaps.push(gap(path, "the scan stored no such document")),
        }
    }

    let mut findings = scan_facts.findings.clone();
    findings.sort_by(|a, b| a.finding.id.cmp(&b.finding.id));

    let licenses = licenses_of(state, tenant, scan).await?;
    members.push(Member {
        path: "licenses.json",
        media_type: "application/json",
        description: "license facts of every component that has any (declared, detected, concluded, category)",
        bytes: json(&licenses)?,
    });
    // The NOTICE the pipeline rendered from the tree (kept per scan); a scan without one says why.
    match state.store.scan_document(tenant, scan.id, documents::NOTICE_FORMAT).await {
        Ok(doc) => {
            let mut bytes = Vec::with_capacity(usize::try_from(doc.bytes).unwrap_or(0));
            flate2::read::GzDecoder::new(doc.compressed.as_slice())
                .read_to_end(&mut bytes)
                .map_err(|e| ApiError::internal(format!("stored NOTICE does not decompress: {e}")))?;
            members.push(Member {
                path: "NOTICE.txt",
                media_type: "text/plain; charset=utf-8",
                description: "the NOTICE rendered from the scanned tree: third-party components with their licenses, copyright lines and license texts",
                bytes,
            });
        }
        Err(StoreError::NotFound) => {
            gaps.push(gap("NOTICE.txt", &format!("the scan {}", documents::why_no_notice(scan))))
        }
        Err(e) => return Err(e.into()),
    }

    match state.store.gate_of_scan(tenant, scan.id).await {
        Ok(g) => members.push(Member {
            path: "gate-result.json",
            media_type: "application/json",
            description: "the policy gate evaluated over the scan",
            bytes: json(&g)?,
        }),
        Err(StoreError::NotFound) => gaps.push(gap("gate-result.json", "the scan has no stored gate result")),
        Err(e) => return Err(e.into()),
    }

    let previous_scan = match previous_comparison(state, tenant, &facts).await? {
        Previous::Compared(c) => {
            let from = c.from_scan;
            members.push(Member {
                path: "comparison.json",
                media_type: "application/json",
                description: "changes since the previous released version's latest scan",
                bytes: json(&c)?,
            });
            Some(from)
        }
        Previous::Missing(reason) => {
            gaps.push(gap("comparison.json", reason));
            None
        }
    };

    let mut objects: Vec<String> =
        vec![facts.version.id.to_string(), facts.project.id.to_string(), scan.id.to_string()];
    objects.extend(previous_scan.map(|s| s.to_string()));
    objects.extend(findings.iter().map(|f| f.finding.id.clone()));
    let audit: Vec<AuditEntry> = state.store.audit_of_objects(tenant, &objects).await?;

    // As of the newest change in the data: what makes the file differ is its content, not the
    // moment it was asked for.
    let as_of = [scan.finished_at, Some(facts.version.updated_at), Some(facts.project.updated_at)]
        .into_iter()
        .flatten()
        .chain(findings.iter().filter_map(|f| f.triage.as_ref().map(|t| t.updated_at)))
        .chain(audit.iter().map(|a| a.created_at))
        .chain(facts.kev_sources.iter().filter_map(|k| k.updated_at))
        .chain(state.store.tenant_settings(tenant).await?.updated_at)
        .max()
        .unwrap_or(scan.created_at);
    facts.now = as_of;
    let checklist = cra::judge(&facts);

    members.push(Member {
        path: "vulnerabilities.json",
        media_type: "application/json",
        description: "the vulnerability report: every open finding with its triage and known exploitation",
        bytes: json(&findings)?,
    });
    members.push(Member {
        path: "cra-status.json",
        media_type: "application/json",
        description: "the CRA checklist, judged as of `as_of`",
        bytes: json(&checklist)?,
    });
    members.push(Member {
        path: "audit.json",
        media_type: "application/json",
        description: "audit log entries about the version, its product, its scan and its findings",
        bytes: json(&audit)?,
    });

    members.sort_by(|a, b| a.path.cmp(b.path));
    gaps.sort_by(|a, b| a.part.cmp(&b.part));
    let files: Vec<TechnicalFileEntry> = members
        .iter()
        .map(|m| TechnicalFileEntry {
            path: m.path.to_owned(),
            media_type: m.media_type.to_owned(),
            bytes: m.bytes.len() as u64,
            sha256: sha256_hex(&m.bytes),
            description: m.description.to_owned(),
        })
        .collect();
    let manifest = TechnicalFileManifest {
        format: TECHNICAL_FILE_FORMAT.to_owned(),
        project_id: facts.project.id,
        project_name: facts.project.name.clone(),
        product: facts.project.product.clone(),
        version_id: facts.version.id,
        version_name: facts.version.name.clone(),
        release_state: facts.version.release_state,
        scan_id: scan.id,
        as_of,
        exported_by,
        tool: TechnicalFileTool {
            name: "cairn".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            methodology: METHODOLOGY_VERSION.into(),
        },
        vulnerability_data: scan.vulndb.clone(),
        kev_sources: checklist
            .items
            .iter()
            .flat_map(|i| i.evidence.kev_sources.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        files,
        not_included: gaps,
    };
    let mut packed: Vec<(String, Vec<u8>)> = vec![("manifest.json".to_owned(), json(&manifest)?)];
    packed.extend(members.into_iter().map(|m| (m.path.to_owned(), m.bytes)));
    packed.sort_by(|a, b| a.0.cmp(&b.0));
    let bytes = tokio::task::spawn_blocking(move || pack(&packed))
        .await
        .map_err(|e| ApiError::internal(format!("packing stopped unexpectedly: {e}")))?
        .map_err(|e| ApiError::internal(format!("packing the technical file: {e}")))?;
    let file_name =
        format!("{}-{}-technical-file.zip", safe_name(&facts.project.name), safe_name(&facts.version.name));
    Ok(TechnicalFile { bytes, file_name })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_the_same_members_twice_gives_the_same_bytes() {
        let members =
            vec![("a.json".to_owned(), b"{}\n".to_vec()), ("b/c.json".to_owned(), b"[1]\n".to_vec())];
        let one = pack(&members).expect("zip");
        let two = pack(&members).expect("zip");
        assert_eq!(one, two);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(one)).expect("read back");
        let mut text = String::new();
        z.by_name("b/c.json").expect("member").read_to_string(&mut text).expect("read");
        assert_eq!(text, "[1]\n");
    }
}

//! A scan's documents and triage: the engine's `BomInput` with the triage applied (VEX status,
//! justification, impact statement), each document rendered from it, and the fingerprint of the
//! triage a document was rendered with, so a download after a triage change renders it again.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::str::FromStr;

use cairn_engine::bom::{
    BomError, BomInput, Format, VexJustification, VexResponse, VexStatus, render, to_cbom,
};
use cairn_sdk::types::{BomFormat, Justification, Scan, TenantId, Triage, TriageResponse, TriageState};
use sha2::{Digest, Sha256};

use crate::state::AppState;
use crate::store::{NewDocument, StoreError, StoredDocument};

/// Triage by (advisory id, purl), sorted.
pub type TriageList = Vec<((String, String), Triage)>;

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Rendering, compressing or decoding failed.
    #[error("{0}")]
    Render(String),
}

/// The fingerprint of a triage list: empty when there is none (what documents rendered before any
/// triage carry), else the SHA-256 of every row's key, version and change time.
pub fn stamp(triage: &TriageList) -> String {
    if triage.is_empty() {
        return String::new();
    }
    let mut h = Sha256::new();
    for ((vuln, purl), t) in triage {
        h.update(format!("{vuln}\t{purl}\t{}\t{}\n", t.version, t.updated_at.unix_timestamp_nanos()));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn justification(j: Justification) -> VexJustification {
    match j {
        Justification::ComponentNotPresent => VexJustification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent => VexJustification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath => VexJustification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary => {
            VexJustification::VulnerableCodeCannotBeControlledByAdversary
        }
        Justification::InlineMitigationsAlreadyExist => VexJustification::InlineMitigationsAlreadyExist,
    }
}

fn response(r: TriageResponse) -> VexResponse {
    match r {
        TriageResponse::CanNotFix => VexResponse::CanNotFix,
        TriageResponse::WillNotFix => VexResponse::WillNotFix,
        TriageResponse::Update => VexResponse::Update,
        TriageResponse::Rollback => VexResponse::Rollback,
        TriageResponse::WorkaroundAvailable => VexResponse::WorkaroundAvailable,
    }
}

/// Sets each affected component's VEX status from its triage. `false_positive` is `not_affected`
/// in VEX terms; the note becomes the impact or action statement, the response CycloneDX's.
pub fn apply(input: &mut BomInput, triage: &TriageList) {
    let by_key: HashMap<(&str, &str), &Triage> =
        triage.iter().map(|((v, p), t)| ((v.as_str(), p.as_str()), t)).collect();
    for v in &mut input.vulnerabilities {
        for a in &mut v.affects {
            let Some(t) = by_key.get(&(v.id.as_str(), a.purl.as_str())) else { continue };
            a.status = match t.state {
                TriageState::InTriage => VexStatus::UnderInvestigation,
                TriageState::Affected => VexStatus::Affected,
                TriageState::NotAffected | TriageState::FalsePositive => VexStatus::NotAffected,
                TriageState::Fixed => VexStatus::Fixed,
            };
            a.justification = t.justification.map(justification);
            a.detail = t.note.clone();
            a.response = t.response.map(response);
        }
    }
}

/// Renders one document; `None` for OpenVEX without findings (nothing to state).
pub fn render_document(
    format: BomFormat,
    input: &BomInput,
    stamp: &str,
) -> Result<Option<NewDocument>, String> {
    let text = if format == BomFormat::Cbom {
        to_cbom(input)
    } else {
        let f = Format::from_str(format.as_str())?;
        match render(f, input) {
            Ok(t) => t,
            Err(BomError::NothingToState) => return Ok(None),
            Err(e) => return Err(format!("rendering {}: {e}", format.as_str())),
        }
    };
    Ok(Some(document(format, &text, stamp)?))
}

/// Compressed (gzip) with the SHA-256 of the exact bytes served.
pub fn document(format: BomFormat, text: &str, stamp: &str) -> Result<NewDocument, String> {
    Ok(NewDocument {
        format: format.as_str().to_owned(),
        media_type: format.media_type().to_owned(),
        sha256: Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect(),
        bytes: i64::try_from(text.len()).unwrap_or(i64::MAX),
        compressed: gzip(text.as_bytes()).map_err(|e| format!("compressing {}: {e}", format.as_str()))?,
        triage_stamp: stamp.to_owned(),
    })
}

/// The `scan_documents` format the NOTICE is kept under (not a `BomFormat`: it is served by
/// `/projects/{id}/notice`, never by the document download).
pub const NOTICE_FORMAT: &str = "notice";

/// The NOTICE as a stored document (it does not depend on triage: no stamp).
/// Why a completed scan has no stored NOTICE (the project's NOTICE route and the technical file
/// say it alike).
pub fn why_no_notice(scan: &cairn_sdk::types::Scan) -> &'static str {
    if scan.source.kind() == cairn_sdk::types::SourceKind::Sbom {
        "was read from an SBOM, which carries no license files to render a NOTICE from"
    } else {
        "completed before NOTICE files were kept with a scan's documents (not available for scans from before this change); scan again"
    }
}

/// The NOTICE text as a scan document.
pub fn notice(text: &str) -> Result<NewDocument, String> {
    Ok(NewDocument {
        format: NOTICE_FORMAT.to_owned(),
        media_type: "text/plain; charset=utf-8".to_owned(),
        sha256: Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect(),
        bytes: i64::try_from(text.len()).unwrap_or(i64::MAX),
        compressed: gzip(text.as_bytes()).map_err(|e| format!("compressing the NOTICE: {e}"))?,
        triage_stamp: String::new(),
    })
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)?;
    enc.finish()
}

/// The input as stored beside the documents (gzipped JSON).
pub fn pack(input: &BomInput) -> Result<Vec<u8>, String> {
    // Written through the compressor: the whole JSON text is never held.
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, enc);
    serde_json::to_writer(&mut out, input).map_err(|e| format!("encoding the document input: {e}"))?;
    let enc = out.into_inner().map_err(|e| format!("compressing the document input: {}", e.error()))?;
    enc.finish().map_err(|e| format!("compressing the document input: {e}"))
}

/// The stored input read back.
pub fn unpack(compressed: &[u8]) -> Result<BomInput, String> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(compressed)
        .read_to_end(&mut json)
        .map_err(|e| format!("stored document input does not decompress: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| format!("stored document input does not parse: {e}"))
}

/// The scan's document in `format` as the current triage says: the stored one while its triage
/// fingerprint is current, else rendered again from the stored input (and stored). `None` when
/// there is no such document (OpenVEX of a scan without findings). Scans completed before inputs
/// were kept serve what they stored.
pub async fn current(
    state: &AppState,
    tenant: TenantId,
    scan: &Scan,
    format: BomFormat,
) -> Result<Option<StoredDocument>, DocError> {
    let triage = state.store.triage_for_subject(tenant, scan.project_id, scan.id).await?;
    let want = stamp(&triage);
    let stored = match state.store.scan_document(tenant, scan.id, format.as_str()).await {
        Ok(d) => Some(d),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    match &stored {
        Some(d) if d.triage_stamp == want => return Ok(stored),
        // Nothing rendered at completion and no triage since: still nothing to state.
        None if want.is_empty() => return Ok(None),
        _ => {}
    }
    let Some(packed) = state.store.scan_bom_input(tenant, scan.id).await? else { return Ok(stored) };
    let rendered = tokio::task::spawn_blocking(move || {
        let mut input = unpack(&packed)?;
        apply(&mut input, &triage);
        render_document(format, &input, &want)
    })
    .await
    .map_err(|e| DocError::Render(format!("rendering stopped unexpectedly: {e}")))?
    .map_err(DocError::Render)?;
    let Some(doc) = rendered else { return Ok(None) };
    state.store.scan_document_put(tenant, scan.id, &doc).await?;
    Ok(Some(StoredDocument {
        media_type: doc.media_type,
        sha256: doc.sha256,
        bytes: doc.bytes,
        compressed: doc.compressed,
        triage_stamp: doc.triage_stamp,
    }))
}

/// The scan's stored engine input with the current triage applied (what its documents state
/// now); `None` for scans completed before inputs were kept.
pub async fn triaged_input(
    state: &AppState,
    tenant: TenantId,
    scan: &Scan,
) -> Result<Option<BomInput>, DocError> {
    let Some(packed) = state.store.scan_bom_input(tenant, scan.id).await? else { return Ok(None) };
    let triage = state.store.triage_for_subject(tenant, scan.project_id, scan.id).await?;
    let input = tokio::task::spawn_blocking(move || {
        let mut input = unpack(&packed)?;
        apply(&mut input, &triage);
        Ok::<_, String>(input)
    })
    .await
    .map_err(|e| DocError::Render(format!("reading the stored input stopped unexpectedly: {e}")))?
    .map_err(DocError::Render)?;
    Ok(Some(input))
}

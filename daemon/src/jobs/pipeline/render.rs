//! Rendering: every document once, from one `BomInput` with the triage given earlier applied,
//! one event per format (big trees take a while).

use std::str::FromStr;
use std::sync::Arc;

use cairn_engine::bom::{BomInput, Format, render as render_format, to_cbom};
use cairn_engine::vuln::Matches;
use cairn_sdk::types::{BomFormat, ScanStatus};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Job, Stop, check};
use crate::jobs::documents;
use crate::jobs::progress::Reporter;
use crate::state::AppState;
use crate::store::{ClaimedJob, NewDocument};

/// The documents and what they were rendered from.
pub(super) struct Rendered {
    /// The input every document was rendered from (the crypto asset rows come from it too).
    pub input: Arc<BomInput>,
    /// The input, packed for storage (downloads re-render from it when triage changes).
    pub packed: Vec<u8>,
    pub documents: Vec<NewDocument>,
    /// The documents' timestamp.
    pub stamp: String,
}

/// Renders every format, reporting `evaluating` per document. The engine's scan moves into the
/// documents' input (which the rows and the gate read too): the inventory is not copied.
pub(super) async fn render(
    ctx: &Job<'_>,
    name: String,
    engine_scan: cairn_engine::Scan,
    matches: Option<&Matches>,
    reporter: &mut Reporter,
) -> Result<Rendered, Stop> {
    let Job { state, job, scan, cancel } = *ctx;
    let stamp = document_timestamp();
    // Triage given earlier (a project's, surviving re-scans) is stated in the documents.
    let triage = state.store.triage_for_subject(job.tenant, scan.project_id, job.scan).await?;
    let triage_stamp = documents::stamp(&triage);
    let mut input = into_input(name, stamp.clone(), engine_scan, matches);
    if let cairn_sdk::types::ScanSource::Image { .. } = scan.source {
        // As `cairn scan IMAGE --offline` writes it: CycloneDX `container`, SPDX `CONTAINER`.
        input.root_kind = cairn_engine::bom::RootKind::Container;
    }
    documents::apply(&mut input, &triage);
    let packed = documents::pack(&input).map_err(Stop::Failed)?;
    let input = Arc::new(input);
    let mut rendered = Vec::new();
    for (i, format) in BomFormat::ALL.into_iter().enumerate() {
        check(cancel)?;
        let pct = 90 + u8::try_from(i * 5 / BomFormat::ALL.len()).unwrap_or(0);
        reporter
            .state(
                ScanStatus::Evaluating,
                Some("documents"),
                pct,
                Some(format!("rendering {}", format.as_str())),
            )
            .await?;
        let input = input.clone();
        let triage_stamp = triage_stamp.clone();
        let doc = tokio::task::spawn_blocking(move || render_document(format, &input, &triage_stamp))
            .await
            .map_err(|e| Stop::Failed(format!("rendering stopped unexpectedly: {e}")))??;
        rendered.extend(doc);
    }
    Ok(Rendered { input, packed, documents: rendered, stamp })
}

/// What `BomInput::from_scan` builds, with the scan's parts moved in rather than cloned.
fn into_input(name: String, stamp: String, scan: cairn_engine::Scan, matches: Option<&Matches>) -> BomInput {
    let cairn_engine::Scan { inventory, crypto, crypto_material, crypto_protocols, .. } = scan;
    let mut input = BomInput::new(name, None, stamp, inventory).with_inventory_licenses();
    if let Some(m) = matches {
        input = input.with_findings(m);
    }
    input.crypto = crypto;
    input.crypto_material = crypto_material;
    input.crypto_protocols = crypto_protocols;
    input
}

/// UTC seconds, the form every document format accepts.
fn document_timestamp() -> String {
    let t = OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The root component's name: an image's reference as given (with its tag: image scans land in
/// their repository's catalogue project, whose name alone would not say which image), else the
/// project's, else the scanned source's last part.
pub(super) async fn project_name(
    state: &AppState,
    job: &ClaimedJob,
    scan: &cairn_sdk::types::Scan,
) -> String {
    if let cairn_sdk::types::ScanSource::Image { reference, .. } = &scan.source {
        return reference.clone();
    }
    if let Some(p) = scan.project_id
        && let Ok(project) = state.store.project_get(job.tenant, p).await
    {
        return project.name;
    }
    let raw = match &scan.source {
        cairn_sdk::types::ScanSource::Git { url, .. } => url.clone(),
        cairn_sdk::types::ScanSource::Path { path } => path.clone(),
        cairn_sdk::types::ScanSource::Image { reference, .. } => return reference.clone(),
        cairn_sdk::types::ScanSource::Upload { filename, .. }
        | cairn_sdk::types::ScanSource::Sbom { filename, .. } => filename.clone(),
    };
    raw.trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("scan")
        .to_owned()
}

/// One document; `None` for OpenVEX without findings (nothing to state, so that format is
/// simply absent).
fn render_document(
    format: BomFormat,
    input: &BomInput,
    triage_stamp: &str,
) -> Result<Option<NewDocument>, Stop> {
    let text = if format == BomFormat::Cbom {
        to_cbom(input)
    } else {
        let f = Format::from_str(format.as_str()).map_err(Stop::Failed)?;
        match render_format(f, input) {
            Ok(t) => t,
            Err(cairn_engine::bom::BomError::NothingToState) => return Ok(None),
            Err(e) => return Err(Stop::Failed(format!("rendering {}: {e}", format.as_str()))),
        }
    };
    Ok(Some(documents::document(format, &text, triage_stamp).map_err(Stop::Failed)?))
}

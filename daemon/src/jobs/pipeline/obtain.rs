//! Fetching: the job's source obtained as a tree in a work directory, or an SBOM's inventory.

use cairn_engine::bom::read::DocumentKind;
use cairn_sdk::types::{ScanSource, ScanStatus};

use super::{Job, Stop, cancelled, check};
use crate::jobs::progress::Reporter;
use crate::jobs::queue::{JobPayload, JobSource, tenant_source_policy};
use crate::jobs::{git_credential, registry_credential};
use crate::sources::{self, Obtained};

/// Obtains the source, reporting `fetching`; a cancel stops it at once.
pub(super) async fn obtain(
    ctx: &Job<'_>,
    payload: &JobPayload,
    reporter: &mut Reporter,
) -> Result<Obtained, Stop> {
    let Job { state, job, scan, cancel } = *ctx;
    let attempt = if job.attempts > 1 { format!(" (attempt {})", job.attempts) } else { String::new() };
    reporter
        .state(
            ScanStatus::Fetching,
            Some("obtaining"),
            2,
            Some(format!("obtaining the {} source{attempt}", scan.source.kind())),
        )
        .await?;
    check(cancel)?;
    // Obtaining is cancelled by dropping it (the clone or extraction is killed, its work
    // directory removed), so a cancel does not wait for a long clone to finish.
    let policy = tenant_source_policy(state, job.tenant);
    let spooled =
        crate::jobs::spool::spool(state, job, &payload.source, &policy).await.map_err(Stop::Failed)?;
    let credential = match &payload.source {
        JobSource::Git { url, .. } => {
            git_credential::for_clone(state, job.tenant, url).await.map_err(Stop::Failed)?
        }
        _ => None,
    };
    let spec = payload.source.spec(&spooled.file);
    let obtaining = async {
        match &spec {
            // An image is pulled with the tenant's credential for its registry, if it has one.
            sources::SourceSpec::Image { reference, platform } => {
                let login = registry_credential::for_pull(state, job.tenant, reference)
                    .await
                    .map_err(Stop::Failed)?;
                sources::image::pull_with(reference, platform.as_ref(), &policy, login)
                    .await
                    .map_err(|e| Stop::Failed(e.to_string()))
            }
            _ => sources::obtain_with(&spec, &policy, credential.as_ref())
                .await
                .map_err(|e| Stop::Failed(e.to_string())),
        }
    };
    let obtained = tokio::select! {
        r = obtaining => r?,
        _ = cancelled(cancel) => return Err(Stop::Cancelled),
    };
    // Extracted or read: a copy written for this run is not needed any more (the row, and a kept
    // file, stay until the end).
    drop(spooled);
    if let (Obtained::Sbom(read), ScanSource::Sbom { filename, format: None }) = (&obtained, &scan.source) {
        // Only reading the document tells its format; the request recorded none.
        let source = ScanSource::Sbom { filename: filename.clone(), format: Some(format_name(&read.kind)) };
        state.store.scan_set_source(job.tenant, job.scan, &source).await?;
    }
    if let Obtained::Image { digest, resolved, .. } = &obtained {
        // The catalogue's tag → digest history: what this pull found under the reference.
        state.store.scan_set_image(job.tenant, job.scan, resolved, digest).await?;
    }
    check(cancel)?;
    Ok(obtained)
}

/// The format name recorded on the scan: `cyclonedx-1.6`, `spdx-2.3`, `spdx-3.0.1`.
fn format_name(kind: &DocumentKind) -> String {
    match kind {
        DocumentKind::CycloneDxJson(v) | DocumentKind::CycloneDxXml(v) => format!("cyclonedx-{v}"),
        DocumentKind::Spdx2Json(v) | DocumentKind::Spdx2Tag(v) => {
            let v = v.trim();
            let v = v.strip_prefix("SPDX-").unwrap_or(v);
            format!("spdx-{v}")
        }
        DocumentKind::Spdx3 => "spdx-3.0.1".to_owned(),
    }
}

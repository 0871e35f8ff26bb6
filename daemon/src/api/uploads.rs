//! `/scans/upload` and `/sboms/ingest`: multipart uploads of an archive or an SBOM document. The
//! file is streamed to disk under the `[scans] upload_max_bytes` cap and checked cheaply (an
//! archive's kind, a document's first bytes); the scan and its job are stored with the upload:
//! the file's path (`[uploads] store = "files"`, the file stays where it was written) or its
//! bytes (`"database"`, for replicas that share no directory). Documents are read by the job.

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Extension, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use cairn_sdk::types::{ProjectId, Role, ScanSource, Scope, VersionId};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::conventions::{with_etag, with_location};
use super::idempotency::{self, Begin, PendingKey};
use crate::auth::{Principal, TenantContext};
use crate::error::{ApiError, Kind};
use crate::jobs::queue::{JobPayload, JobSource, enqueue, source_policy};
use crate::sources::{archive, workdir};
use crate::state::AppState;
use crate::store::{NewScan, NewUpload, StoreError, UploadContent};
use crate::uploads::UploadPlace;
use crate::uploads::files::IncomingFile;
use crate::uploads::sniff::{HEAD_BYTES, sniff};

/// Room for the multipart framing and the small fields beside the file, over the file's cap.
pub const FRAMING_BYTES: u64 = 64 * 1024;
/// The longest text field (ids, `auto_scan`).
const MAX_TEXT_FIELD: usize = 1024;

/// The multipart form of `/scans/upload` (documentation only; the handler streams the parts).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The archive: tar, tar.gz or zip (told apart by their bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The project the scan belongs to.
    project: Option<ProjectId>,
    /// The project version the scan belongs to (`version_id` is accepted too).
    version: Option<VersionId>,
}

/// The multipart form of `/sboms/ingest` (documentation only).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct IngestForm {
    /// A CycloneDX (JSON, XML) or SPDX (2.x JSON or tag-value, 3.0.1) document.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The project the scan belongs to.
    project: Option<ProjectId>,
    /// The project version the document describes (`version` is accepted too); the scan joins
    /// its project.
    version_id: Option<VersionId>,
    /// Must be true or absent: the document is matched at once (storing without matching is not
    /// offered).
    auto_scan: Option<bool>,
}

/// What keeps the uploaded file until the scan is stored (and removes it if it is not).
enum Held {
    /// In the uploads directory, where it stays once the scan is stored (`files`).
    Incoming(IncomingFile),
    /// In a work directory, until its bytes are stored in the row (`database`).
    Temp {
        /// Removed on drop.
        _dir: tempfile::TempDir,
    },
}

/// The uploaded file, on disk.
struct Spooled {
    held: Held,
    path: PathBuf,
    filename: String,
    media_type: String,
    bytes: u64,
    sha256: String,
}

/// A parsed form: the file and the text fields by name.
struct Form {
    file: Spooled,
    fields: BTreeMap<String, String>,
}

impl Form {
    /// The request's fingerprint for `Idempotency-Key`: path, fields and the file's digest, so a
    /// retry with a new multipart boundary is the same request.
    fn fingerprint(&self, path: &str) -> String {
        let mut h = Sha256::new();
        h.update(b"POST ");
        h.update(path.as_bytes());
        for (k, v) in &self.fields {
            h.update(format!("\n{k}={v}").as_bytes());
        }
        h.update(format!("\nfile={}\n{}", self.file.filename, self.file.sha256).as_bytes());
        hex(&h.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn too_large(cap: u64) -> ApiError {
    ApiError::new(
        Kind::PayloadTooLarge,
        format!("the upload exceeds the {cap}-byte limit (`[scans] upload_max_bytes`)"),
    )
}

fn multipart_error(e: axum::extract::multipart::MultipartError, cap: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(cap)
    } else {
        ApiError::field("body", format!("unreadable multipart body: {}", e.body_text()))
    }
}

/// Only the last path part of the client's name, without control characters, at most 255 bytes.
fn clean_filename(raw: Option<&str>) -> String {
    let last = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = last.chars().filter(|c| !c.is_control()).collect();
    while name.len() > 255 {
        name.pop();
    }
    if name.is_empty() || name == "." || name == ".." { "upload".to_owned() } else { name }
}

/// Reads the form: `file` streamed to disk under `cap`, the `allowed` text fields kept.
async fn read_form(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
    allowed: &[&str],
    cap: u64,
) -> Result<Form, ApiError> {
    let mut mp = multipart.map_err(|e| ApiError::field("body", e.body_text()))?;
    let mut file: Option<Spooled> = None;
    let mut fields = BTreeMap::new();
    let mut parts = 0;
    loop {
        let next = mp.next_field().await;
        let mut field = match next {
            Ok(Some(f)) => f,
            Ok(None) => break,
            // A form without a single part (no file) reads as an incomplete stream.
            Err(e) if parts == 0 && e.status() != StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::field(
                    "body.file",
                    format!("required: the file to scan (the multipart body: {})", e.body_text()),
                ));
            }
            Err(e) => return Err(multipart_error(e, cap)),
        };
        parts += 1;
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::field("body.file", "send one file"));
            }
            let (held, path, mut out) = match upload_place(state)? {
                UploadPlace::Files(dir) => {
                    let (incoming, out) = IncomingFile::create(&dir).await.map_err(ApiError::internal)?;
                    let path = incoming.path().to_path_buf();
                    (Held::Incoming(incoming), path, out)
                }
                UploadPlace::Database => {
                    let dir = workdir::create(&source_policy(state).work_dir).map_err(ApiError::internal)?;
                    let path = dir.path().join("upload");
                    let out = tokio::fs::File::create(&path).await.map_err(ApiError::internal)?;
                    (Held::Temp { _dir: dir }, path, out)
                }
            };
            let mut hasher = Sha256::new();
            let mut bytes = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, cap))? {
                bytes += chunk.len() as u64;
                if bytes > cap {
                    return Err(too_large(cap));
                }
                hasher.update(&chunk);
                out.write_all(&chunk).await.map_err(ApiError::internal)?;
            }
            out.flush().await.map_err(ApiError::internal)?;
            let media_type = field
                .content_type()
                .filter(|m| m.len() <= 255)
                .unwrap_or("application/octet-stream")
                .to_owned();
            file = Some(Spooled {
                filename: clean_filename(field.file_name()),
                media_type,
                held,
                path,
                bytes,
                sha256: hex(&hasher.finalize()),
            });
        } else if allowed.contains(&name.as_str()) {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, cap))? {
                text.extend_from_slice(&chunk);
                if text.len() > MAX_TEXT_FIELD {
                    return Err(ApiError::field(format!("body.{name}"), "too long"));
                }
            }
            let text = String::from_utf8(text)
                .map_err(|_| ApiError::field(format!("body.{name}"), "must be UTF-8 text"))?;
            if fields.insert(name.clone(), text.trim().to_owned()).is_some() {
                return Err(ApiError::field(format!("body.{name}"), "sent twice"));
            }
        } else {
            let shown: String = name.chars().take(64).collect();
            return Err(ApiError::field(
                format!("body.{shown}"),
                format!("unknown field; expected file, {}", allowed.join(", ")),
            ));
        }
    }
    let file = file.ok_or_else(|| ApiError::field("body.file", "required: the file to scan"))?;
    if file.bytes == 0 {
        return Err(ApiError::field("body.file", "is empty"));
    }
    Ok(Form { file, fields })
}

/// The project and version the form names, checked in the caller's tenant; a version alone
/// brings its project.
async fn links(
    state: &AppState,
    ctx: TenantContext,
    form: &Form,
) -> Result<(Option<ProjectId>, Option<VersionId>), ApiError> {
    let project = match form.fields.get("project").filter(|p| !p.is_empty()) {
        Some(p) => {
            let id: ProjectId =
                p.parse().map_err(|_| ApiError::field("body.project", "must be a project id"))?;
            if let Err(StoreError::NotFound) = state.store.project_get(ctx.tenant, id).await {
                return Err(ApiError::field("body.project", "no such project in this tenant"));
            }
            Some(id)
        }
        None => None,
    };
    let (field, raw) = match (form.fields.get("version"), form.fields.get("version_id")) {
        (Some(_), Some(_)) => return Err(ApiError::field("body.version_id", "send version or version_id")),
        (Some(v), None) => ("body.version", v),
        (None, Some(v)) => ("body.version_id", v),
        (None, None) => return Ok((project, None)),
    };
    if raw.is_empty() {
        return Ok((project, None));
    }
    let id: VersionId = raw.parse().map_err(|_| ApiError::field(field, "must be a version id"))?;
    let version = match state.store.version_get(ctx.tenant, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound) => return Err(ApiError::field(field, "no such version in this tenant")),
        Err(e) => return Err(e.into()),
    };
    if project.is_some_and(|p| p != version.project_id) {
        return Err(ApiError::field(field, "belongs to another project"));
    }
    Ok((Some(version.project_id), Some(id)))
}

/// Where uploads go, as configured (checked at start, so an error here is the daemon's).
fn upload_place(state: &AppState) -> Result<UploadPlace, ApiError> {
    state
        .config
        .uploads
        .place(&state.config.database_url, state.config.sources.durable_work_dir().as_deref())
        .map_err(ApiError::internal)
}

/// Queues the scan with its stored file, under the request's `Idempotency-Key` when it has one.
async fn queue(
    state: &AppState,
    ctx: TenantContext,
    pending: Option<PendingKey>,
    form: Form,
    new: NewScan,
    source: JobSource,
) -> Result<Response, ApiError> {
    let claimed = match pending {
        Some(p) => {
            let hash = form.fingerprint(p.path());
            match idempotency::begin(state, p, hash).await? {
                Begin::Replay(resp) => return Ok(resp),
                Begin::Run(c) => Some(c),
            }
        }
        None => None,
    };
    let result = async {
        let file = form.file;
        let content = match &file.held {
            Held::Incoming(_) => UploadContent::File(file.path.display().to_string()),
            Held::Temp { .. } => {
                UploadContent::Bytes(tokio::fs::read(&file.path).await.map_err(ApiError::internal)?)
            }
        };
        let upload = NewUpload {
            filename: file.filename.clone(),
            media_type: file.media_type.clone(),
            sha256: file.sha256.clone(),
            bytes: file.bytes,
            content,
        };
        let payload = JobPayload { source, crypto: new.crypto };
        let scan = enqueue(state, ctx.tenant, &new, &payload, Some(&upload)).await?;
        // Stored: the row references the file now (a refused request's file goes on drop).
        if let Held::Incoming(incoming) = file.held {
            incoming.keep();
        }
        let resp = with_etag(StatusCode::ACCEPTED, scan.version, &scan);
        Ok(with_location(resp, &format!("/api/v1/scans/{}", scan.id)))
    }
    .await;
    match claimed {
        Some(c) => Ok(idempotency::finish(state, c, result).await),
        None => result,
    }
}

/// Queues a scan of an uploaded archive.
#[utoipa::path(post, operation_id = "scans_upload", path = "/scans/upload", tag = "scans", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data",
        description = "`file` (tar, tar.gz or zip; at most `[scans] upload_max_bytes`), optional `project`, `version`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 202, description = "Queued; follow it on /ws/scans/{id} or poll Location", body = cairn_sdk::types::Scan),
        (status = 400, description = "Missing or unknown field, not an archive, unknown project or version", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than `[scans] upload_max_bytes`", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited, or a tenant quota reached (QUOTA_EXCEEDED naming `quotas.queued_scans`, `quotas.concurrent_uploads` or `quotas.uploads_per_hour`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn upload(
    State(state): State<AppState>,
    principal: Principal,
    pending: Option<Extension<PendingKey>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::ScanWrite, Role::Member)?;
    let _slot = state.limits.admit_upload(&state, ctx.tenant).await?;
    let cap = state.config.scans.upload_max_bytes;
    let form = read_form(&state, multipart, &["project", "version", "version_id"], cap).await?;
    let (project, version) = links(&state, ctx, &form).await?;
    // The kind is checked now, so a file that is no archive is this request's 400.
    let kind = archive::detect_file(&form.file.path, &form.file.filename).map_err(ApiError::internal)?;
    if kind.is_none() {
        return Err(ApiError::field("body.file", "not a tar, tar.gz or zip archive"));
    }
    let filename = form.file.filename.clone();
    let new = NewScan {
        project,
        version,
        source: ScanSource::Upload { filename: filename.clone(), bytes: form.file.bytes },
        requested_by: Some(principal.user.id),
        crypto: true,
    };
    queue(&state, ctx, pending.map(|e| e.0), form, new, JobSource::Upload { filename }).await
}

/// Queues matching of an uploaded CycloneDX or SPDX document: its inventory goes to matching
/// and the scan's results and documents, like a scanned tree's.
#[utoipa::path(post, operation_id = "sboms_ingest", path = "/sboms/ingest", tag = "scans", security(("bearer" = [])),
    request_body(content = IngestForm, content_type = "multipart/form-data",
        description = "`file` (CycloneDX or SPDX; at most `[scans] upload_max_bytes`), optional `project`, `version_id`, `auto_scan` (true)"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 202, description = "Queued; the scan's source records the format found", body = cairn_sdk::types::Scan),
        (status = 400, description = "Missing or unknown field, a media type or first bytes that are no JSON, XML or SPDX tag-value document, unknown project or version, auto_scan=false (a document that starts right but does not read is a failed scan, with the reader's message as its error)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than `[scans] upload_max_bytes` or `[sources] max_sbom_bytes`", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited, or a tenant quota reached (QUOTA_EXCEEDED naming `quotas.queued_scans`, `quotas.concurrent_uploads` or `quotas.uploads_per_hour`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn ingest(
    State(state): State<AppState>,
    principal: Principal,
    pending: Option<Extension<PendingKey>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(Scope::SbomWrite, Role::Member)?;
    let _slot = state.limits.admit_upload(&state, ctx.tenant).await?;
    let cap = state.config.scans.upload_max_bytes;
    let form = read_form(&state, multipart, &["project", "version", "version_id", "auto_scan"], cap).await?;
    match form.fields.get("auto_scan").map(|s| s.to_ascii_lowercase()).as_deref() {
        None | Some("true") | Some("1") => {}
        Some("false") | Some("0") => {
            return Err(ApiError::field(
                "body.auto_scan",
                "storing a document without matching it is not offered; omit auto_scan or send true",
            ));
        }
        Some(_) => return Err(ApiError::field("body.auto_scan", "must be true or false")),
    }
    let (project, version) = links(&state, ctx, &form).await?;
    check_document(&state, &form.file).await?;
    let filename = form.file.filename.clone();
    let new = NewScan {
        project,
        version,
        // The format is recorded by the job, which reads the document.
        source: ScanSource::Sbom { filename: filename.clone(), format: None },
        requested_by: Some(principal.user.id),
        // A document has no source files to inventory cryptography from.
        crypto: false,
    };
    queue(&state, ctx, pending.map(|e| e.0), form, new, JobSource::Sbom { filename }).await
}

/// Media types a document may be sent as: unnamed (`application/octet-stream`), JSON, XML, text
/// or SPDX's own.
fn document_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let Some((kind, sub)) = essence.split_once('/') else { return false };
    essence == "application/octet-stream"
        || kind == "text"
        || sub == "json"
        || sub == "xml"
        || sub.ends_with("+json")
        || sub.ends_with("+xml")
        || sub.starts_with("spdx")
        || sub.starts_with("vnd.cyclonedx")
}

/// The cheap checks a document gets in the request: its size, media type and first bytes; the
/// reading itself is the job's (a document that starts right but does not read fails the scan).
async fn check_document(state: &AppState, file: &Spooled) -> Result<(), ApiError> {
    let max = state.config.sources.max_sbom_bytes;
    if file.bytes > max {
        return Err(ApiError::new(
            Kind::PayloadTooLarge,
            format!("the document exceeds the {max}-byte limit (`[sources] max_sbom_bytes`)"),
        ));
    }
    if !document_media_type(&file.media_type) {
        return Err(ApiError::field(
            "body.file",
            format!("media type {} is not a JSON, XML or text document", file.media_type),
        ));
    }
    let mut head = vec![0u8; HEAD_BYTES];
    let mut f = tokio::fs::File::open(&file.path).await.map_err(ApiError::internal)?;
    let mut filled = 0;
    while filled < head.len() {
        let n = f.read(&mut head[filled..]).await.map_err(ApiError::internal)?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    if sniff(&head[..filled]).is_none() {
        return Err(ApiError::field(
            "body.file",
            "not a CycloneDX or SPDX document: it starts as neither JSON, XML nor SPDX tag-value",
        ));
    }
    Ok(())
}

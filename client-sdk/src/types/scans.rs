//! Scans: what to scan, where a scan stands, and the progress events it emits.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::{rfc3339, rfc3339_opt};
use super::vulndb::VulnDataUsed;
use super::{ProjectId, ScanId, UserId, VersionId};

/// Where a scan is in its life. `queued -> fetching -> scanning -> matching -> evaluating ->
/// completed | failed | cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScanStatus {
    /// Waiting for a worker.
    Queued,
    /// Obtaining the source (clone, unpack, read the SBOM).
    Fetching,
    /// Walking and cataloguing the tree, licenses, cryptography.
    Scanning,
    /// Matching components against vulnerability data.
    Matching,
    /// Scoring and rendering the documents.
    Evaluating,
    /// Done; results and documents are available.
    Completed,
    /// Stopped by an error (see `error`).
    Failed,
    /// Stopped on request.
    Cancelled,
    /// A status a newer daemon sends that this SDK does not know (never terminal; the daemon
    /// refuses it as input).
    #[serde(other)]
    Unknown,
}

impl ScanStatus {
    /// Every status this SDK knows, in pipeline order (not [`ScanStatus::Unknown`]).
    pub const ALL: [ScanStatus; 8] = [
        ScanStatus::Queued,
        ScanStatus::Fetching,
        ScanStatus::Scanning,
        ScanStatus::Matching,
        ScanStatus::Evaluating,
        ScanStatus::Completed,
        ScanStatus::Failed,
        ScanStatus::Cancelled,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Queued => "queued",
            ScanStatus::Fetching => "fetching",
            ScanStatus::Scanning => "scanning",
            ScanStatus::Matching => "matching",
            ScanStatus::Evaluating => "evaluating",
            ScanStatus::Completed => "completed",
            ScanStatus::Failed => "failed",
            ScanStatus::Cancelled => "cancelled",
            ScanStatus::Unknown => "unknown",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Completed, failed or cancelled: nothing more will happen.
    pub fn is_terminal(self) -> bool {
        matches!(self, ScanStatus::Completed | ScanStatus::Failed | ScanStatus::Cancelled)
    }
}

/// What to scan, as submitted to `POST /scans`. Uploads and SBOMs arrive through their own
/// multipart endpoints and are recorded as [`ScanSource::Upload`] and [`ScanSource::Sbom`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScanSource {
    /// A git repository: `https://`, `ssh://`, `git@host:path` or `file://` URL.
    Git {
        /// Clone URL.
        url: String,
        /// Branch, tag or commit; the remote's default branch when absent.
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// A directory on the daemon's machine, under one of its configured roots.
    Path {
        /// Absolute path.
        path: String,
    },
    /// An uploaded archive (tar, tar.gz or zip); recorded by `POST /scans/upload`.
    Upload {
        /// The file name the client sent.
        filename: String,
        /// Size in bytes.
        bytes: u64,
    },
    /// An existing CycloneDX or SPDX document; recorded by `POST /sboms/ingest`.
    Sbom {
        /// The file name the client sent.
        filename: String,
        /// The format found (`cyclonedx-1.6`, `spdx-2.3`, …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<String>,
    },
    /// A container image pulled from a registry over the OCI Distribution API.
    Image {
        /// `registry/repository:tag` or `…@sha256:<hex>` (Docker Hub when no registry is named).
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
        reference: String,
        /// `os/arch[/variant]` in a multi-platform image; default: the only one, else linux/amd64.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_]+/[A-Za-z0-9_]+(/[A-Za-z0-9_]+)?$"))]
        platform: Option<String>,
    },
}

impl ScanSource {
    /// Its kind (the `kind` tag on the wire).
    pub fn kind(&self) -> crate::types::SourceKind {
        use crate::types::SourceKind;
        match self {
            ScanSource::Git { .. } => SourceKind::Git,
            ScanSource::Path { .. } => SourceKind::Path,
            ScanSource::Upload { .. } => SourceKind::Upload,
            ScanSource::Sbom { .. } => SourceKind::Sbom,
            ScanSource::Image { .. } => SourceKind::Image,
        }
    }
}

/// What `POST /scans` accepts: the kinds a scan can be requested as JSON. Uploads and SBOMs
/// arrive as multipart files at their own routes; the scan then records a [`ScanSource`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SubmitSource {
    /// A git repository: `https://`, `ssh://`, `git@host:path` or `file://` URL.
    Git {
        /// Clone URL.
        url: String,
        /// Branch, tag or commit; the remote's default branch when absent.
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 255))]
        reference: Option<String>,
    },
    /// A directory on the daemon's machine, under one of its configured roots.
    Path {
        /// Absolute path.
        path: String,
    },
    /// A container image pulled from its registry.
    Image {
        /// `registry/repository:tag` or `…@sha256:<hex>` (Docker Hub when no registry is named).
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
        reference: String,
        /// `os/arch[/variant]` in a multi-platform image; default: the only one, else linux/amd64.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_]+/[A-Za-z0-9_]+(/[A-Za-z0-9_]+)?$"))]
        platform: Option<String>,
    },
}

impl From<SubmitSource> for ScanSource {
    fn from(source: SubmitSource) -> Self {
        match source {
            SubmitSource::Git { url, reference } => ScanSource::Git { url, reference },
            SubmitSource::Path { path } => ScanSource::Path { path },
            SubmitSource::Image { reference, platform } => ScanSource::Image { reference, platform },
        }
    }
}

/// `POST /scans`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateScan {
    /// What to scan: `git`, `path` or `image`.
    pub source: SubmitSource,
    /// The project the scan belongs to; absent = an ad-hoc scan, except for a registry image,
    /// which lands in the image catalogue: the project named by its repository (created as an
    /// `image` project when the caller may create projects).
    #[serde(default)]
    pub project: Option<ProjectId>,
    /// The project version it documents; absent for a registry image in an `image` project: the
    /// version named by its tag (else its digest), created when new.
    #[serde(default)]
    pub version: Option<VersionId>,
    /// Also inventory cryptography in source files, certificates, keys and TLS configuration
    /// (default true).
    #[serde(default = "default_true")]
    pub crypto: bool,
}

fn default_true() -> bool {
    true
}

/// Findings per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeverityCounts {
    /// Critical.
    pub critical: u64,
    /// High.
    pub high: u64,
    /// Medium.
    pub medium: u64,
    /// Low.
    pub low: u64,
    /// CVSS 0.0: rated, and below low.
    #[serde(default)]
    pub none: u64,
    /// No usable severity in the data.
    pub unknown: u64,
}

impl SeverityCounts {
    /// Counts one finding of `severity`.
    pub fn add(&mut self, severity: crate::types::Severity) {
        use crate::types::Severity;
        let n = match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::None => &mut self.none,
            Severity::Unknown => &mut self.unknown,
        };
        *n += 1;
    }

    /// The findings of `severity`.
    pub fn get(&self, severity: crate::types::Severity) -> u64 {
        use crate::types::Severity;
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::None => self.none,
            Severity::Unknown => self.unknown,
        }
    }
}

/// What a scan found, in numbers. Filled in as the scan goes; final once it completes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ScanCounts {
    /// Components in the inventory.
    pub components: u64,
    /// Vulnerability findings.
    pub findings: u64,
    /// Findings by severity.
    pub severities: SeverityCounts,
    /// Warnings: informational advisories (unmaintained, unsound, notice) that apply; never
    /// counted in `findings`.
    pub warnings: u64,
    /// Vulnerability coverage per ecosystem of the inventory, once matched (empty before, and
    /// when there was no data: `vulndb` says so).
    pub coverage: Vec<crate::types::EcosystemCoverage>,
    /// Components with at least one license.
    pub licensed_components: u64,
    /// Cryptographic assets.
    pub crypto_assets: u64,
    /// Diagnostics (files that could not be read fully).
    pub diagnostics: u64,
}

/// A scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scan {
    /// Id.
    pub id: ScanId,
    /// The project, when the scan belongs to one.
    pub project_id: Option<ProjectId>,
    /// The project version, when given.
    pub version_id: Option<VersionId>,
    /// Where it stands.
    pub status: ScanStatus,
    /// What was scanned.
    pub source: ScanSource,
    /// Who asked for it.
    pub requested_by: Option<UserId>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// The vulnerability data the scan matched against; `state: none` or `stale` is said loudly.
    pub vulndb: Option<VulnDataUsed>,
    /// What it found so far.
    pub counts: ScanCounts,
    /// The latest progress, 0–100.
    pub percent: u8,
    /// Row version (`ETag`).
    pub version: i64,
    /// Submitted.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// A worker picked it up.
    #[serde(with = "rfc3339_opt")]
    pub started_at: Option<OffsetDateTime>,
    /// It ended.
    #[serde(with = "rfc3339_opt")]
    pub finished_at: Option<OffsetDateTime>,
    /// Post-quantum readiness, once a scan with crypto on has completed; absent otherwise (and
    /// from daemons older than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pqc: Option<PqcSummary>,
}

/// A scan's post-quantum readiness, as the engine scores it (docs/methodology.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PqcSummary {
    /// 0–100: `round(100 × safe / rated)`; absent when no shipped algorithm is rated.
    #[serde(default)]
    pub score: Option<u8>,
    /// The methodology the score follows (`cairn-cbom-v1`).
    pub methodology: String,
    /// Distinct algorithms outside test files that the methodology rates.
    #[serde(default)]
    pub rated: u32,
    /// Of those, at NIST quantum level 1 or above and not classically broken.
    #[serde(default)]
    pub safe: u32,
    /// Of those, at level 0 (broken by a quantum adversary) or classically broken.
    #[serde(default)]
    pub quantum_vulnerable: u32,
    /// Cryptographic assets in the scan's CBOM.
    #[serde(default)]
    pub assets: u64,
}

/// One progress event: the payload of `/scans/{id}/events` items and of WebSocket event frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanEvent {
    /// The scan.
    pub scan_id: ScanId,
    /// 1, 2, 3, … per scan, in order.
    pub seq: i64,
    /// Status at this point.
    pub status: ScanStatus,
    /// Finer step within the status (`walking`, `cataloging`, `licenses`, `crypto`, `clone`, …).
    pub step: Option<String>,
    /// Overall progress 0–100; never goes back within a scan.
    pub percent: u8,
    /// Human-readable detail.
    pub message: Option<String>,
    /// When it happened.
    #[serde(with = "rfc3339")]
    pub ts: OffsetDateTime,
    /// Counts so far.
    pub counts: ScanCounts,
}

/// Documents a completed scan can be downloaded as (`GET /scans/{id}/bom?format=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BomFormat {
    /// CycloneDX 1.6 JSON (the default).
    #[serde(rename = "cyclonedx")]
    CycloneDx,
    /// CycloneDX 1.5 JSON.
    #[serde(rename = "cyclonedx-1.5")]
    CycloneDx15,
    /// CycloneDX 1.7 JSON.
    #[serde(rename = "cyclonedx-1.7")]
    CycloneDx17,
    /// SPDX 3.0.1 JSON-LD.
    #[serde(rename = "spdx")]
    Spdx,
    /// SPDX 2.3 JSON.
    #[serde(rename = "spdx-2.3")]
    Spdx23,
    /// OpenVEX 0.2.0.
    #[serde(rename = "openvex")]
    OpenVex,
    /// SARIF 2.1.0.
    #[serde(rename = "sarif")]
    Sarif,
    /// CycloneDX 1.6 with the cryptographic assets and the libraries that provide them.
    #[serde(rename = "cbom")]
    Cbom,
}

impl BomFormat {
    /// Every format.
    pub const ALL: [BomFormat; 8] = [
        BomFormat::CycloneDx,
        BomFormat::CycloneDx15,
        BomFormat::CycloneDx17,
        BomFormat::Spdx,
        BomFormat::Spdx23,
        BomFormat::OpenVex,
        BomFormat::Sarif,
        BomFormat::Cbom,
    ];

    /// The query and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            BomFormat::CycloneDx => "cyclonedx",
            BomFormat::CycloneDx15 => "cyclonedx-1.5",
            BomFormat::CycloneDx17 => "cyclonedx-1.7",
            BomFormat::Spdx => "spdx",
            BomFormat::Spdx23 => "spdx-2.3",
            BomFormat::OpenVex => "openvex",
            BomFormat::Sarif => "sarif",
            BomFormat::Cbom => "cbom",
        }
    }

    /// Parses the query and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The media type the download is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            BomFormat::CycloneDx | BomFormat::CycloneDx15 | BomFormat::CycloneDx17 | BomFormat::Cbom => {
                "application/vnd.cyclonedx+json"
            }
            BomFormat::Spdx => "application/spdx+json",
            BomFormat::Spdx23 => "application/spdx+json",
            BomFormat::OpenVex => "application/json",
            BomFormat::Sarif => "application/sarif+json",
        }
    }
}

/// A component of a scan's inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanComponent {
    /// Id (stable within the scan).
    pub id: String,
    /// Package URL.
    pub purl: String,
    /// Ecosystem (`cargo`, `npm`, `pypi`, …).
    pub ecosystem: String,
    /// Name in the ecosystem's form.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// How the project needs it.
    pub scope: Option<crate::types::DependencyScope>,
    /// A direct dependency of the project.
    pub direct: bool,
    /// The project's own code (workspace member, path dependency).
    pub local: bool,
    /// Concluded license expression, when known.
    pub license: Option<String>,
    /// Where it was found (`path` or `path:line`).
    pub locations: Vec<String>,
    /// Hashes as `ALG:hex`.
    pub hashes: Vec<String>,
    /// Vulnerability findings on this component.
    pub findings: u64,
}

/// A dependency edge between two components of a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanEdge {
    /// Depending component's purl.
    pub from: String,
    /// Depended-on component's purl.
    pub to: String,
}

/// A vulnerability found in a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanFinding {
    /// Id.
    pub id: String,
    /// The scan.
    pub scan_id: ScanId,
    /// The project, when the scan has one.
    pub project_id: Option<ProjectId>,
    /// The component's id within the scan.
    pub component_id: String,
    /// The component's purl.
    pub purl: String,
    /// The advisory (OSV id, e.g. `GHSA-…`, `RUSTSEC-…`).
    pub vulnerability_id: String,
    /// Other ids of the same vulnerability (CVE, …).
    pub aliases: Vec<String>,
    /// One-line summary.
    pub summary: Option<String>,
    /// The qualitative severity (`none` is CVSS 0.0; `unknown`, no usable score).
    pub severity: crate::types::Severity,
    /// Highest CVSS base score given.
    pub cvss_score: Option<f64>,
    /// CVSS vector of that score.
    pub cvss_vector: Option<String>,
    /// The nearest version that fixes it.
    pub fixed_version: Option<String>,
    /// Found.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
}

/// License facts for one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanLicense {
    /// The component's id within the scan.
    pub component_id: String,
    /// The component's purl.
    pub purl: String,
    /// Declared by the package's metadata (SPDX expression).
    pub declared: Option<String>,
    /// Detected in license files shipped with it.
    pub detected: Option<String>,
    /// What Cairn concludes.
    pub concluded: Option<String>,
    /// `permissive`, `weak-copyleft`, `strong-copyleft`, `network-copyleft`, `public-domain`,
    /// `proprietary` or `unknown`.
    pub category: Option<String>,
}

/// A cryptographic asset: an algorithm use, a certificate, key material or a protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CryptoAsset {
    /// Id.
    pub id: String,
    /// `algorithm`, `certificate`, `related-crypto-material` or `protocol`.
    pub asset_type: String,
    /// Name (`AES-256-GCM`, `RSA-2048`, `TLSv1.2`, a certificate subject).
    pub name: String,
    /// Primitive (`ae`, `signature`, `kem`, `hash`, …) for algorithms.
    pub primitive: Option<String>,
    /// NIST quantum security level 0–6; 0 = broken by a quantum adversary.
    pub quantum_level: Option<i64>,
    /// The rest of the CycloneDX cryptoProperties and Cairn's assessment (replacement, flags).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    /// Where it was found (`path:line`).
    pub locations: Vec<String>,
}

/// Something the scan could not read fully (a malformed lockfile, a file over the size cap).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanDiagnostic {
    /// `error` or `warning`.
    pub severity: String,
    /// The file, relative to the scanned root.
    pub path: Option<String>,
    /// The line, when known.
    pub line: Option<u32>,
    /// What went wrong.
    pub message: String,
}

/// A frame a client sends on `/ws/scans/{id}` or `/ws/events`. The first must be `auth`, within
/// one second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WsClientFrame {
    /// Authenticate with an access token or API key.
    Auth {
        /// JWT access token or `crn_live_…` key.
        token: String,
        /// Resume after this sequence (a reconnecting client): on `/ws/scans/{id}` the last
        /// scan event `seq` it holds, so the sync frame carries only later events; on
        /// `/ws/events` the last tenant event `seq` (of [`WsServerFrame::Feed`]) it handled, so
        /// the socket first sends what it missed, or [`WsServerFrame::Resync`] when it cannot.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seq: Option<i64>,
    },
}

/// A frame the daemon sends on a WebSocket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WsServerFrame {
    /// Sent once after authentication: where things stand now. On `/ws/scans/{id}` `scans` holds
    /// that scan and `events` its events so far; on `/ws/events` `scans` holds the tenant's
    /// unfinished scans and `events` is empty.
    Sync {
        /// Scans as they are now.
        scans: Vec<Scan>,
        /// Events so far (scan sockets; after the auth frame's `last_seq` when it had one).
        events: Vec<ScanEvent>,
        /// On `/ws/events`: the tenant's latest event `seq` when the socket opened (`Feed`
        /// frames continue from the auth frame's `last_seq`, or from this one without it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        latest_seq: Option<i64>,
    },
    /// A progress event.
    Event(ScanEvent),
    /// A notification for the socket's user, as it is made (`/ws/events` only):
    /// `{"type": "notification", "notification": {...}}` (nested: the notification has a `type`
    /// of its own, the event's kind).
    Notification {
        /// The notification.
        notification: Box<crate::types::Notification>,
    },
    /// An event of the tenant's stream (`/ws/events` only), the envelope `GET /events` lists,
    /// sent in `seq` order, each once: `{"type": "feed", "event": {...}}`.
    Feed {
        /// The event.
        event: Box<crate::types::Event>,
    },
    /// The socket cannot send what the client missed since its `last_seq` (more than a page
    /// behind, or a `seq` this tenant never reached): read `GET /events?after=…` (or refetch what
    /// it shows); `Feed` frames continue after `latest_seq`.
    Resync {
        /// The tenant's latest event `seq`; the next `Feed` frame is after it.
        latest_seq: i64,
    },
}

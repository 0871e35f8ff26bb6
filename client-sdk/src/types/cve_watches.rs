//! CVE watches: "tell me when this advisory, or this package, shows up in any project". A watch
//! names an advisory (its OSV id or any alias: CVE, GHSA, …) or a package (a purl, optionally a
//! version range compared in the ecosystem's ordering). A hit is the watched thing in a project's
//! latest results; each (watch, project, advisory, component) hits once, as a `cve_watch.hit`
//! event ([`CveWatchHitData`]) for hits found after the watch was made.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{CveWatchHitId, CveWatchId, ProjectId, ScanId, Severity, UserId};

/// What a watch looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum WatchTarget {
    /// An advisory: findings whose OSV id is `id` or which list `id` among their aliases.
    Advisory {
        /// The OSV id or an alias (`CVE-2021-44228`, `GHSA-jfh8-c2jp-5v3q`, `PYSEC-2021-19`).
        #[cfg_attr(feature = "openapi", schema(format = "cairn-word", min_length = 1, max_length = 200))]
        id: String,
    },
    /// A package: components whose purl has this type, namespace and name (qualifiers do not
    /// count) and, with a version in the purl, that version; with `version_range`, a version in it.
    Package {
        /// Package URL, with or without a version (`pkg:maven/org.apache.logging.log4j/log4j-core`).
        #[cfg_attr(feature = "openapi", schema(min_length = 5, max_length = 2048, pattern = r"^pkg:"))]
        purl: String,
        /// Versions in the purl spec's `vers` syntax without its scheme (`>=2.0.0|<2.17.1`),
        /// compared in the ecosystem's ordering; only with a purl without a version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
        version_range: Option<String>,
    },
}

impl WatchTarget {
    /// An advisory watch.
    pub fn advisory(id: impl Into<String>) -> Self {
        WatchTarget::Advisory { id: id.into() }
    }

    /// A package watch.
    pub fn package(purl: impl Into<String>, version_range: Option<String>) -> Self {
        WatchTarget::Package { purl: purl.into(), version_range }
    }
}

impl std::fmt::Display for WatchTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchTarget::Advisory { id } => f.write_str(id),
            WatchTarget::Package { purl, version_range: None } => f.write_str(purl),
            WatchTarget::Package { purl, version_range: Some(r) } => write!(f, "{purl} {r}"),
        }
    }
}

/// `POST /cve-watches`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCveWatch {
    /// What to watch.
    pub target: WatchTarget,
}

/// A watch as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CveWatch {
    /// Id.
    pub id: CveWatchId,
    /// What it watches.
    pub target: WatchTarget,
    /// Hits recorded so far (those present at creation included).
    pub hits: u64,
    /// Who made it (absent once that user is deleted).
    pub created_by: Option<UserId>,
    /// When.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// One hit: the watched thing in a project's latest results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CveWatchHit {
    /// Id.
    pub id: CveWatchHitId,
    /// The watch.
    pub watch: CveWatchId,
    /// The project.
    pub project: ProjectId,
    /// The scan whose results held it when it was found (the project's latest then).
    pub scan: ScanId,
    /// The advisory (OSV id) of an advisory watch's hit; absent for a package watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    /// The component's purl.
    pub purl: String,
    /// The finding (advisory watches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    /// The finding's severity (advisory watches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Whether it was already there when the watch was made (then no event was sent for it).
    pub at_creation: bool,
    /// When it was found.
    #[serde(with = "rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub found_at: OffsetDateTime,
}

/// `POST /cve-watches` answer: the watch and its hits now (each project's latest results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CveWatchCreated {
    /// The watch.
    pub watch: CveWatch,
    /// Its current hits, oldest project first (at most 1,000; `watch.hits` counts them all and
    /// `GET /cve-watches/{id}/hits` pages through them).
    pub hits: Vec<CveWatchHit>,
}

/// The payload of `cve_watch.hit`: the watch, what it watches, and the hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CveWatchHitData {
    /// What the watch watches.
    pub target: WatchTarget,
    /// The hit.
    #[serde(flatten)]
    pub hit: CveWatchHit,
}

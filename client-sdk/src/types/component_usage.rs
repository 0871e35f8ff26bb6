//! Where a package is used across the tenant (`GET /components/search`): each project whose
//! latest completed scan has the component, with every file and line that declares it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339_opt;
use super::{ProjectId, ScanId, VersionId};

/// One file (and line, when known) that declares a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileLine {
    /// The file, relative to the scanned root, `/`-separated.
    pub path: String,
    /// 1-based line, when the cataloger knew it.
    pub line: Option<u32>,
}

/// A component in a project's latest completed scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentUsage {
    /// The project.
    pub project_id: ProjectId,
    /// Its name.
    pub project_name: String,
    /// The version the scan belongs to, when it was given one.
    pub version_id: Option<VersionId>,
    /// That version's name.
    pub version_name: Option<String>,
    /// The scan.
    pub scan_id: ScanId,
    /// When the scan completed.
    #[serde(with = "rfc3339_opt")]
    pub scanned_at: Option<OffsetDateTime>,
    /// The component's purl.
    pub purl: String,
    /// Its purl type (`pypi`, `npm`, `cargo`, …).
    pub ecosystem: String,
    /// Its name.
    pub name: String,
    /// Its version, when known.
    pub version: Option<String>,
    /// Every file and line that declares it.
    pub locations: Vec<FileLine>,
}

impl FileLine {
    /// A stored location (`path:line` or `path`) split back into its parts.
    pub fn parse(location: &str) -> Self {
        match location.rsplit_once(':') {
            Some((path, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
                Self { path: path.to_owned(), line: line.parse().ok() }
            }
            _ => Self { path: location.to_owned(), line: None },
        }
    }
}

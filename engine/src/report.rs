//! Cairn's own JSON report: the inventory as the engine sees it, with nothing lost to a standard format.

use crate::inventory::Inventory;
use crate::scan::{Scan, ScanStats};
use serde::Serialize;

/// Version of the report's shape; bumped on any incompatible change.
pub const REPORT_FORMAT: &str = "cairn-report/1";

/// The `json` report of `cairn scan`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// [`REPORT_FORMAT`].
    pub format: &'static str,
    /// The tool that wrote it.
    pub tool: Tool,
    /// What was scanned, as the user named it.
    pub target: &'a str,
    /// Counts.
    pub stats: ScanStats,
    /// Components, edges, diagnostics and skipped paths.
    #[serde(flatten)]
    pub inventory: &'a Inventory,
}

/// The producing tool.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// Always `cairn`.
    pub name: &'static str,
    /// The engine's version.
    pub version: &'static str,
}

impl<'a> Report<'a> {
    /// A report of `scan` over `target`.
    pub fn new(target: &'a str, scan: &'a Scan) -> Self {
        Self {
            format: REPORT_FORMAT,
            tool: Tool { name: "cairn", version: env!("CARGO_PKG_VERSION") },
            target,
            stats: scan.stats,
            inventory: &scan.inventory,
        }
    }

    /// The report as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

//! Cairn's own JSON report: the inventory as the engine sees it, with nothing lost to a standard format.

use crate::crypto::inventory::CryptoInventory;
use crate::inventory::Inventory;
use crate::license::summary::{Summary, summarize};
use crate::policy::GateResult;
use crate::scan::{Scan, ScanStats};
use crate::vuln::{
    Database, DatabaseInfo, EcosystemCoverage, Finding, Matches, NotEvaluated, Rating, Suppressed, Warning,
    WarningKind,
};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Third-party components per license category and id, with their obligations.
    pub licenses: Summary,
    /// Vulnerability matching, or a plain statement that there was no data to match against.
    pub vulnerabilities: Vulnerabilities<'a>,
    /// The cryptographic inventory and post-quantum readiness, when the scan looked for it
    /// (absent otherwise, so an empty section always means "looked, found nothing").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crypto: Option<CryptoInventory>,
    /// The policy gate, when a policy was evaluated (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<&'a GateResult>,
}

/// The report's `vulnerabilities` section. Without data it says so instead of listing nothing,
/// so an empty list always means "matched, nothing found".
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Vulnerabilities<'a> {
    /// No OSV data was given; nothing was matched.
    NoData {
        /// Always [`NO_VULNERABILITY_DATA`].
        note: &'static str,
    },
    /// Matched against the database described.
    Matched {
        /// What the OSV data was built from (sources, counts, newest `modified`).
        database: &'a DatabaseInfo,
        /// Findings per rating (`unknown`: findings whose records carry no usable severity).
        summary: BTreeMap<Rating, usize>,
        /// Per ecosystem of the inventory: components, advisories loaded, evaluated, and the
        /// components not evaluated with the reason (`not evaluated: no data for npm`).
        coverage: &'a [EcosystemCoverage],
        /// The findings.
        findings: &'a [Finding],
        /// Warnings per kind.
        warnings_summary: BTreeMap<WarningKind, usize>,
        /// Informational advisories that apply (unmaintained, unsound, notice): not findings.
        warnings: &'a [Warning],
        /// Findings a VEX statement (`--ignore-file`) says are not affected or fixed, with it.
        suppressed: &'a [Suppressed],
        /// Components an advisory names that could not be evaluated, with the reason.
        not_evaluated: &'a [NotEvaluated],
    },
}

/// What the report and the CLI say when no vulnerability data was given.
pub const NO_VULNERABILITY_DATA: &str = "no vulnerability data given";

impl<'a> Vulnerabilities<'a> {
    /// The section for `matches` against `db`.
    pub fn matched(db: &'a Database, matches: &'a Matches) -> Self {
        Vulnerabilities::Matched {
            database: db.info(),
            summary: matches.by_rating(),
            coverage: &matches.coverage,
            findings: &matches.findings,
            warnings_summary: matches.warnings_by_kind(),
            warnings: &matches.warnings,
            suppressed: &matches.suppressed,
            not_evaluated: &matches.not_evaluated,
        }
    }
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
            licenses: summarize(&scan.inventory),
            vulnerabilities: Vulnerabilities::NoData { note: NO_VULNERABILITY_DATA },
            crypto: None,
            gate: None,
        }
    }

    /// The same report with the crypto inventory of `scan` (call it only when the scan ran with
    /// [`crate::ScanOptions::crypto`]).
    pub fn with_crypto(mut self, scan: &Scan) -> Self {
        self.crypto = Some(CryptoInventory::new(
            &scan.crypto,
            &scan.crypto_material,
            &scan.crypto_protocols,
            &scan.inventory,
        ));
        self
    }

    /// The same report with a policy gate's result.
    pub fn with_gate(mut self, gate: Option<&'a GateResult>) -> Self {
        self.gate = gate;
        self
    }

    /// The same report with vulnerability matching results.
    pub fn with_vulnerabilities(mut self, v: Vulnerabilities<'a>) -> Self {
        self.vulnerabilities = v;
        self
    }

    /// The report as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

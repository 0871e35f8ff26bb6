//! The CI gate of `cairn scan`, one decision offline and through a daemon: findings at or above
//! `--fail-on`; findings of unknown severity only with `--fail-on-unknown`; warnings
//! (unmaintained, unsound, notice) only with `--fail-on-warnings`; findings a VEX statement of
//! `--ignore-file` suppresses never. What was left out is said, with the flag that counts it.

use crate::cli::ScanArgs;
use cairn_engine::vuln::{Rating, Vex};
use std::path::Path;

/// What the gate counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// `--fail-on`: findings of this rating or above.
    pub threshold: Option<Rating>,
    /// `--fail-on-unknown`.
    pub unknown: bool,
    /// `--fail-on-warnings`.
    pub warnings: bool,
}

/// What a scan gave the gate to count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Open findings (not settled by triage, not suppressed), by rating.
    pub findings: Vec<Rating>,
    /// Warnings.
    pub warnings: usize,
    /// Findings suppressed by `--ignore-file`.
    pub suppressed: usize,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Items counted against the gate.
    pub failing: usize,
    /// Lines for standard error: what failed, what was left out and why.
    pub lines: Vec<String>,
}

impl Gate {
    /// The gate the flags ask for; `None` when no gate flag was given.
    pub fn of(args: &ScanArgs) -> Option<Gate> {
        let gate =
            Gate { threshold: args.fail_on, unknown: args.fail_on_unknown, warnings: args.fail_on_warnings };
        (gate.threshold.is_some() || gate.unknown || gate.warnings).then_some(gate)
    }

    /// Whether a finding of `rating` counts.
    pub fn counts(&self, rating: Rating) -> bool {
        match rating {
            Rating::Unknown => self.unknown,
            r => self.threshold.is_some_and(|t| r >= t),
        }
    }

    /// Counts `tally`.
    pub fn judge(&self, tally: &Tally) -> Verdict {
        let counted = tally.findings.iter().filter(|r| self.counts(**r)).count();
        let unknown = tally.findings.iter().filter(|r| **r == Rating::Unknown).count();
        let warnings = if self.warnings { tally.warnings } else { 0 };
        let failing = counted + warnings;
        let mut lines = Vec::new();
        let mut what = Vec::new();
        if let Some(t) = self.threshold {
            what.push(format!("at or above {t}"));
        }
        if self.unknown {
            what.push("of unknown severity".to_owned());
        }
        let mut parts = Vec::new();
        if !what.is_empty() {
            parts.push(format!("{counted} findings {} count", what.join(" or ")));
        }
        if self.warnings {
            parts.push(format!("{warnings} warnings count"));
        }
        // No gate flag (only --ignore-file): nothing was judged, only what was left out is said.
        if !parts.is_empty() {
            lines.push(format!(
                "gate: {} — {}",
                parts.join(", "),
                if failing > 0 { "failed" } else { "passed" }
            ));
        }
        let mut left = Vec::new();
        if unknown > 0 && !self.unknown {
            left.push(format!("{unknown} findings of unknown severity (--fail-on-unknown counts them)"));
        }
        if tally.warnings > 0 && !self.warnings {
            left.push(format!("{} warnings (--fail-on-warnings counts them)", tally.warnings));
        }
        if tally.suppressed > 0 {
            left.push(format!("{} findings suppressed by --ignore-file", tally.suppressed));
        }
        if !left.is_empty() {
            lines.push(format!("gate: left out: {}", left.join("; ")));
        }
        Verdict { failing, lines }
    }
}

/// Reads the VEX document of `--ignore-file`; its errors are the user's to fix (exit 2).
pub fn read_ignore_file(path: &Path) -> anyhow::Result<Vex> {
    let bytes = std::fs::read(path)
        .map_err(|e| crate::exit::usage(format!("--ignore-file {}: {e}", path.display())))?;
    let vex = Vex::from_json(&bytes)
        .map_err(|e| crate::exit::usage(format!("--ignore-file {}: {e}", path.display())))?;
    // A statement naming no package could suppress nothing: say so rather than ignore it.
    if let Some(s) = vex.without_purls().next() {
        return Err(crate::exit::usage(format!(
            "--ignore-file {}: {}: no product named by a package URL (pkg:…)",
            path.display(),
            s.at
        )));
    }
    Ok(vex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(threshold: Option<Rating>, unknown: bool, warnings: bool) -> Gate {
        Gate { threshold, unknown, warnings }
    }

    fn vex_fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/vex").join(name)
    }

    #[test]
    fn an_ignore_file_statement_without_purls_is_refused_and_csaf_reads() {
        let e = read_ignore_file(&vex_fixture("bom-examples-cisa-case1-not-affected.cdx.json"))
            .expect_err("product-ABC has no purl");
        assert!(e.to_string().contains("vulnerabilities[0]: no product named by a package URL"), "{e}");
        let csaf = read_ignore_file(&vex_fixture("vexctl-example.csaf.json")).expect("CSAF reads");
        assert_eq!(csaf.statements[0].products, ["pkg:generic/component1@1.3.4"]);
    }

    #[test]
    fn unknown_and_warnings_count_only_when_asked() {
        let tally = Tally { findings: vec![Rating::Unknown, Rating::Medium], warnings: 6, suppressed: 1 };
        let v = gate(Some(Rating::Critical), false, false).judge(&tally);
        assert_eq!(v.failing, 0, "{v:?}");
        assert_eq!(
            v.lines[1],
            "gate: left out: 1 findings of unknown severity (--fail-on-unknown counts them); 6 warnings (--fail-on-warnings counts them); 1 findings suppressed by --ignore-file"
        );
        assert_eq!(gate(Some(Rating::Critical), true, false).judge(&tally).failing, 1);
        assert_eq!(gate(Some(Rating::Critical), false, true).judge(&tally).failing, 6);
        assert_eq!(gate(Some(Rating::Medium), false, false).judge(&tally).failing, 1);
        assert_eq!(gate(None, false, true).judge(&Tally::default()).failing, 0);
        // --ignore-file alone: no verdict line, only what was suppressed.
        let v = gate(None, false, false).judge(&Tally { suppressed: 2, ..Tally::default() });
        assert_eq!(v.lines, ["gate: left out: 2 findings suppressed by --ignore-file"]);
    }

    #[test]
    fn none_is_below_every_threshold() {
        assert!(!gate(Some(Rating::Low), true, true).counts(Rating::None));
        assert!(gate(Some(Rating::Low), false, false).counts(Rating::Critical));
    }
}

//! `cairn scan PATH --offline`: run the engine in this process and write a document.

use super::document;
use crate::cli::ScanArgs;
use anyhow::Context;
use cairn_engine::bom::{BomInput, render};
use cairn_engine::{Progress, Report, ScanOptions, ScanSink, Severity, Step, WalkOptions, scan_path};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Writes progress lines to stderr at most a few times a second.
struct StderrProgress {
    last: Mutex<Option<Instant>>,
}

impl ScanSink for StderrProgress {
    fn progress(&self, p: &Progress<'_>) -> bool {
        let Ok(mut last) = self.last.lock() else { return true };
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(250)) {
            return true;
        }
        *last = Some(Instant::now());
        let step = match p.step {
            Step::Walking => "walking",
            Step::Cataloging => "cataloging",
        };
        match p.percent {
            Some(pct) => eprintln!("cairn: {step} {pct:>3}% {}", p.detail),
            None => eprintln!("cairn: {step} {}", p.detail),
        }
        true
    }
}

struct Silent;
impl ScanSink for Silent {}

pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    if !args.offline {
        eprintln!(
            "cairn: error: this build scans only in-process; pass --offline (scanning through cairnd comes with the daemon)"
        );
        return Ok(ExitCode::from(2));
    }
    let opts = ScanOptions {
        walk: WalkOptions {
            excludes: args.excludes.clone(),
            max_file_size: args.max_file_size,
            ..WalkOptions::default()
        },
    };
    let progress = StderrProgress { last: Mutex::new(None) };
    let sink: &dyn ScanSink = if args.quiet { &Silent } else { &progress };
    let scan =
        scan_path(&args.path, &opts, sink).with_context(|| format!("scanning {}", args.path.display()))?;

    let target = args.path.display().to_string();
    let doc = match args.format.document() {
        None => Report::new(&target, &scan).to_json(),
        Some(format) => {
            let input = BomInput::new(
                document::project_name(&args.document, &args.path),
                args.document.project_version.clone(),
                document::timestamp(&args.document)?,
                scan.inventory.clone(),
            );
            render(format, &input).with_context(|| format!("writing {format}"))?
        }
    };
    document::write(args.output.as_deref(), &doc)?;
    if !args.quiet {
        summary(&scan);
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(scan: &cairn_engine::Scan) {
    let inv = &scan.inventory;
    let direct = inv.components.iter().filter(|c| c.direct == Some(true) && !c.local).count();
    let local = inv.components.iter().filter(|c| c.local).count();
    let errors = inv.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = inv.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
    eprintln!(
        "cairn: {} components ({direct} direct, {local} local) from {} files in {} entries; {errors} errors, {warnings} warnings; {} skipped",
        inv.components.len(),
        scan.stats.files_cataloged,
        scan.stats.entries_walked,
        inv.skipped.len(),
    );
    for d in inv.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        match d.line {
            Some(line) => eprintln!("cairn: error: {}:{line}: {}", d.path, d.message),
            None => eprintln!("cairn: error: {}: {}", d.path, d.message),
        }
    }
    for s in &inv.skipped {
        eprintln!("cairn: skipped {}: {}", if s.path.is_empty() { "." } else { &s.path }, s.reason);
    }
}

//! `cairn scan PATH --offline`: run the engine in this process and write a document.
//! (Without `--offline`, `remote_scan` submits to a daemon.)

use super::document;
use crate::cli::{Format, ScanArgs};
use crate::exit;
use crate::findings_table::Row;
use crate::gate::{Gate, Tally, read_ignore_file};
use crate::policy_gate::{self, read_policy};
use anyhow::Context;
use cairn_engine::bom::{BomInput, Format as BomFormat, RootKind, render, render_to, to_cbom};
use cairn_engine::image::{
    ImageError, ImageInfo, ImageLimits, ImageOptions, ImageScanError, looks_like_image, scan_image,
};
use cairn_engine::policy::{
    Condition, CryptoFacts, GateStatus, PolicyInput, ProjectFacts, VulnFacts, evaluate,
};
use cairn_engine::report::{NO_VULNERABILITY_DATA, Vulnerabilities};
use cairn_engine::vuln::{
    CacheUse, Database, Matches, Rating, VulnData, load_paths, match_inventory, open_cached,
};
use cairn_engine::{Progress, Report, ScanOptions, ScanSink, Severity, Step, WalkOptions, scan_path};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

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
            Step::Licenses => "matching licenses",
            Step::Crypto => "detecting cryptography",
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
    let format = args.format.unwrap_or_else(|| default_format(args.output.is_some()));
    // Flags are checked before the scan: a bad one fails at once, with the usage exit code.
    let dated = !matches!(format, Format::Table | Format::Json | Format::Notice);
    let timestamp = document::checked_timestamp(&args.document, dated)?;
    let policy = args.policy.as_deref().map(read_policy).transpose()?;
    let opts = ScanOptions {
        walk: WalkOptions {
            excludes: args.excludes.clone(),
            max_file_size: args.max_file_size.unwrap_or(cairn_engine::walk::DEFAULT_MAX_FILE_SIZE),
            ..WalkOptions::default()
        },
        // Crypto detection reads every source file: only for the documents that carry it, or
        // for a policy that has crypto rules.
        crypto: matches!(format, Format::Cbom | Format::Cyclonedx | Format::Cyclonedx17 | Format::Json)
            || policy
                .as_ref()
                .is_some_and(|p| p.rules.iter().any(|r| matches!(r.condition, Condition::Crypto(_)))),
        package_caches: if args.no_package_caches {
            Vec::new()
        } else {
            super::package_caches::user_caches()
        },
    };
    let gate = Gate::of(&args);
    if gate.is_some() && args.vulndb.is_empty() {
        return Err(exit::usage(
            "the gate (--fail-on, --fail-on-unknown, --fail-on-warnings) needs vulnerability data offline: add --vulndb PATH",
        ));
    }
    if args.ignore_file.is_some() && args.vulndb.is_empty() {
        return Err(exit::usage("--ignore-file suppresses findings: add --vulndb PATH to have some"));
    }
    let vex = args.ignore_file.as_deref().map(read_ignore_file).transpose()?;
    // Open the OSV data first: a bad --vulndb path fails before a long scan, not after it. A
    // current cache is only opened here; the records the inventory needs are read after the scan.
    let opened: Option<OpenedVulndb> = if args.vulndb.is_empty() {
        None
    } else {
        Some(open_vulndb(&args).context("reading vulnerability data (--vulndb)")?)
    };
    let progress = StderrProgress { last: Mutex::new(None) };
    let sink: &dyn ScanSink = if args.quiet { &Silent } else { &progress };
    let (mut scan, image) = scan_target(&args, &opts, sink)?;
    let db: Option<Database> = opened
        .map(|o| o.database_for(&scan.inventory, args.quiet))
        .transpose()
        .context("reading vulnerability data (--vulndb)")?;

    let mut matches: Option<Matches> = db.as_ref().map(|db| match_inventory(&scan.inventory, db));
    if let (Some(m), Some(vex)) = (&mut matches, &vex) {
        m.suppress(vex);
    }

    let gate_result = policy.as_ref().map(|p| {
        let input = PolicyInput {
            project: ProjectFacts {
                name: document::project_name(&args.document, &args.path),
                tags: Vec::new(),
            },
            now: OffsetDateTime::now_utc(),
            components: &scan.inventory.components,
            // Offline nothing is triaged; --ignore-file's suppressed findings are already gone.
            vulnerabilities: db.as_ref().zip(matches.as_ref()).map(|(db, m)| VulnFacts::of(m, db, |_| None)),
            crypto: opts
                .crypto
                .then_some(CryptoFacts { uses: &scan.crypto, material: &scan.crypto_material }),
        };
        evaluate(p, &input)
    });

    let target = args.path.display().to_string();
    let doc: Option<String> = match format {
        Format::Json => {
            let report = Report::new(&target, &scan).with_crypto(&scan).with_gate(gate_result.as_ref());
            let report = match (&db, &matches) {
                (Some(db), Some(m)) => report.with_vulnerabilities(Vulnerabilities::matched(db, m)),
                _ => report,
            };
            Some(report.to_json())
        }
        Format::Table => {
            let color = args.output.is_none() && crate::table::color();
            Some(crate::findings_table::render(
                &rows(&scan, matches.as_ref()),
                &coverage(db.as_ref(), matches.as_ref()),
                color,
            ))
        }
        Format::Notice if image.is_some() => {
            return Err(exit::usage("-f notice is not available for container images yet"));
        }
        Format::Notice => {
            let root =
                args.path.canonicalize().with_context(|| format!("resolving {}", args.path.display()))?;
            // A single lockfile's license files are those of its directory.
            let root =
                if root.is_file() { root.parent().map(Path::to_path_buf).unwrap_or(root) } else { root };
            let name = document::project_name(&args.document, &args.path);
            // License files are read again from the tree, confined to the root like every read.
            let tree = cairn_engine::tree::FsTree::new(root, opts.walk.max_file_size, Vec::new());
            Some(cairn_engine::license::notice::render(&scan.inventory, &name, &tree))
        }
        Format::Cbom => {
            let mut input = BomInput::new(
                root_name(&args, image.as_ref()),
                args.document.project_version.clone(),
                dated_at(timestamp.as_deref())?,
                // The CBOM keeps only the inventory's crypto libraries, to say what they provide.
                scan.inventory.clone(),
            );
            input.crypto = scan.crypto.clone();
            input.crypto_material = scan.crypto_material.clone();
            input.crypto_protocols = scan.crypto_protocols.clone();
            if image.is_some() {
                input.root_kind = RootKind::Container;
            }
            Some(to_cbom(&input))
        }
        other => {
            let Some(format) = other.document() else {
                anyhow::bail!("no writer for -f {}", other.name());
            };
            // The inventory moves into the document's input instead of being copied (11k
            // components held twice), and comes back for the summary once the document is out.
            let taken = cairn_engine::Scan {
                inventory: std::mem::take(&mut scan.inventory),
                crypto: std::mem::take(&mut scan.crypto),
                crypto_material: std::mem::take(&mut scan.crypto_material),
                crypto_protocols: std::mem::take(&mut scan.crypto_protocols),
                stats: scan.stats,
            };
            let mut input = BomInput::from_owned_scan(
                root_name(&args, image.as_ref()),
                args.document.project_version.clone(),
                dated_at(timestamp.as_deref())?,
                taken,
                matches.as_ref(),
            );
            if image.is_some() {
                input.root_kind = RootKind::Container;
            }
            input.gate = gate_result.clone();
            let doc = if format == BomFormat::OpenVex {
                // OpenVEX can refuse its input (nothing to state): rendered whole before the
                // output is opened, so a refusal leaves an existing file as it was.
                Some(render(format, &input).with_context(|| format!("writing {format}"))?)
            } else {
                // Streamed from the typed model: no document-sized string in memory.
                document::write_with(args.output.as_deref(), |out| {
                    render_to(format, &input, out).with_context(|| format!("writing {format}"))
                })?;
                None
            };
            scan.inventory = input.inventory;
            scan.crypto = input.crypto;
            doc
        }
    };
    if let Some(doc) = &doc {
        document::write(args.output.as_deref(), doc)?;
    }
    if !args.quiet {
        summary(&scan);
        match (&db, &matches) {
            (Some(db), Some(m)) => vuln_summary(db, m),
            _ => eprintln!(
                "cairn: warning: {NO_VULNERABILITY_DATA} (--vulndb PATH); vulnerabilities were NOT checked"
            ),
        }
    }
    let mut failed = false;
    if let Some(g) = &gate_result {
        let lines = policy_gate::lines(g);
        // Quiet still says why a gate failed.
        let shown = if args.quiet && g.status != GateStatus::Fail { 0 } else { lines.len() };
        for line in &lines[..shown] {
            eprintln!("cairn: {line}");
        }
        failed = g.status == GateStatus::Fail;
    }
    if let (Some(gate), Some(m)) = (gate, &matches) {
        let tally = Tally {
            findings: m.findings.iter().map(|f| f.severity.rating).collect(),
            warnings: m.warnings.len(),
            suppressed: m.suppressed.len(),
        };
        let verdict = gate.judge(&tally);
        if !args.quiet || verdict.failing > 0 {
            for line in &verdict.lines {
                eprintln!("cairn: {line}");
            }
        }
        failed |= verdict.failing > 0;
    }
    // The process ends next (`cairn scan` is one command per process): freeing the inventory, the
    // findings and the advisories object by object took about a tenth of a large scan's time,
    // and the system takes the memory back at once.
    std::mem::forget((scan, matches, db, doc));
    Ok(if failed { ExitCode::from(exit::GATE) } else { ExitCode::SUCCESS })
}

/// Scans the path: a container image when it is one (or `--platform` is given), else a tree or
/// a lockfile. A tar that is not an image is scanned as the file it is.
fn scan_target(
    args: &ScanArgs,
    opts: &ScanOptions,
    sink: &dyn ScanSink,
) -> anyhow::Result<(cairn_engine::Scan, Option<ImageInfo>)> {
    // Kept until the scan ends: a pulled image's layout.
    let mut pulled = None;
    let mut path = args.path.clone();
    if let Some(reference) = registry_reference(&args.path) {
        let dir = tempfile::tempdir().context("a temporary directory for the pulled image")?;
        let layout = dir.path().join("image");
        if !args.quiet {
            eprintln!("cairn: pulling {reference}");
        }
        pull_image(&reference, &layout, args.platform.as_deref())?;
        path = layout;
        pulled = Some(dir);
    }
    if pulled.is_some() || args.platform.is_some() || looks_like_image(&path) {
        let image_opts = ImageOptions {
            platform: args.platform.as_deref().map(str::parse).transpose()?,
            limits: ImageLimits { max_file_size: opts.walk.max_file_size, ..ImageLimits::default() },
        };
        match scan_image(&path, &image_opts, sink) {
            Ok(s) => {
                if !args.quiet {
                    image_summary(&s.image);
                }
                return Ok((s.scan, Some(s.image)));
            }
            Err(ImageScanError::Image(ImageError::NotAnImage(_))) if args.platform.is_none() => {}
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!("scanning image {}", args.path.display())));
            }
        }
    }
    let scan =
        scan_path(&args.path, opts, sink).with_context(|| format!("scanning {}", args.path.display()))?;
    Ok((scan, None))
}

/// A registry reference (`registry/repo:tag`, `repo@sha256:…`) given where no file is: an image
/// to pull. A tag or digest is required, so a mistyped path is not sent to a registry.
pub(crate) fn registry_reference(path: &Path) -> Option<cairn_sdk::registry::ImageReference> {
    let text = path.to_str()?;
    if path.exists() || !(text.contains(':') || text.contains('@')) {
        return None;
    }
    cairn_sdk::registry::ImageReference::parse(text).ok()
}

/// Pulls `reference` into an OCI layout at `layout` (any host: the user could reach it
/// themselves), with `CAIRN_REGISTRY_USERNAME`/`CAIRN_REGISTRY_PASSWORD` when set.
fn pull_image(
    reference: &cairn_sdk::registry::ImageReference,
    layout: &Path,
    platform: Option<&str>,
) -> anyhow::Result<()> {
    use cairn_sdk::registry::{AnyHost, Credential, PullOptions, pull};
    let credential = match (std::env::var(ENV_REGISTRY_USERNAME), std::env::var(ENV_REGISTRY_PASSWORD)) {
        (Ok(username), Ok(password)) => Some(Credential { username, password }),
        _ => None,
    };
    let opts =
        PullOptions { platform: platform.map(str::parse).transpose()?, credential, ..PullOptions::default() };
    super::runtime()?
        .block_on(pull(reference, layout, &opts, &AnyHost))
        .with_context(|| format!("pulling {reference}"))?;
    Ok(())
}

/// The registry user name `cairn scan REF --offline` pulls with.
pub const ENV_REGISTRY_USERNAME: &str = "CAIRN_REGISTRY_USERNAME";
/// Its password or token.
pub const ENV_REGISTRY_PASSWORD: &str = "CAIRN_REGISTRY_PASSWORD";

/// The root component's name: `--name`, else the image's first tag, else the path's file name.
fn root_name(args: &ScanArgs, image: Option<&ImageInfo>) -> String {
    match (image.and_then(|i| i.tags.first()), &args.document.name) {
        (Some(tag), None) => tag.clone(),
        _ => document::project_name(&args.document, &args.path),
    }
}

fn image_summary(i: &ImageInfo) {
    let os = i.os.as_ref().and_then(|o| o.pretty_name.clone()).unwrap_or_else(|| "no os-release".into());
    eprintln!("cairn: image {} ({}, {}, {} layers, {os})", i.image_id, i.format, i.platform, i.layers);
}

/// The --vulndb data before the scan: parsed (--no-vulndb-cache, or no home directory for a
/// cache), or opened through the per-user cache, where unchanged data is one file whose records
/// are read only for the packages the scan finds.
enum OpenedVulndb {
    Parsed(Database),
    Cached(VulnData),
}

fn open_vulndb(args: &ScanArgs) -> anyhow::Result<OpenedVulndb> {
    let cache = if args.no_vulndb_cache { None } else { crate::dirs::Dirs::new().ok() };
    let Some(dirs) = cache else { return Ok(OpenedVulndb::Parsed(load_paths(&args.vulndb)?)) };
    Ok(OpenedVulndb::Cached(open_cached(&args.vulndb, &dirs.cache.join("vulndb"))?))
}

impl OpenedVulndb {
    /// The database to match `inventory` against, saying how the cache was used unless `quiet`.
    fn database_for(self, inventory: &cairn_engine::Inventory, quiet: bool) -> anyhow::Result<Database> {
        let data = match self {
            OpenedVulndb::Parsed(db) => return Ok(db),
            OpenedVulndb::Cached(data) => data,
        };
        let (db, used) = data.database_for(inventory)?;
        if !quiet {
            match used {
                CacheUse::Rebuilt(why) => eprintln!("cairn: vulnerability data cache rebuilt ({why})"),
                CacheUse::NotWritten(why) => {
                    eprintln!("cairn: warning: the vulnerability data cache could not be written: {why}")
                }
                CacheUse::Hit | CacheUse::Built => {}
            }
        }
        Ok(db)
    }
}

/// The checked timestamp of a dated document (always computed for one, see `run`).
fn dated_at(t: Option<&str>) -> anyhow::Result<String> {
    t.map(str::to_owned).context("no creation time for a dated document")
}

/// Without -f: the table for a person at a terminal, else the JSON report (to a file, or piped).
fn default_format(has_output: bool) -> Format {
    if !has_output && std::io::stdout().is_terminal() { Format::Table } else { Format::Json }
}

/// The table's rows: each finding with where its package is pinned, worst first.
fn rows(scan: &cairn_engine::Scan, matches: Option<&Matches>) -> Vec<Row> {
    let Some(m) = matches else { return Vec::new() };
    let mut rows: Vec<Row> = m
        .findings
        .iter()
        .map(|f| {
            let location = scan
                .inventory
                .components
                .iter()
                .find(|c| c.purl == f.purl)
                .and_then(|c| c.locations.first())
                .map_or_else(
                    || "-".to_owned(),
                    |l| match l.line {
                        Some(line) => format!("{}:{line}", l.path),
                        None => l.path.clone(),
                    },
                );
            Row {
                advisory: f.id.clone(),
                severity: f.severity.rating,
                package: f.name.clone(),
                installed: f.version.clone(),
                fixed: f
                    .nearest_fixed
                    .clone()
                    .or_else(|| f.fixed.first().cloned())
                    .unwrap_or_else(|| "-".into()),
                location,
            }
        })
        .collect();
    rows.sort_by(Row::worst_first);
    rows
}

/// The lines under the table: what was matched against what, and what was not evaluated.
fn coverage(db: Option<&Database>, matches: Option<&Matches>) -> Vec<String> {
    let (Some(db), Some(m)) = (db, matches) else {
        return vec![format!(
            "WARNING: {NO_VULNERABILITY_DATA} (--vulndb PATH): vulnerabilities were NOT checked"
        )];
    };
    let info = db.info();
    let counts = m.by_rating();
    let parts: Vec<String> = Rating::ALL
        .iter()
        .filter_map(|r| counts.get(r).filter(|n| **n > 0).map(|n| format!("{n} {r}")))
        .collect();
    let mut lines = vec![format!(
        "{} vulnerabilities{} in {} components checked against {} advisories; {} not evaluated",
        m.findings.len(),
        if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) },
        m.components_checked,
        info.advisories,
        m.not_evaluated.len(),
    )];
    if info.advisories == 0 {
        lines.push(
            "WARNING: the vulnerability data holds no usable advisory; nothing was really checked".into(),
        );
    }
    lines.extend(m.coverage.iter().flat_map(|e| e.lines()).map(|l| format!("coverage: {l}")));
    if !m.warnings.is_empty() {
        lines.push(format!(
            "{} warnings (unmaintained, unsound or notice advisories; not findings)",
            m.warnings.len()
        ));
    }
    if !m.suppressed.is_empty() {
        lines.push(format!("{} findings suppressed by --ignore-file", m.suppressed.len()));
    }
    lines
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
    if !scan.crypto.is_empty() {
        let r = cairn_engine::crypto::quantum::readiness(&scan.crypto);
        let score = r.score.map_or_else(|| "n/a".to_owned(), |s| s.to_string());
        eprintln!(
            "cairn: {} crypto uses; {} algorithms rated, {} quantum-vulnerable or broken; readiness {score}/100 ({})",
            scan.crypto.len(),
            r.rated,
            r.vulnerable,
            cairn_engine::crypto::quantum::METHODOLOGY
        );
    }
    license_summary(inv);
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

/// Third-party components per license category (and not determined), then what shipping them
/// asks, as the engine words it so it agrees with the JSON report's `licenses` section.
fn license_summary(inv: &cairn_engine::Inventory) {
    let s = cairn_engine::license::summary::summarize(inv);
    if !s.project_headers.is_empty() {
        let counts: Vec<String> = s.project_headers.iter().map(|(e, n)| format!("{e} {n}")).collect();
        eprintln!("cairn: project SPDX-License-Identifier lines: {}", counts.join(", "));
    }
    for line in s.human_lines() {
        eprintln!("cairn: {line}");
    }
}

fn vuln_summary(db: &Database, m: &Matches) {
    let info = db.info();
    let by_eco: Vec<String> = info.by_ecosystem.iter().map(|(e, n)| format!("{e} {n}")).collect();
    eprintln!(
        "cairn: OSV data: {} advisories ({}), newest modified {}; {} withdrawn left out; {} unreadable",
        info.advisories,
        if by_eco.is_empty() { "none".to_owned() } else { by_eco.join(", ") },
        info.newest_modified.as_deref().unwrap_or("unknown"),
        info.withdrawn,
        info.diagnostics.len(),
    );
    for d in info.diagnostics.iter().take(5) {
        eprintln!("cairn: warning: vulndb {}: {}", d.source, d.reason);
    }
    if info.diagnostics.len() > 5 {
        eprintln!(
            "cairn: warning: vulndb: {} more unreadable records (see the JSON report)",
            info.diagnostics.len() - 5
        );
    }
    if info.advisories == 0 {
        eprintln!(
            "cairn: warning: the vulnerability data holds no usable advisory; nothing was really checked"
        );
    }
    for c in &m.coverage {
        for line in c.lines() {
            eprintln!("cairn: coverage: {line}");
        }
    }
    let counts = m.by_rating();
    let parts: Vec<String> =
        Rating::ALL.iter().map(|r| format!("{} {r}", counts.get(r).copied().unwrap_or(0))).collect();
    let components: std::collections::BTreeSet<&str> = m.findings.iter().map(|f| f.purl.as_str()).collect();
    let evaluated: usize = m.coverage.iter().map(|c| c.evaluated).sum();
    eprintln!(
        "cairn: {} vulnerabilities ({}) in {} of {evaluated} evaluated components ({} components; {} not evaluated); {} advisory checks undecided",
        m.findings.len(),
        parts.join(", "),
        components.len(),
        m.components_checked,
        m.components_not_evaluated(),
        m.not_evaluated.len(),
    );
    let kinds: Vec<String> =
        m.warnings_by_kind().iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {k}")).collect();
    eprintln!(
        "cairn: {} warnings{}",
        m.warnings.len(),
        if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) }
    );
    if !m.suppressed.is_empty() {
        eprintln!("cairn: {} findings suppressed by --ignore-file:", m.suppressed.len());
        for s in &m.suppressed {
            eprintln!(
                "cairn:   {} {} — {} ({})",
                s.finding.id,
                s.finding.purl,
                s.statement.state.as_str(),
                s.statement.at
            );
        }
    }
}

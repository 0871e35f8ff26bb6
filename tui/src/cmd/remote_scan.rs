//! `cairn scan PATH|URL` without `--offline`: submit to the daemon (local or configured), follow
//! it on the WebSocket with a progress bar, print a summary, download a document, and exit by
//! `--fail-on`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use cairn_sdk::types::{
    BomFormat, CreateScan, Finding, ProjectId, ProjectKind, Scan, ScanComponent, ScanCounts, ScanStatus,
    SubmitSource, TriageState, VulnDataState,
};
use cairn_sdk::{Client, ListQuery, ScanWatcher, Upload, WatchEvent};
use futures_util::StreamExt;

use crate::cli::{Format, ScanArgs};
use crate::connect::Target;
use crate::dirs::Dirs;
use crate::findings_table::Row;
use crate::gate::{Gate, Tally, read_ignore_file};
use crate::pack::tarball;
use cairn_engine::vuln::{Rating, Vex};

/// What the argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    /// A git repository URL.
    Git(String),
    /// A directory on this machine.
    Dir(PathBuf),
}

/// A git URL when it looks like one (`https://`, `http://`, `ssh://`, `git://`, `file://`,
/// `user@host:path`), else a path.
pub fn classify(arg: &Path) -> ScanTarget {
    let Some(s) = arg.to_str() else { return ScanTarget::Dir(arg.to_path_buf()) };
    let scheme = ["https://", "http://", "ssh://", "git://", "file://"].iter().any(|p| s.starts_with(p));
    // scp-like `git@github.com:org/repo.git`: a user, a host, a colon, no slash before the colon.
    let scp = s
        .split_once(':')
        .is_some_and(|(left, _)| left.contains('@') && !left.contains('/') && !Path::new(s).exists());
    if scheme || scp { ScanTarget::Git(s.to_owned()) } else { ScanTarget::Dir(arg.to_path_buf()) }
}

/// The daemon document for a `-f` value; Cairn's own JSON report and NOTICE files are made only
/// in-process.
pub fn bom_format(f: Format) -> Option<BomFormat> {
    Some(match f {
        Format::Cyclonedx => BomFormat::CycloneDx,
        Format::Cyclonedx15 => BomFormat::CycloneDx15,
        Format::Cyclonedx17 => BomFormat::CycloneDx17,
        Format::Spdx => BomFormat::Spdx,
        Format::Spdx23 => BomFormat::Spdx23,
        Format::Openvex => BomFormat::OpenVex,
        Format::Sarif => BomFormat::Sarif,
        Format::Cbom => BomFormat::Cbom,
        Format::Table | Format::Json | Format::Notice => return None,
    })
}

/// The gate's tally from the scan's counts, for daemons without `/findings` (no triage: every
/// finding is open).
pub fn tally_of_counts(counts: &ScanCounts) -> Tally {
    let findings = Rating::ALL
        .into_iter()
        .flat_map(|rating| std::iter::repeat_n(rating, counts.severities.get(rating) as usize))
        .collect();
    Tally { findings, warnings: counts.warnings as usize, suppressed: 0 }
}

/// True while a finding still needs action: untriaged, `in_triage` or `affected` (as the
/// daemon's `open_findings` counts). `not_affected`, `false_positive` and `fixed` are settled.
pub fn is_open(f: &Finding) -> bool {
    f.triage.as_ref().is_none_or(|t| matches!(t.state, TriageState::InTriage | TriageState::Affected))
}

/// The gate's tally from the scan's open findings, less those `vex` suppresses.
async fn open_findings_tally(
    client: &Client,
    done: &Scan,
    vex: Option<&Vex>,
) -> Result<Tally, cairn_sdk::Error> {
    let mut findings = client.findings(ListQuery::limit(500).filter("scan", done.id.to_string()));
    let mut tally = Tally { warnings: done.counts.warnings as usize, ..Tally::default() };
    while let Some(f) = findings.next().await {
        let f = f?;
        if !is_open(&f) {
            continue;
        }
        let ids: Vec<&str> = std::iter::once(f.finding.vulnerability_id.as_str())
            .chain(f.finding.aliases.iter().map(String::as_str))
            .collect();
        if vex.is_some_and(|v| v.suppressing_ids(&ids, &f.finding.purl).is_some()) {
            tally.suppressed += 1;
            continue;
        }
        tally.findings.push(f.finding.severity);
    }
    Ok(tally)
}

/// The request for a target: a path source for the local daemon, an upload for a remote one.
pub enum Submission {
    /// `POST /scans`.
    Create(CreateScan),
    /// `POST /scans/upload`.
    Upload(Upload),
}

pub fn submission(args: &ScanArgs, local_daemon: bool) -> anyhow::Result<Submission> {
    // The project is resolved (by name or id) once the client exists; see `run`.
    let create = |source| CreateScan { source, project: None, version: None, crypto: true };
    // A registry reference where no file is: the daemon pulls the image.
    if let Some(reference) = super::scan::registry_reference(&args.path) {
        if args.reference.is_some() {
            bail!("--ref applies to git URLs only");
        }
        let source =
            SubmitSource::Image { reference: reference.to_string(), platform: args.platform.clone() };
        return Ok(Submission::Create(create(source)));
    }
    if args.platform.is_some() {
        return Err(crate::exit::usage(
            "--platform applies to a registry reference, or to an image archive with --offline",
        ));
    }
    match classify(&args.path) {
        ScanTarget::Git(url) => {
            Ok(Submission::Create(create(SubmitSource::Git { url, reference: args.reference.clone() })))
        }
        ScanTarget::Dir(_) if args.reference.is_some() => bail!("--ref applies to git URLs only"),
        ScanTarget::Dir(dir) => {
            // A directory, or one lockfile (the daemon scans it alone, in its directory).
            let abs = dir.canonicalize().with_context(|| format!("resolving {}", dir.display()))?;
            if !abs.is_dir() && !abs.is_file() {
                bail!("{} is neither a directory nor a regular file", abs.display());
            }
            if local_daemon {
                let path =
                    abs.to_str().with_context(|| format!("{} is not valid UTF-8", abs.display()))?.to_owned();
                Ok(Submission::Create(create(SubmitSource::Path { path })))
            } else {
                let name = abs
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "root".into());
                let bytes = tarball(&abs, args.max_upload)?;
                Ok(Submission::Upload(Upload { file_name: format!("{name}.tar.gz"), bytes }))
            }
        }
    }
}

/// The kind of project `--create-project` makes for a submission: `image` when an image is
/// scanned (the catalogue lists image projects only), `repo` otherwise.
pub fn project_kind(submission: &Submission) -> ProjectKind {
    match submission {
        Submission::Create(CreateScan { source: SubmitSource::Image { .. }, .. }) => ProjectKind::Image,
        Submission::Create(_) | Submission::Upload(_) => ProjectKind::Repo,
    }
}

/// Progress on stderr: one redrawn bar on a terminal, a line per change otherwise.
struct Progress {
    tty: bool,
    quiet: bool,
    last: Option<(ScanStatus, u8, Option<String>)>,
}

impl Progress {
    fn show(&mut self, status: ScanStatus, percent: u8, step: Option<&str>) {
        if self.quiet {
            return;
        }
        let key = (status, percent, step.map(str::to_owned));
        if self.last.as_ref() == Some(&key) {
            return;
        }
        self.last = Some(key);
        let step = step.map(|s| format!(" {s}")).unwrap_or_default();
        if self.tty {
            let filled = usize::from(percent.min(100)) * 30 / 100;
            let bar = format!("{}{}", "#".repeat(filled), "-".repeat(30 - filled));
            eprint!("\r\x1b[2K[{bar}] {percent:>3}% {}{step}", status.as_str());
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("cairn: {percent:>3}% {}{step}", status.as_str());
        }
    }

    fn finish(&self) {
        if self.tty && !self.quiet && self.last.is_some() {
            eprintln!();
        }
    }
}

/// The flags only an in-process scan honours, given without `--offline`: refused, never
/// silently ignored. (`--vulndb`: a daemon matches against its own data; `--exclude` and
/// `--max-file-size`: a path scan reads the tree on the daemon's side, which takes neither;
/// `--name`, `--project-version`, `--timestamp`: the daemon names and dates its documents.)
pub fn offline_only(args: &ScanArgs) -> Option<&'static str> {
    if !args.vulndb.is_empty() {
        Some("--vulndb (a daemon matches against its own vulnerability data: cairn db import)")
    } else if !args.excludes.is_empty() {
        Some("--exclude")
    } else if args.max_file_size.is_some() {
        Some("--max-file-size")
    } else if args.document.name.is_some() {
        Some("--name")
    } else if args.document.project_version.is_some() {
        Some("--project-version")
    } else if args.document.timestamp.is_some() {
        Some("--timestamp")
    } else if args.policy.as_deref().is_some_and(|p| p != crate::policy_gate::ASSIGNED) {
        Some("--policy FILE|default (through a daemon use --policy assigned: the project's policy)")
    } else {
        None
    }
}

/// What to print when the scan is done: a document to download, the table, or the summary alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Only the summary on stderr (piped, no -f).
    Summary,
    /// The findings table on stdout.
    Table,
    /// A document downloaded from the daemon.
    Document(BomFormat),
}

/// The output `-f`/`-o` ask for; a terminal without either gets the table. Formats made only
/// in-process are a usage error.
pub fn output(args: &ScanArgs, stdout_tty: bool) -> anyhow::Result<Output> {
    Ok(match args.format {
        Some(Format::Table) => Output::Table,
        Some(f) => match bom_format(f) {
            Some(b) => Output::Document(b),
            None => {
                return Err(crate::exit::usage(format!(
                    "-f {} is made only in-process; use --offline, or a document format such as cyclonedx",
                    f.name()
                )));
            }
        },
        None if args.output.is_some() => Output::Document(BomFormat::CycloneDx),
        None if stdout_tty => Output::Table,
        None => Output::Summary,
    })
}

pub fn run(args: ScanArgs, dirs: &Dirs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    if let Some(flag) = offline_only(&args) {
        return Err(crate::exit::usage(format!(
            "{flag} applies only to in-process scans: add --offline, or leave it out"
        )));
    }
    let output = output(&args, std::io::stdout().is_terminal())?;
    let gate = Gate::of(&args);
    let vex = args.ignore_file.as_deref().map(read_ignore_file).transpose()?;
    let daemon_gate = args.policy.as_deref() == Some(crate::policy_gate::ASSIGNED);
    let wait = args.wait || output != Output::Summary || gate.is_some() || vex.is_some() || daemon_gate;
    let target = Target::resolve(dirs, profile)?;
    let mut submission = submission(&args, target.is_local())?;
    let rt = super::runtime()?;
    rt.block_on(async move {
        let client = target.client(dirs).await?;
        let project = match &args.project {
            None => None,
            Some(arg) => Some(match super::lookup::find_project(&client, arg).await? {
                Some(id) => id,
                // An id names an existing project; only a name can be created.
                None if arg.parse::<ProjectId>().is_ok() => bail!("no project with id {arg}"),
                None if args.create_project => {
                    let p = super::projects::create(&client, arg, project_kind(&submission)).await?;
                    if !args.quiet {
                        eprintln!("cairn: created project {} ({})", p.name, p.id);
                    }
                    p.id
                }
                None => {
                    return Err(crate::exit::usage(format!(
                        "no project named {arg:?}: add --create-project to create it (see cairn projects ls)"
                    )));
                }
            }),
        };
        if let Submission::Create(body) = &mut submission {
            body.project = project;
        }
        let submitted = match submission {
            Submission::Create(body) => client.create_scan(&body).await,
            Submission::Upload(upload) => {
                if !args.quiet {
                    eprintln!("cairn: uploading {} ({} bytes)", upload.file_name, upload.bytes.len());
                }
                client.upload_scan(upload, project, None).await
            }
        };
        let scan = match submitted {
            Ok(scan) => scan,
            Err(e) if e.code() == Some("ROUTE_NOT_FOUND") => {
                bail!(
                    "{} does not accept scans (it predates them); upgrade it, or scan with --offline",
                    client.base_url()
                )
            }
            Err(e) => return Err(anyhow::Error::from(e).context("submitting the scan")),
        };
        if !wait {
            crate::outln!("{}", scan.id);
            return Ok(ExitCode::SUCCESS);
        }
        let done = follow(&client, &scan, args.quiet).await?;
        // A scan that did not complete has no counts worth printing: its error alone.
        match done.status {
            ScanStatus::Completed => {}
            ScanStatus::Failed => {
                eprintln!(
                    "cairn: error: scan {} failed: {}",
                    done.id,
                    done.error.as_deref().unwrap_or("no reason given")
                );
                return Ok(ExitCode::from(crate::exit::FAILURE));
            }
            other => {
                eprintln!("cairn: error: scan {} ended {}", done.id, other.as_str());
                return Ok(ExitCode::from(crate::exit::FAILURE));
            }
        }
        if !args.quiet {
            summary(&done);
        }
        match output {
            Output::Summary => {}
            Output::Table => {
                let text = table(&client, &done).await?;
                match &args.output {
                    Some(path) => {
                        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?
                    }
                    None => write_stdout(text.as_bytes())?,
                }
            }
            Output::Document(format) => {
                let bytes = client
                    .scan_bom(done.id, format)
                    .await
                    .with_context(|| format!("downloading {}", format.as_str()))?;
                match &args.output {
                    Some(path) => {
                        std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?
                    }
                    None => write_stdout(&bytes)?,
                }
            }
        }
        if gate.is_some() || vex.is_some() {
            let tally = match open_findings_tally(&client, &done, vex.as_ref()).await {
                Ok(t) => t,
                // A daemon without `/findings` (no triage): every finding is open, none can be
                // matched to a VEX statement.
                Err(e) if e.is_not_found() && vex.is_none() => tally_of_counts(&done.counts),
                Err(e) => {
                    return Err(anyhow::Error::from(e).context("reading the scan's findings (gate)"));
                }
            };
            let verdict =
                gate.unwrap_or(Gate { threshold: None, unknown: false, warnings: false }).judge(&tally);
            if !args.quiet || verdict.failing > 0 {
                for line in &verdict.lines {
                    eprintln!("cairn: {line}");
                }
            }
            if verdict.failing > 0 {
                return Ok(ExitCode::from(crate::exit::GATE));
            }
        }
        if daemon_gate {
            // The gate the daemon evaluated at the scan's end with the project's assigned policy
            // (else the tenant default, else the built-in one), approved exceptions applied.
            let g = client.scan_gate_result(done.id).await.context("reading the scan's gate")?;
            let g = crate::policy_gate::from_wire(&g).context("reading the scan's gate")?;
            let failed = g.status == cairn_engine::policy::GateStatus::Fail;
            if !args.quiet || failed {
                for line in crate::policy_gate::lines(&g) {
                    eprintln!("cairn: {line}");
                }
            }
            if failed {
                return Ok(ExitCode::from(crate::exit::GATE));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).context("writing to standard output")?;
    out.flush().context("writing to standard output")
}

/// The findings table of a completed scan: its findings worst first, then what was matched.
async fn table(client: &Client, scan: &Scan) -> anyhow::Result<String> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut stream = client.findings(ListQuery::limit(500).filter("scan", scan.id.to_string()));
    while let Some(f) = stream.next().await {
        findings.push(f.context("reading the scan's findings")?);
    }
    findings.sort_by(Finding::worst_first);
    // Name, version and where it is pinned come from the scan's components.
    let mut components: HashMap<String, ScanComponent> = HashMap::new();
    if !findings.is_empty() {
        let mut stream = client.scan_components(scan.id, ListQuery::limit(500));
        while let Some(c) = stream.next().await {
            let c = c.context("reading the scan's components")?;
            components.insert(c.id.clone(), c);
        }
    }
    let rows: Vec<Row> = findings
        .iter()
        .map(|f| {
            let f = &f.finding;
            let component = components.get(&f.component_id);
            let (name, version) = purl_name_version(&f.purl);
            Row {
                advisory: f.vulnerability_id.clone(),
                severity: f.severity,
                package: component.map_or(name, |c| c.name.clone()),
                installed: component.and_then(|c| c.version.clone()).unwrap_or(version),
                fixed: f.fixed_version.clone().unwrap_or_else(|| "-".into()),
                location: component.and_then(|c| c.locations.first().cloned()).unwrap_or_else(|| "-".into()),
            }
        })
        .collect();
    let c = &scan.counts;
    let notes = match scan.vulndb.as_ref().map(|v| (v.state, v)) {
        None | Some((VulnDataState::None | VulnDataState::Unknown, _)) => {
            vec!["WARNING: NO VULNERABILITY DATA on the daemon: vulnerabilities were NOT checked".to_owned()]
        }
        Some((state, v)) => {
            let mut lines = vec![format!(
                "{} findings in {} components, matched against {} advisories (snapshot {})",
                c.findings,
                c.components,
                v.advisories,
                v.snapshot.as_deref().unwrap_or("unknown")
            )];
            if state == VulnDataState::Stale {
                lines.push(
                    "WARNING: the vulnerability data is STALE: recent vulnerabilities may be missing".into(),
                );
            }
            lines.extend(c.coverage.iter().flat_map(|e| e.lines()).map(|l| format!("coverage: {l}")));
            if c.warnings > 0 {
                lines.push(format!(
                    "{} warnings (unmaintained, unsound or notice advisories; not findings)",
                    c.warnings
                ));
            }
            lines
        }
    };
    Ok(crate::findings_table::render(&rows, &notes, crate::table::color()))
}

/// The name and version a purl names (`pkg:cargo/rsa@0.9.6` → `rsa`, `0.9.6`), `-` for a part
/// it lacks.
fn purl_name_version(purl: &str) -> (String, String) {
    let body = purl.split(['?', '#']).next().unwrap_or(purl);
    let (path, version) = match body.rsplit_once('@') {
        Some((p, v)) if !p.ends_with('/') && p.contains('/') => (p, v.to_owned()),
        _ => (body, "-".to_owned()),
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    let decode = |s: &str| s.replace("%40", "@").replace("%2F", "/").replace("%2f", "/");
    (decode(name), decode(&version))
}

/// Follows the scan to its end on the WebSocket and returns it as it ended.
async fn follow(client: &Client, scan: &Scan, quiet: bool) -> anyhow::Result<Scan> {
    let mut progress = Progress { tty: std::io::stderr().is_terminal(), quiet, last: None };
    if scan.status.is_terminal() {
        return Ok(scan.clone());
    }
    let mut events = ScanWatcher::new(client, scan.id).stream();
    let mut result = Ok(());
    while let Some(item) = events.next().await {
        match item {
            Ok(WatchEvent::Sync { scan, events }) => match events.last() {
                Some(e) => progress.show(e.status, e.percent, e.step.as_deref()),
                None => progress.show(scan.status, scan.percent, None),
            },
            Ok(WatchEvent::Event(e)) => progress.show(e.status, e.percent, e.step.as_deref()),
            // Reconnecting and Polling: the next Sync shows where the scan is.
            Ok(_) => {}
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    progress.finish();
    result.context("following the scan")?;
    // The socket ends after the terminal event; the scan row holds the final counts.
    Ok(client.scan(scan.id).await?)
}

fn summary(scan: &Scan) {
    let c = &scan.counts;
    let s = &c.severities;
    eprintln!("cairn: scan {} {}", scan.id, scan.status.as_str());
    eprintln!("cairn: {} components; {} diagnostics", c.components, c.diagnostics);
    for line in c.coverage.iter().flat_map(|e| e.lines()) {
        eprintln!("cairn: coverage: {line}");
    }
    let by_severity: Vec<String> = Rating::ALL.iter().map(|r| format!("{r} {}", s.get(*r))).collect();
    eprintln!("cairn: {} findings ({})", c.findings, by_severity.join(", "));
    eprintln!("cairn: {} warnings (unmaintained, unsound or notice advisories; not findings)", c.warnings);
    eprintln!(
        "cairn: {} components with a license; {} cryptographic assets",
        c.licensed_components, c.crypto_assets
    );
    if let Some(p) = &scan.pqc {
        match p.score {
            Some(score) => eprintln!(
                "cairn: post-quantum readiness {score}/100 ({}): {} of {} rated algorithms quantum-vulnerable",
                p.methodology, p.quantum_vulnerable, p.rated
            ),
            None => eprintln!("cairn: post-quantum readiness: no rated algorithm found ({})", p.methodology),
        }
    }
    match scan.vulndb.as_ref().map(|v| (v.state, v)) {
        None | Some((VulnDataState::None | VulnDataState::Unknown, _)) => eprintln!(
            "cairn: WARNING: NO VULNERABILITY DATA — vulnerabilities were NOT checked; \"0 findings\" means nothing. \
             Import or update OSV data on the daemon (cairnd vulndb import|update)."
        ),
        Some((VulnDataState::Stale, v)) => eprintln!(
            "cairn: WARNING: STALE VULNERABILITY DATA ({} advisories, snapshot {}) — recent vulnerabilities may be missing.",
            v.advisories,
            v.snapshot.as_deref().unwrap_or("unknown")
        ),
        Some((VulnDataState::Fresh, v)) => {
            eprintln!(
                "cairn: matched against {} advisories (snapshot {})",
                v.advisories,
                v.snapshot.as_deref().unwrap_or("unknown")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn scan_args(argv: &[&str]) -> ScanArgs {
        let cli = crate::cli::Cli::try_parse_from(std::iter::once("cairn").chain(argv.iter().copied()))
            .expect("parse");
        match cli.command {
            Some(crate::cli::Command::Scan(a)) => a,
            other => panic!("not a scan: {other:?}"),
        }
    }

    #[test]
    fn urls_and_paths_are_told_apart() {
        for url in ["https://github.com/o/r.git", "ssh://git@h/r", "file:///tmp/r", "git@github.com:o/r.git"]
        {
            assert_eq!(classify(Path::new(url)), ScanTarget::Git(url.into()), "{url}");
        }
        for path in [".", "/tmp", "src/lib", "a:b"] {
            assert_eq!(classify(Path::new(path)), ScanTarget::Dir(path.into()), "{path}");
        }
    }

    #[test]
    fn create_project_makes_an_image_project_for_an_image_and_a_repo_otherwise() {
        let image =
            submission(&scan_args(&["scan", "127.0.0.1:5000/cairn/debian:12"]), false).expect("image");
        assert_eq!(project_kind(&image), ProjectKind::Image);
        let git = submission(&scan_args(&["scan", "https://github.com/o/r.git"]), false).expect("git");
        assert_eq!(project_kind(&git), ProjectKind::Repo);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_str().expect("utf-8");
        assert_eq!(
            project_kind(&submission(&scan_args(&["scan", path]), true).expect("path")),
            ProjectKind::Repo
        );
        assert_eq!(
            project_kind(&submission(&scan_args(&["scan", path]), false).expect("upload")),
            ProjectKind::Repo
        );
    }

    #[test]
    fn a_registry_reference_is_an_image_source_with_its_platform() {
        let args = scan_args(&["scan", "127.0.0.1:5000/cairn/debian:12", "--platform", "linux/arm64"]);
        let Submission::Create(body) = submission(&args, false).expect("image") else { panic!("a create") };
        assert_eq!(
            serde_json::to_value(&body.source).expect("json"),
            serde_json::json!({"kind": "image", "reference": "127.0.0.1:5000/cairn/debian:12", "platform": "linux/arm64"})
        );
        // Docker Hub's short names are spelled out, so the daemon pulls what the user meant.
        let Submission::Create(body) = submission(&scan_args(&["scan", "debian:12"]), true).expect("hub")
        else {
            panic!("a create")
        };
        assert_eq!(
            body.source,
            SubmitSource::Image { reference: "docker.io/library/debian:12".into(), platform: None }
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let platform_on_a_dir =
            scan_args(&["scan", dir.path().to_str().expect("utf8"), "--platform", "linux/amd64"]);
        assert!(submission(&platform_on_a_dir, true).is_err());
    }

    #[test]
    fn a_local_daemon_gets_an_absolute_path_and_a_remote_one_an_upload() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("Cargo.lock"), "version = 3\n").expect("write");
        let args = scan_args(&["scan", dir.path().to_str().expect("utf8")]);
        let Submission::Create(body) = submission(&args, true).expect("local") else {
            panic!("a path source")
        };
        let want = dir.path().canonicalize().expect("canon").to_str().expect("utf8").to_owned();
        assert_eq!(body.source, SubmitSource::Path { path: want });
        assert_eq!(
            serde_json::to_value(&body).expect("json")["source"],
            serde_json::json!({"kind": "path", "path": body.source_path()})
        );
        let Submission::Upload(up) = submission(&args, false).expect("remote") else { panic!("an upload") };
        assert!(up.file_name.ends_with(".tar.gz"));
        let git = scan_args(&["scan", "https://example.com/r.git", "--ref", "v1"]);
        let Submission::Create(body) = submission(&git, false).expect("git") else { panic!("a git source") };
        assert_eq!(
            body.source,
            SubmitSource::Git { url: "https://example.com/r.git".into(), reference: Some("v1".into()) }
        );
        let bad = scan_args(&["scan", dir.path().to_str().expect("utf8"), "--ref", "v1"]);
        assert!(submission(&bad, true).is_err(), "--ref on a directory");
    }

    trait SourcePath {
        fn source_path(&self) -> String;
    }
    impl SourcePath for CreateScan {
        fn source_path(&self) -> String {
            match &self.source {
                SubmitSource::Path { path } => path.clone(),
                _ => String::new(),
            }
        }
    }

    #[test]
    fn the_upload_honours_gitignore_skips_git_and_caps_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join(".gitignore"), "target/\n*.log\n").expect("write");
        std::fs::create_dir_all(root.join("target")).expect("mkdir");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::create_dir_all(root.join("src")).expect("mkdir");
        std::fs::write(root.join("target/big.bin"), "x").expect("write");
        std::fs::write(root.join(".git/HEAD"), "ref").expect("write");
        std::fs::write(root.join("debug.log"), "x").expect("write");
        std::fs::write(root.join("Cargo.lock"), "version = 3\n").expect("write");
        std::fs::write(root.join("src/main.rs"), "fn main() {}\n").expect("write");
        std::os::unix::fs::symlink("/etc/passwd", root.join("escape")).expect("symlink");
        let bytes = tarball(root, 1 << 20).expect("tarball");
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        let names: Vec<String> = archive
            .entries()
            .expect("entries")
            .map(|e| e.expect("entry").path().expect("path").to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [".gitignore", "Cargo.lock", "src/main.rs"]);
        let err = tarball(root, 10).expect_err("over the cap");
        assert!(err.to_string().contains("--max-upload"), "{err}");
    }

    #[test]
    fn unknown_severity_counts_only_with_fail_on_unknown() {
        let args = scan_args(&["scan", ".", "--fail-on", "critical"]);
        let gate = Gate::of(&args).expect("a gate");
        assert!(gate.counts(Rating::Critical));
        assert!(!gate.counts(Rating::High));
        // Issue 14: an unknown severity no longer trips every threshold.
        assert!(!gate.counts(Rating::Unknown));
        let args = scan_args(&["scan", ".", "--fail-on", "critical", "--fail-on-unknown"]);
        assert!(Gate::of(&args).expect("a gate").counts(Rating::Unknown));
    }

    #[test]
    fn the_counts_tally_is_judged_like_the_findings() {
        let mut c = ScanCounts::default();
        c.severities.medium = 2;
        c.severities.unknown = 1;
        let judge =
            |argv: &[&str]| Gate::of(&scan_args(argv)).expect("a gate").judge(&tally_of_counts(&c)).failing;
        assert_eq!(judge(&["scan", ".", "--fail-on", "high"]), 0);
        assert_eq!(judge(&["scan", ".", "--fail-on", "medium"]), 2);
        assert_eq!(judge(&["scan", ".", "--fail-on", "critical", "--fail-on-unknown"]), 1);
    }

    #[test]
    fn severities_parse_through_the_one_type() {
        // Issue 15: `none` (CVSS 0.0) is a threshold and a filter; `unknown` a filter only.
        let mut c = ScanCounts::default();
        c.severities.none = 1;
        c.severities.low = 1;
        let judge =
            |argv: &[&str]| Gate::of(&scan_args(argv)).expect("a gate").judge(&tally_of_counts(&c)).failing;
        assert_eq!(judge(&["scan", ".", "--fail-on", "none"]), 2);
        assert_eq!(judge(&["scan", ".", "--fail-on", "low"]), 1);
        let err = crate::cli::Cli::try_parse_from(["cairn", "scan", ".", "--fail-on", "unknown"])
            .expect_err("unknown is no threshold");
        assert!(err.to_string().contains("--fail-on-unknown"), "{err}");
        assert!(crate::cli::Cli::try_parse_from(["cairn", "scan", ".", "--fail-on", "dire"]).is_err());
        for word in ["none", "unknown"] {
            assert!(
                crate::cli::Cli::try_parse_from(["cairn", "findings", "ls", "--severity", word]).is_ok(),
                "{word}"
            );
        }
        assert!(crate::cli::Cli::try_parse_from(["cairn", "findings", "ls", "--severity", "dire"]).is_err());
    }

    #[test]
    fn formats_map_to_daemon_documents_except_in_process_ones() {
        assert_eq!(bom_format(Format::Cyclonedx), Some(BomFormat::CycloneDx));
        assert_eq!(bom_format(Format::Spdx23), Some(BomFormat::Spdx23));
        assert_eq!(bom_format(Format::Cbom), Some(BomFormat::Cbom));
        assert_eq!(bom_format(Format::Json), None);
        assert_eq!(bom_format(Format::Notice), None);
        // Issue 14: the gate works offline too.
        assert!(
            crate::cli::Cli::try_parse_from(["cairn", "scan", ".", "--offline", "--fail-on", "high"]).is_ok()
        );
    }

    #[test]
    fn a_policy_file_is_refused_through_a_daemon() {
        // Issue 19: through a daemon the daemon's policy applies; a local file would be ignored.
        let cli =
            crate::cli::Cli::try_parse_from(["cairn", "scan", ".", "--policy", "default"]).expect("parses");
        let Some(crate::cli::Command::Scan(args)) = cli.command else { panic!("a scan") };
        assert!(offline_only(&args).is_some_and(|f| f.starts_with("--policy")));
        // `assigned` is the daemon's own gate, the one --policy accepted through a daemon.
        assert!(offline_only(&scan_args(&["scan", ".", "--policy", "assigned"])).is_none());
    }
}

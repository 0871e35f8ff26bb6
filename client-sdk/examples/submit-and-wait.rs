//! A CI step: submits a scan of a git URL (or a path on the daemon's machine), optionally into a
//! project found or created by name, follows it to the end and fails the job on a failed scan or,
//! with `--fail-on-findings`, on any critical or high finding.
//!
//! ```text
//! CAIRN_URL=http://127.0.0.1:8440 CAIRN_API_KEY=crn_live_… \
//!   cargo run -p cairn-sdk --example submit-and-wait -- --project web https://github.com/org/repo.git
//! ```

use cairn_sdk::futures::StreamExt;
use cairn_sdk::types::{CreateScan, ScanStatus};
use cairn_sdk::{Client, ScanWatcher, WatchEvent};

const USAGE: &str = "usage: submit-and-wait [--project NAME] [--fail-on-findings] GIT_URL|ABSOLUTE_PATH

Submits a scan and follows it to the end. Reads CAIRN_URL and CAIRN_API_KEY
(scopes scan:write, scan:read; project:read and project:write with --project).
Exit status: 0 completed (and, with --fail-on-findings, no critical or high finding);
1 the scan failed or was cancelled, or the gate failed; 2 usage or connection error.";

struct Args {
    project: Option<String>,
    fail_on_findings: bool,
    target: String,
}

fn args() -> Result<Option<Args>, String> {
    let mut project = None;
    let mut fail_on_findings = false;
    let mut target = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--project" => project = Some(it.next().ok_or("--project needs a name")?),
            "--fail-on-findings" => fail_on_findings = true,
            _ if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ if target.is_none() => target = Some(a),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    let target = target.ok_or("a GIT_URL or ABSOLUTE_PATH is needed")?;
    Ok(Some(Args { project, fail_on_findings, target }))
}

async fn run(args: Args) -> Result<bool, cairn_sdk::Error> {
    let client = Client::from_env()?;
    let mut request = if args.target.starts_with('/') {
        CreateScan::path(&args.target)
    } else {
        CreateScan::git(&args.target)
    };
    if let Some(name) = &args.project {
        request = request.project(client.find_or_create_project(name).await?.id);
    }
    let scan = client.create_scan(&request).await?;
    println!("scan {} queued", scan.id);
    let mut events = ScanWatcher::new(&client, scan.id).stream();
    while let Some(item) = events.next().await {
        match item? {
            WatchEvent::Sync { scan, .. } => println!("{:>3}% {}", scan.percent, scan.status),
            WatchEvent::Event(e) => {
                println!("{:>3}% {} {}", e.percent, e.status, e.message.unwrap_or_default())
            }
            WatchEvent::Reconnecting { reason, .. } => eprintln!("reconnecting: {reason}"),
            WatchEvent::Polling { reason } => eprintln!("polling instead: {reason}"),
            _ => {}
        }
    }
    let done = client.scan(scan.id).await?;
    let c = &done.counts;
    println!(
        "{}: {} components, {} findings ({} critical, {} high)",
        done.status, c.components, c.findings, c.severities.critical, c.severities.high
    );
    if done.status != ScanStatus::Completed {
        eprintln!("the scan did not complete: {}", done.error.as_deref().unwrap_or("no reason given"));
        return Ok(false);
    }
    Ok(!(args.fail_on_findings && c.severities.critical + c.severities.high > 0))
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("submit-and-wait: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    match run(args).await {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("submit-and-wait: {e}");
            std::process::exit(2);
        }
    }
}

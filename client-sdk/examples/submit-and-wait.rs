//! Submits a scan of a git URL (or a path on the daemon's machine) and follows it to the end.
//!
//! ```text
//! CAIRN_URL=http://127.0.0.1:8440 CAIRN_API_KEY=crn_live_… \
//!   cargo run -p cairn-sdk --example submit-and-wait -- https://github.com/org/repo.git
//! ```

use cairn_sdk::types::{CreateScan, ScanSource};
use cairn_sdk::{Client, Credential, ScanWatcher, WatchEvent};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("CAIRN_URL").unwrap_or_else(|_| "http://127.0.0.1:8440".into());
    let key = std::env::var("CAIRN_API_KEY").map_err(|_| "set CAIRN_API_KEY to an API key")?;
    let target = std::env::args().nth(1).ok_or("usage: submit-and-wait GIT_URL|ABSOLUTE_PATH")?;
    let source = if target.starts_with('/') {
        ScanSource::Path { path: target }
    } else {
        ScanSource::Git { url: target, reference: None }
    };
    let client = Client::new(&base, Credential::ApiKey(key))?;
    let scan = client.create_scan(&CreateScan { source, project: None, version: None, crypto: true }).await?;
    println!("scan {} queued", scan.id);
    let mut events = ScanWatcher::new(&client, scan.id).stream();
    while let Some(item) = events.next().await {
        match item? {
            WatchEvent::Sync { scan, .. } => println!("{:>3}% {}", scan.percent, scan.status.as_str()),
            WatchEvent::Event(e) => {
                println!("{:>3}% {} {}", e.percent, e.status.as_str(), e.message.unwrap_or_default())
            }
        }
    }
    let done = client.scan(scan.id).await?;
    let c = done.counts;
    println!(
        "{}: {} components, {} findings ({} critical, {} high)",
        done.status.as_str(),
        c.components,
        c.findings,
        c.severities.critical,
        c.severities.high
    );
    Ok(())
}

//! Downloads every completed scan's document in one format into a directory.
//!
//! ```text
//! CAIRN_URL=http://127.0.0.1:8440 CAIRN_API_KEY=crn_live_… \
//!   cargo run -p cairn-sdk --example export-all-boms -- OUT_DIR [FORMAT]
//! ```

use cairn_sdk::types::{BomFormat, ScanStatus};
use cairn_sdk::{Client, Credential, ListQuery};
use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("CAIRN_URL").unwrap_or_else(|_| "http://127.0.0.1:8440".into());
    let key = std::env::var("CAIRN_API_KEY").map_err(|_| "set CAIRN_API_KEY to an API key")?;
    let dir =
        std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: export-all-boms OUT_DIR [FORMAT]")?);
    let format = match std::env::args().nth(2) {
        Some(f) => BomFormat::parse(&f).ok_or_else(|| format!("unknown format {f:?}"))?,
        None => BomFormat::CycloneDx,
    };
    std::fs::create_dir_all(&dir)?;
    let client = Client::new(&base, Credential::ApiKey(key))?;
    let mut scans = client.scans(ListQuery::limit(200).filter("status", ScanStatus::Completed.as_str()));
    let mut written = 0;
    while let Some(scan) = scans.try_next().await? {
        let bytes = client.scan_bom(scan.id, format).await?;
        let path = dir.join(format!("{}.{}.json", scan.id, format.as_str()));
        std::fs::write(&path, bytes)?;
        written += 1;
    }
    println!("{written} documents written to {}", dir.display());
    Ok(())
}

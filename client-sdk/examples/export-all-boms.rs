//! Downloads every completed scan's document in one format into a directory, each under the file
//! name the daemon suggests.
//!
//! ```text
//! CAIRN_URL=http://127.0.0.1:8440 CAIRN_API_KEY=crn_live_… \
//!   cargo run -p cairn-sdk --example export-all-boms -- OUT_DIR [FORMAT]
//! ```

use cairn_sdk::futures::TryStreamExt;
use cairn_sdk::types::{BomFormat, ScanStatus};
use cairn_sdk::{Client, ListQuery};

const USAGE: &str = "usage: export-all-boms OUT_DIR [FORMAT]

Downloads every completed scan's document (FORMAT: cyclonedx, cyclonedx-1.5, cyclonedx-1.7,
spdx, spdx-2.3, openvex, sarif, cbom; default cyclonedx) into OUT_DIR.
Reads CAIRN_URL and CAIRN_API_KEY (scopes scan:read, bom:read).
Exit status: 0 all written, 1 a download failed, 2 usage or connection error.";

async fn run(dir: &std::path::Path, format: BomFormat) -> Result<usize, cairn_sdk::Error> {
    let client = Client::from_env()?;
    std::fs::create_dir_all(dir).map_err(|source| cairn_sdk::Error::Io { path: dir.to_owned(), source })?;
    let mut scans = client.scans(ListQuery::limit(200).filter("status", ScanStatus::Completed.as_str()));
    let mut failed = 0;
    let mut written = 0;
    while let Some(scan) = scans.try_next().await? {
        let result = async {
            let download = client.scan_bom_download(scan.id, format).await?;
            let name = download.file_name().unwrap_or_else(|| format!("{}.{format}.json", scan.id));
            download.save_to(dir.join(name)).await
        }
        .await;
        match result {
            Ok(_) => written += 1,
            Err(e) => {
                eprintln!("scan {}: {e}", scan.id);
                failed += 1;
            }
        }
    }
    println!("{written} documents written to {}", dir.display());
    Ok(failed)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return;
    }
    let (dir, format) = match args.as_slice() {
        [dir] => (dir, Ok(BomFormat::CycloneDx)),
        [dir, f] => (dir, f.parse::<BomFormat>()),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let format = match format {
        Ok(f) => f,
        Err(e) => {
            eprintln!("export-all-boms: {e}");
            std::process::exit(2);
        }
    };
    match run(std::path::Path::new(dir), format).await {
        Ok(0) => {}
        Ok(_) => std::process::exit(1),
        Err(e) => {
            eprintln!("export-all-boms: {e}");
            std::process::exit(2);
        }
    }
}

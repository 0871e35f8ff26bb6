//! Scans a container image (a `docker save` tar or an OCI layout) and prints its component count
//! per ecosystem: the engine alone, for the image comparison of docs/benchmarks.md
//! (`cargo build --release -p cairn-engine --example scan_image`).

use cairn_engine::NoProgress;
use cairn_engine::image::{ImageOptions, scan_image};
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os().nth(1).ok_or("usage: scan_image IMAGE")?;
    let scan = scan_image(path.as_ref(), &ImageOptions::default(), &NoProgress)?;
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for c in &scan.scan.inventory.components {
        *per.entry(c.ecosystem.to_string()).or_default() += 1;
    }
    println!("{} components {per:?}", scan.scan.inventory.components.len());
    Ok(())
}

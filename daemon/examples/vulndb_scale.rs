//! The daemon's side of the advisory-scale benchmark (issue 22, docs/benchmarks.md): loads the
//! vulnerability data a `cairnd vulndb import` stored, as `cairnd serve` does at start, and
//! matches components against it as a scan's matching step does; prints the load time, this
//! process's resident memory after the load (VmRSS, and its peak VmHWM) and the match time.
//!
//! ```text
//! scripts/gen-osv-scale.py --names /tmp/osv-scale/names.tsv
//! cairnd --config cairnd.toml vulndb import /tmp/osv-scale/all.zip
//! cargo run --workspace --locked --example vulndb_scale -- DATABASE_URL /tmp/osv-scale/names.tsv [COMPONENTS]
//! ```
//!
//! The components are COMPONENTS (default 10,000) of the packages the generator listed, spread
//! evenly over the list: each names a package some advisory affects, at an affected version,
//! so every lookup hits (the costly case; real inventories mostly miss). Given a directory
//! instead of NAMES.tsv (the corpus lockfiles), the first COMPONENTS registry components of its
//! scan are matched: the common case, where few lookups hit.

use std::time::Instant;

use anyhow::{Context, bail};
use cairn_daemon::store::Store;
use cairn_daemon::vulndb::{VulnDb, reload};
use cairn_engine::inventory::{Ecosystem, Inventory, Location, Package};
use cairn_engine::vuln::match_inventory;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, names, rest @ ..] = args.as_slice() else {
        bail!("usage: vulndb_scale DATABASE_URL NAMES.tsv [COMPONENTS]");
    };
    let wanted: usize = match rest.first() {
        Some(n) => n.parse().context("COMPONENTS: a whole number")?,
        None => 10_000,
    };
    let store = Store::connect(url).await?;
    let before = rss_kib()?;
    println!("before load: {}", memory()?);
    let vulndb = VulnDb::empty();
    let started = Instant::now();
    reload(&store, &vulndb).await?;
    let loaded = started.elapsed();
    let Some(snapshot) = vulndb.snapshot() else { bail!("no vulnerability data stored at {url}") };
    println!("loaded {} advisories in {:.2?}; after load: {}", snapshot.advisories, loaded, memory()?);
    let grown = rss_kib()?.saturating_sub(before) * 1024;
    println!("the index: {} bytes of resident memory per advisory", grown / snapshot.advisories.max(1));

    let inventory = if std::path::Path::new(names).is_dir() {
        let scan = cairn_engine::scan_path(
            std::path::Path::new(names),
            &cairn_engine::ScanOptions::default(),
            &cairn_engine::NoProgress,
        )?;
        let mut components: Vec<_> = scan.inventory.components.into_iter().filter(|c| !c.local).collect();
        components.truncate(wanted);
        Inventory { components, ..Inventory::default() }
    } else {
        components(names, wanted)?
    };
    let n = inventory.components.len();
    let started = Instant::now();
    // As a scan's matching step: the records the components meet, read, then matched.
    let database = snapshot.database.database_for(&store, &inventory).await?;
    let read = started.elapsed();
    let matches = match_inventory(&inventory, &database);
    let took = started.elapsed();
    println!(
        "read the records that may affect them ({} advisories) in {read:.2?}",
        database.advisories().len()
    );
    println!(
        "matched {n} components in {took:.2?}: {} findings, {} warnings, {} not evaluated",
        matches.findings.len(),
        matches.warnings.len(),
        matches.not_evaluated.len()
    );
    println!("after match: {}", memory()?);
    store.close().await;
    Ok(())
}

/// `wanted` distinct packages from the generator's `ecosystem<TAB>name<TAB>version` lines, spread
/// evenly over them (the list repeats a package for each advisory naming it at that version).
fn components(path: &str, wanted: usize) -> anyhow::Result<Inventory> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let lines: Vec<&str> = text.lines().collect();
    let mut seen = std::collections::HashSet::new();
    let mut packages = Vec::new();
    // Every step-th line, then the lines between them, until enough distinct packages.
    let step = (lines.len() / wanted.max(1)).max(1);
    'all: for offset in 0..step {
        for line in lines.iter().skip(offset).step_by(step) {
            let mut cells = line.splitn(3, '\t');
            let (Some(eco), Some(name), Some(version)) = (cells.next(), cells.next(), cells.next()) else {
                continue;
            };
            // Ecosystems Cairn does not inventory (and distributions, which need a release) are skipped.
            let Ok(ecosystem) = serde_json::from_value::<Ecosystem>(serde_json::Value::from(eco)) else {
                continue;
            };
            let Ok(p) = Package::new(ecosystem, name, version, Location::new(path, None)) else { continue };
            if seen.insert(p.purl.clone()) {
                packages.push(p);
            }
            if packages.len() == wanted {
                break 'all;
            }
        }
    }
    Ok(Inventory::assemble(packages, Vec::new(), Vec::new(), Vec::new()))
}

/// This process's resident memory now, in KiB (/proc/self/status).
fn rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .context("VmRSS in /proc/self/status")
}

/// This process's resident memory now and at its peak, from /proc/self/status.
fn memory() -> anyhow::Result<String> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            .map_or_else(|| "?".to_owned(), |kb| format!("{} MiB", kb / 1024))
    };
    Ok(format!("VmRSS {}, VmHWM {}", field("VmRSS:"), field("VmHWM:")))
}

//! `cairn diff FROM TO`: two scan ids are compared by the daemon (`GET /comparison`); two files
//! or directories offline, each a CycloneDX/SPDX document (read back), a lockfile or a tree
//! (scanned here), through the engine's `diff::compare`. One printer for both.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use cairn_engine::bom::BomInput;
use cairn_engine::bom::read::read_document;
use cairn_engine::diff::{Side, compare};
use cairn_engine::vuln::{Database, load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use cairn_sdk::types::{Comparison, ScanId};

use crate::cli::{DiffArgs, DiffFormat};
use crate::comparison_text;
use crate::exit;
use crate::table::{color, print_json};

pub fn run(args: DiffArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    let ids = (scan_id(&args.from), scan_id(&args.to));
    match ids {
        (Some(from), Some(to)) => {
            if !args.vulndb.is_empty() || args.crypto {
                return Err(exit::usage(
                    "--vulndb and --crypto are for files and directories; the daemon compares scans as they were matched",
                ));
            }
            remote(from, to, args.format, profile)
        }
        (None, None) => offline(&args),
        _ => Err(exit::usage("compare two scan ids, or two files or directories, not one of each")),
    }
}

/// A scan id that is not also a path here (a directory named like a UUID is a directory).
fn scan_id(arg: &str) -> Option<ScanId> {
    arg.parse::<ScanId>().ok().filter(|_| !Path::new(arg).exists())
}

fn remote(from: ScanId, to: ScanId, format: DiffFormat, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let c = match client.comparison(from, to).await {
            Ok(c) => c,
            Err(e) if e.is_not_found() => anyhow::bail!("no scan {from} or {to} in this tenant"),
            Err(e) if e.status() == Some(409) => {
                anyhow::bail!(
                    "{}",
                    e.problem().and_then(|p| p.detail.clone()).unwrap_or_else(|| e.to_string())
                )
            }
            Err(e) => return Err(super::lookup::explain(e, "comparing the scans", false)),
        };
        print(&c.comparison, &c, format, &format!("Changes from scan {from} to {to}"))?;
        Ok(ExitCode::SUCCESS)
    })
}

fn print<T: serde::Serialize>(
    c: &Comparison,
    json: &T,
    format: DiffFormat,
    title: &str,
) -> anyhow::Result<()> {
    match format {
        DiffFormat::Json => print_json(json),
        DiffFormat::Table => {
            crate::outln!("{}", comparison_text::table(c, color()).trim_end());
            Ok(())
        }
        DiffFormat::Markdown => {
            crate::outln!("{}", comparison_text::markdown(c, title).trim_end());
            Ok(())
        }
    }
}

fn offline(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    // A bad --vulndb path fails before any scan.
    let db: Option<Database> = if args.vulndb.is_empty() {
        None
    } else {
        Some(load_paths(&args.vulndb).context("reading vulnerability data (--vulndb)")?)
    };
    let (from, from_crypto) = side(Path::new(&args.from), args.crypto, db.as_ref())?;
    let (to, to_crypto) = side(Path::new(&args.to), args.crypto, db.as_ref())?;
    let matched = db.is_some();
    let engine = compare(
        // No gate is evaluated offline: the comparison names it not compared.
        &Side { input: &from, vulnerabilities_matched: matched, crypto_scanned: from_crypto, gate: None },
        &Side { input: &to, vulnerabilities_matched: matched, crypto_scanned: to_crypto, gate: None },
    );
    // The wire type mirrors the engine's field for field: one printer for both paths.
    let c: Comparison = serde_json::to_value(&engine)
        .and_then(serde_json::from_value)
        .context("the comparison does not map to its wire type (a bug)")?;
    if !matched && args.format != DiffFormat::Json {
        eprintln!("cairn: warning: no vulnerability data (--vulndb PATH): findings were NOT compared");
    }
    print(&c, &c, args.format, &format!("Changes from {} to {}", args.from, args.to))?;
    Ok(ExitCode::SUCCESS)
}

/// One side: a document read back, or a lockfile or tree scanned. Returns the input and whether
/// cryptography was looked for.
fn side(path: &Path, crypto: bool, db: Option<&Database>) -> anyhow::Result<(BomInput, bool)> {
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("reading {shown}"))?;
    let name = path.file_name().map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    let stamp = "1970-01-01T00:00:00Z";
    let lockfile = meta.is_file() && cairn_engine::catalog::wanted(&name);
    let (input, crypto_scanned) = if meta.is_dir() || lockfile {
        let opts = ScanOptions { crypto: crypto && meta.is_dir(), ..ScanOptions::default() };
        let scan = scan_path(path, &opts, &NoProgress).with_context(|| format!("scanning {shown}"))?;
        let matches = db.map(|db| match_inventory(&scan.inventory, db));
        (BomInput::from_scan(name, None, stamp, &scan, matches.as_ref()), opts.crypto)
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {shown} (not UTF-8?)"))?;
        let read = read_document(&text, &name).with_context(|| {
            format!("{shown} is neither a lockfile Cairn reads nor a CycloneDX or SPDX document")
        })?;
        let mut input = BomInput::new(name, None, stamp, read.inventory).with_inventory_licenses();
        if let Some(db) = db {
            let matches = match_inventory(&input.inventory, db);
            input = input.with_findings(&matches);
        }
        (input, false)
    };
    Ok((input, crypto_scanned))
}

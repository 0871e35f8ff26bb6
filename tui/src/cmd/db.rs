//! `cairn db status|update|import`: the daemon's vulnerability data, through the API (update and
//! import are for super admins; the local daemon's key has every scope).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use cairn_sdk::types::{VulnDataState, VulnDbChange, VulnDbStatus, VulnDbUpdate};

use crate::cli::DbCommand;
use crate::table::{Table, or_dash, print_json};

/// Largest directory `db import` zips in memory (the daemon's own limit is usually lower).
const MAX_DIR_BYTES: u64 = 1 << 30;

pub fn run(cmd: DbCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    // Read the input first: a bad path fails before a daemon is started.
    let zip = match &cmd {
        DbCommand::Import { path } => Some(read_import(path)?),
        _ => None,
    };
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            DbCommand::Status { json } => {
                let status = client
                    .vulndb_status()
                    .await
                    .map_err(|e| super::lookup::explain(e, "reading the vulnerability data status", false))?;
                if json {
                    print_json(&status)?;
                } else {
                    print_status(&status)?;
                }
            }
            DbCommand::Update { ecosystems } => {
                let body = (!ecosystems.is_empty()).then_some(VulnDbUpdate { ecosystems: Some(ecosystems) });
                let change = client
                    .vulndb_update(body.as_ref())
                    .await
                    .map_err(|e| super::lookup::explain(e, "updating the vulnerability data", true))?;
                return report(&change);
            }
            DbCommand::Import { .. } => {
                let bytes = zip.context("the import was not read")?;
                let change = client
                    .vulndb_import(bytes)
                    .await
                    .map_err(|e| super::lookup::explain(e, "importing the vulnerability data", true))?;
                return report(&change);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The zip to send: a file as it is (it must be a zip), a directory's OSV files zipped.
pub fn read_import(path: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_dir() {
        return zip_dir(path);
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if !bytes.starts_with(b"PK") {
        bail!(
            "{} is not a zip; give an OSV zip (such as an ecosystem's all.zip) or a directory of OSV JSON files",
            path.display()
        );
    }
    Ok(bytes)
}

/// The `.json`, `.yaml` and `.yml` files under `dir` (recursively, symlinks not followed) as a
/// deflated zip, entries named by their path relative to `dir`.
pub fn zip_dir(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        bail!("{} holds no OSV file (.json, .yaml)", dir.display());
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    let mut total = 0u64;
    for file in files {
        let rel = file.strip_prefix(dir).context("a walked path outside the directory")?;
        let name: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        total += bytes.len() as u64;
        if total > MAX_DIR_BYTES {
            bail!(
                "{} holds more than {MAX_DIR_BYTES} bytes of OSV files; zip it and import the zip",
                dir.display()
            );
        }
        zip.start_file(name.join("/"), options).context("zipping the OSV files")?;
        zip.write_all(&bytes).context("zipping the OSV files")?;
    }
    Ok(zip.finish().context("zipping the OSV files")?.into_inner())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let kind = entry.file_type().with_context(|| format!("reading {}", entry.path().display()))?;
        let path = entry.path();
        if kind.is_dir() {
            collect(&path, out)?;
        } else if kind.is_file()
            && path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// What changed; exit 1 when a source failed.
fn report(change: &VulnDbChange) -> anyhow::Result<ExitCode> {
    for s in &change.changed {
        println!("changed: {s}");
    }
    for s in &change.unchanged {
        println!("unchanged: {s}");
    }
    for s in &change.failed {
        eprintln!("cairn: error: failed: {s}");
    }
    if change.rejected > 0 {
        eprintln!("cairn: warning: {} records were not valid OSV and were left out", change.rejected);
    }
    print_status(&change.status)?;
    Ok(if change.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(crate::exit::FAILURE) })
}

fn print_status(s: &VulnDbStatus) -> anyhow::Result<()> {
    let state = match s.state {
        VulnDataState::None => "NONE: vulnerabilities are NOT checked until data is imported or updated",
        VulnDataState::Fresh => "fresh",
        VulnDataState::Stale => "STALE: recent vulnerabilities may be missing",
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "state: {state}")?;
    writeln!(out, "advisories: {}", s.advisories)?;
    writeln!(out, "snapshot: {}", or_dash(s.snapshot.as_deref()))?;
    writeln!(out, "current as of: {}", or_dash(s.current_as_of.map(super::scans::date)))?;
    writeln!(out, "mirror: {}", s.mirror)?;
    drop(out);
    if !s.sources.is_empty() {
        let mut t = Table::new(&["SOURCE", "ORIGIN", "ADVISORIES", "UPDATED", "CHECKED", "ERROR"]);
        for src in &s.sources {
            t.row(vec![
                src.name.clone(),
                src.origin.clone(),
                src.advisories.to_string(),
                or_dash(src.updated_at.map(super::scans::date)),
                or_dash(src.checked_at.map(super::scans::date)),
                or_dash(src.last_error.as_deref()),
            ]);
        }
        println!();
        t.print()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_zipped_with_its_osv_files_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("crates")).expect("mkdir");
        std::fs::write(dir.path().join("crates/A-1.json"), "{}").expect("write");
        std::fs::write(dir.path().join("B-2.yaml"), "id: B-2").expect("write");
        std::fs::write(dir.path().join("README.md"), "no").expect("write");
        let bytes = read_import(dir.path()).expect("zip");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).expect("entry").name().expect("name").into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["B-2.yaml", "crates/A-1.json"]);
        let not_zip = dir.path().join("README.md");
        assert!(read_import(&not_zip).expect_err("not a zip").to_string().contains("not a zip"));
        let empty = tempfile::tempdir().expect("tempdir");
        assert!(read_import(empty.path()).is_err());
    }
}

//! `cairn db status|update|import|remove`: the daemon's vulnerability data, through the API (update,
//! import and remove are for super admins; the local daemon's key has every scope).

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
        DbCommand::Import { path, .. } => Some(read_import(path)?),
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
                    .admin_vulndb_update(body.as_ref())
                    .await
                    .map_err(|e| super::lookup::explain(e, "updating the vulnerability data", true))?;
                return report(&change);
            }
            DbCommand::Import { path, name } => {
                let bytes = zip.context("the import was not read")?;
                let name = match name {
                    Some(n) => n,
                    None => source_name(&path)?,
                };
                let change = client
                    .admin_vulndb_import(Some(&name), bytes)
                    .await
                    .map_err(|e| super::lookup::explain(e, "importing the vulnerability data", true))?;
                return report(&change);
            }
            DbCommand::Remove { name } => {
                let change = client
                    .admin_vulndb_remove(&name)
                    .await
                    .map_err(|e| super::lookup::explain(e, &format!("removing the source {name}"), true))?;
                return report(&change);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The source name a path gets: its file or directory name as given (a symlink's own name, not
/// its target's), the directory's for an ecosystem's `all.zip`, without a `.zip` extension.
/// Characters a source name cannot hold become `-`.
pub fn source_name(path: &Path) -> anyhow::Result<String> {
    // `.`, `..` and `/` have no name of their own: use the directory they are.
    let named = if path.file_name().is_some() && !path.ends_with("..") {
        path.to_owned()
    } else {
        std::fs::canonicalize(path).with_context(|| format!("reading {}", path.display()))?
    };
    let file = named.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = file.strip_suffix(".zip").unwrap_or(&file);
    let base = if stem == "all" {
        named.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    } else {
        stem.to_owned()
    };
    let name: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
        .take(100)
        .collect();
    if name.is_empty() {
        bail!("{} gives no source name; name it with --name", path.display());
    }
    Ok(name)
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

/// The `.json`, `.yaml` and `.yml` files under `dir` (recursively, symlinked directories
/// followed, a loop skipped) as a deflated zip, entries named by their path relative to `dir`.
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
    let walk = ignore::WalkBuilder::new(dir).standard_filters(false).follow_links(true).build();
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            // A link back to a directory already walked: its files are in already.
            Err(e) if is_loop(&e) => continue,
            Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", dir.display()))),
        };
        let path = entry.path();
        if entry.file_type().is_some_and(|t| t.is_file())
            && path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
        {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

fn is_loop(e: &ignore::Error) -> bool {
    match e {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

/// What changed; exit 1 when a source failed.
fn report(change: &VulnDbChange) -> anyhow::Result<ExitCode> {
    for s in &change.changed {
        crate::outln!("changed: {s}");
    }
    for s in &change.unchanged {
        crate::outln!("unchanged: {s}");
    }
    for s in &change.removed {
        crate::outln!("removed: {s}");
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
        VulnDataState::None | VulnDataState::Unknown => {
            "NONE: vulnerabilities are NOT checked until data is imported or updated"
        }
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
        let now = time::OffsetDateTime::now_utc();
        let mut t = Table::new(&[
            "SOURCE",
            "ORIGIN",
            "ECOSYSTEMS",
            "ADVISORIES",
            "UPDATED",
            "AGE",
            "CHECKED",
            "ERROR",
        ]);
        for src in &s.sources {
            t.row(vec![
                src.name.clone(),
                src.origin.clone(),
                // Never blank: a source stored before ecosystems were recorded says so.
                src.ecosystems.as_ref().map_or_else(|| "not recorded".to_owned(), |e| e.join(",")),
                src.advisories.to_string(),
                or_dash(src.updated_at.map(super::scans::date)),
                or_dash(src.updated_at.map(|t| age(now - t))),
                or_dash(src.checked_at.map(super::scans::date)),
                or_dash(src.last_error.as_deref()),
            ]);
        }
        crate::outln!("");
        t.print()?;
    }
    Ok(())
}

/// A duration as a person reads an age: `40s`, `12m`, `5h`, `3d`.
fn age(d: time::Duration) -> String {
    let s = d.whole_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
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

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_inside_is_followed_and_a_loop_read_once() {
        let data = tempfile::tempdir().expect("tempdir");
        std::fs::write(data.path().join("A-1.json"), "{}").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(data.path(), dir.path().join("pypa")).expect("symlink");
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).expect("symlink");
        let bytes = read_import(dir.path()).expect("zip");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        assert_eq!(archive.len(), 1);
        assert_eq!(archive.by_index(0).expect("entry").name().expect("name"), "pypa/A-1.json");
    }

    #[test]
    fn sources_are_named_after_the_path_given() {
        let name = |p: &str| source_name(Path::new(p)).expect("a name");
        assert_eq!(name("/data/rustsec"), "rustsec");
        assert_eq!(name("/data/npm/all.zip"), "npm");
        assert_eq!(name("osv-werkzeug.zip"), "osv-werkzeug");
        assert_eq!(name("/data/my advisories/"), "my-advisories");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("x")).expect("mkdir");
        let here = source_name(&dir.path().join("x/..")).expect("a name");
        assert_eq!(Some(here.as_str()), dir.path().file_name().and_then(|n| n.to_str()));
    }

    #[test]
    fn ages_read_as_a_person_says_them() {
        assert_eq!(age(time::Duration::seconds(59)), "59s");
        assert_eq!(age(time::Duration::hours(5)), "5h");
        assert_eq!(age(time::Duration::days(3)), "3d");
    }
}

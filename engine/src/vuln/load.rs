//! Reading OSV data: single files (`.json`, `.yaml`, `.yml`), directories of them (recursively,
//! zips inside included) and zip archives in OSV's per-ecosystem `all.zip` layout, streamed entry
//! by entry so no archive is ever held whole in memory.
//!
//! A path that cannot be opened at all is a [`LoadError`]; a record or file inside that cannot be
//! read is a [`LoadDiagnostic`] and the rest load.

use super::index::{Database, SourceInfo};
use super::osv::Advisory;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest record read (OSV's biggest, Linux kernel ones, are a few MB).
pub const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Zip entries read before parsing them in parallel; bounds memory to one batch.
const ZIP_BATCH: usize = 512;

/// A path given to the loader could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Opening or reading the path failed.
    #[error("{path}: {error}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The path is a file that is neither OSV JSON/YAML nor a zip.
    #[error("{0}: not an OSV file (.json, .yaml, .yml) or zip archive")]
    UnknownKind(PathBuf),
    /// The zip's directory could not be read.
    #[error("{path}: not a readable zip archive: {reason}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// A record or file that could not be read; the rest of the data still loads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LoadDiagnostic {
    /// The file, or `archive.zip!entry` for a zip entry.
    pub source: String,
    /// What was wrong.
    pub reason: String,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Json,
    Yaml,
    Zip,
}

fn kind_of(path: &str) -> Option<Kind> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(Kind::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Kind::Yaml)
    } else if lower.ends_with(".zip") {
        Some(Kind::Zip)
    } else {
        None
    }
}

fn parse(kind: Kind, bytes: &[u8]) -> Result<Advisory, String> {
    match kind {
        Kind::Json => Advisory::from_json(bytes),
        Kind::Yaml => Advisory::from_yaml(bytes),
        // Callers route zips to `load_zip`; a zip is never one record.
        Kind::Zip => return Err("a zip archive is not one OSV record".into()),
    }
    .map_err(|e| e.to_string())
}

/// A zip entry read but not yet parsed: its source name, kind and bytes (or why none).
type Pending = (String, Kind, Result<Vec<u8>, String>);

/// Records parsed from one batch of entries: each entry's source name and its record or why none.
pub type Parsed = Vec<(String, Result<Advisory, String>)>;

/// What one source yielded.
#[derive(Default)]
struct Loaded {
    records: Vec<Advisory>,
    diagnostics: Vec<LoadDiagnostic>,
}

/// A batch of records read from a source, handed to a [`stream_paths`] sink.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Records that read and checked, in the source's order.
    pub records: Vec<Advisory>,
    /// Records or files in the batch that could not be read.
    pub diagnostics: Vec<LoadDiagnostic>,
}

/// Counts one source's records and errors while passing its batches on.
struct Counted<'a> {
    sink: &'a mut dyn FnMut(Chunk) -> bool,
    records: usize,
    errors: usize,
    stopped: bool,
}

impl Counted<'_> {
    /// Hands `parsed` on; `false` once the sink asked to stop.
    fn pass(&mut self, parsed: Parsed) -> bool {
        if self.stopped {
            return false;
        }
        let mut chunk = Chunk::default();
        for (source, r) in parsed {
            match r {
                Ok(a) => chunk.records.push(a),
                Err(reason) => chunk.diagnostics.push(LoadDiagnostic { source, reason }),
            }
        }
        self.records += chunk.records.len();
        self.errors += chunk.diagnostics.len();
        if !(self.sink)(chunk) {
            self.stopped = true;
        }
        !self.stopped
    }
}

/// Load every path and build one database recording them all.
pub fn load_paths(paths: &[PathBuf]) -> Result<Database, LoadError> {
    Ok(read_paths(paths)?.into_database())
}

/// What the loader read from its paths: everything [`Database::new`] is built from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawDatabase {
    pub records: Vec<Advisory>,
    pub sources: Vec<SourceInfo>,
    pub diagnostics: Vec<LoadDiagnostic>,
}

impl RawDatabase {
    pub(crate) fn into_database(self) -> Database {
        Database::new(self.records, self.sources, self.diagnostics)
    }
}

/// Reads every path, without building the database.
pub(crate) fn read_paths(paths: &[PathBuf]) -> Result<RawDatabase, LoadError> {
    let mut loaded = Loaded::default();
    let sources = stream_paths(paths, ZIP_BATCH, &mut |chunk: Chunk| {
        loaded.records.extend(chunk.records);
        loaded.diagnostics.extend(chunk.diagnostics);
        true
    })?;
    let Loaded { records, mut diagnostics } = loaded;
    diagnostics.sort();
    Ok(RawDatabase { records, sources, diagnostics })
}

/// Reads every path and hands its records to `sink` in batches of about `batch` entries (parsed in
/// parallel), as they are read: memory holds one batch, never the whole data. Records are not
/// deduplicated or checked for withdrawal here ([`Database::new`] does that; a streaming
/// consumer must do as it does). `sink` returns `false` to stop reading; the sources read so far
/// are returned. A path that cannot be opened at all is an error, as in [`load_paths`].
pub fn stream_paths(
    paths: &[PathBuf],
    batch: usize,
    sink: &mut dyn FnMut(Chunk) -> bool,
) -> Result<Vec<SourceInfo>, LoadError> {
    let batch = batch.max(1);
    let mut sources = Vec::new();
    let mut counted = Counted { sink, records: 0, errors: 0, stopped: false };
    for path in paths {
        counted.records = 0;
        counted.errors = 0;
        let kind = load_path(path, batch, &mut counted)?;
        sources.push(SourceInfo {
            path: path.display().to_string(),
            kind,
            records: counted.records,
            errors: counted.errors,
        });
        if counted.stopped {
            break;
        }
    }
    Ok(sources)
}

fn load_path(path: &Path, batch: usize, out: &mut Counted<'_>) -> Result<&'static str, LoadError> {
    let io = |error| LoadError::Io { path: path.to_owned(), error };
    let meta = fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        let mut files = Vec::new();
        collect(path, &mut files).map_err(io)?;
        files.sort_unstable_by(|a, b| path_order(&a.0, &b.0));
        let (zips, records): (Vec<_>, Vec<_>) = files.into_iter().partition(|(_, k)| *k == Kind::Zip);
        for part in records.chunks(batch) {
            let parsed: Parsed = part
                .par_iter()
                .map(|(p, k)| (p.display().to_string(), read_capped(p).and_then(|b| parse(*k, &b))))
                .collect();
            if !out.pass(parsed) {
                return Ok("directory");
            }
        }
        for (zip, _) in zips {
            if let Err(e) = load_zip(&zip, batch, out) {
                out.pass(vec![(zip.display().to_string(), Err(e.to_string()))]);
            }
            if out.stopped {
                break;
            }
        }
        return Ok("directory");
    }
    match kind_of(&path.to_string_lossy()) {
        Some(Kind::Zip) => {
            load_zip(path, batch, out)?;
            Ok("zip")
        }
        Some(k) => {
            let bytes = read_capped(path).map_err(|reason| LoadError::Io {
                path: path.to_owned(),
                error: std::io::Error::other(reason),
            })?;
            out.pass(vec![(path.display().to_string(), parse(k, &bytes))]);
            Ok("file")
        }
        None => Err(LoadError::UnknownKind(path.to_owned())),
    }
}

/// Every OSV file and zip under `dir`. Symlinked directories are followed (a data directory is
/// often a set of links to checkouts); a link back to a directory already walked is a loop and is
/// skipped, since its records were read once already.
pub(crate) fn collect(dir: &Path, out: &mut Vec<(PathBuf, Kind)>) -> std::io::Result<()> {
    let walk = ignore::WalkBuilder::new(dir).standard_filters(false).follow_links(true).build();
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if is_loop(&e) => continue,
            Err(e) => {
                let shown = e.to_string();
                return Err(e.into_io_error().unwrap_or_else(|| std::io::Error::other(shown)));
            }
        };
        if entry.file_type().is_some_and(|t| t.is_file())
            && let Some(k) = kind_of(&entry.file_name().to_string_lossy())
        {
            out.push((entry.into_path(), k));
        }
    }
    Ok(())
}

/// The order of `Path`'s `Ord` (component by component) for the clean paths a walk yields: the
/// bytes compared with a separator ranked below every other byte. The same answer without splitting
/// both paths into components at each comparison, which was most of the cost of sorting a data
/// directory's files (and of a scan with a current cache, which stamps them all).
pub(crate) fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (a, b) = (a.as_os_str().as_encoded_bytes(), b.as_os_str().as_encoded_bytes());
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let rank = |s: &[u8]| {
        s.get(common).map(|&c| if std::path::is_separator(char::from(c)) { 0 } else { u16::from(c) + 1 })
    };
    rank(a).cmp(&rank(b))
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

fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let f = File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    f.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(format!("larger than {MAX_RECORD_BYTES} bytes"));
    }
    Ok(bytes)
}

/// Reads a zip entry by entry, `batch` entries parsed at a time; stops when the sink asks to.
fn load_zip(path: &Path, batch_size: usize, out: &mut Counted<'_>) -> Result<(), LoadError> {
    let file = File::open(path).map_err(|error| LoadError::Io { path: path.to_owned(), error })?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| LoadError::Zip { path: path.to_owned(), reason: e.to_string() })?;
    let mut batch: Vec<Pending> = Vec::with_capacity(batch_size);
    let flush = |batch: &mut Vec<Pending>, out: &mut Counted<'_>| {
        let parsed: Parsed =
            batch.par_drain(..).map(|(src, k, bytes)| (src, bytes.and_then(|b| parse(k, &b)))).collect();
        out.pass(parsed)
    };
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                batch.push((format!("{}!#{i}", path.display()), Kind::Json, Err(e.to_string())));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                batch.push((format!("{}!#{i}", path.display()), Kind::Json, Err(e.to_string())));
                continue;
            }
        };
        let Some(kind @ (Kind::Json | Kind::Yaml)) = kind_of(&name) else { continue };
        let source = format!("{}!{name}", path.display());
        let bytes = if entry.size() > MAX_RECORD_BYTES {
            Err(format!("larger than {MAX_RECORD_BYTES} bytes"))
        } else {
            // The header's size may lie; the cap holds whatever it says.
            // Capacity from the header only up to 1 MiB: a lying header must not reserve memory.
            let mut bytes = Vec::with_capacity(entry.size().min(1 << 20) as usize);
            match (&mut entry).take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes) {
                Ok(_) if bytes.len() as u64 > MAX_RECORD_BYTES => {
                    Err(format!("larger than {MAX_RECORD_BYTES} bytes"))
                }
                Ok(_) => Ok(bytes),
                Err(e) => Err(e.to_string()),
            }
        };
        batch.push((source, kind, bytes));
        if batch.len() >= batch_size && !flush(&mut batch, out) {
            return Ok(());
        }
    }
    flush(&mut batch, out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const GOOD: &str = r#"{"id":"T-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#;

    /// The loader's file order (which record of an id wins a tie) is `Path`'s, however it is
    /// computed: names that sort differently as bytes and as components.
    #[test]
    fn path_order_is_the_order_of_paths() {
        let names = [
            "d/a/b",
            "d/a-b",
            "d/a.b/c",
            "d/a/b/c",
            "d/ab",
            "d/a",
            "d/A",
            "d/a b/c",
            "d/é/x",
            "d/e/x",
            "d/a0",
            "d/a/0",
            "d/crates/a-b/R-1.json",
            "d/crates/a/R-2.json",
            "d/crates/a_b/R-3.json",
        ];
        let mut by_path: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mut by_bytes = by_path.clone();
        by_path.sort();
        by_bytes.sort_by(|a, b| path_order(a, b));
        assert_eq!(by_bytes, by_path);
        assert_ne!(
            by_path,
            {
                let mut plain = by_path.clone();
                plain.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
                plain
            },
            "the names do tell plain byte order from path order"
        );
    }

    #[test]
    fn a_directory_loads_what_it_can_and_names_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        fs::write(dir.path().join("sub/T-1.json"), GOOD).expect("write");
        fs::write(dir.path().join("bad.json"), "{").expect("write");
        fs::write(dir.path().join("README.md"), "# not data").expect("write");
        let db = load_paths(&[dir.path().to_owned()]).expect("loads");
        assert_eq!(db.info().advisories, 1);
        assert_eq!(db.info().diagnostics.len(), 1);
        assert!(db.info().diagnostics[0].source.ends_with("bad.json"));
        assert_eq!(db.info().sources[0].kind, "directory");
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_directories_are_followed_and_a_loop_is_read_once() {
        let data = tempfile::tempdir().expect("tempdir");
        fs::write(data.path().join("T-1.json"), GOOD).expect("write");
        fs::write(data.path().join("T-2.json"), GOOD.replace("T-1", "T-2")).expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(data.path(), dir.path().join("linked")).expect("symlink");
        // A link back up: without loop detection the walk would never end.
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).expect("symlink");
        let db = load_paths(&[dir.path().to_owned()]).expect("loads");
        assert_eq!(db.info().advisories, 2, "{:?}", db.info());
        // The link itself given as the path.
        let db = load_paths(&[dir.path().join("linked")]).expect("loads");
        assert_eq!(db.info().advisories, 2);
    }

    #[test]
    fn zips_are_read_entry_by_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zpath = dir.path().join("all.zip");
        let mut w = zip::ZipWriter::new(File::create(&zpath).expect("create"));
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("T-1.json", opts).expect("entry");
        w.write_all(GOOD.as_bytes()).expect("write");
        w.start_file("T-2.json", opts).expect("entry");
        w.write_all(
            GOOD.replace("T-1", "T-2")
                .replace("\"modified\"", "\"withdrawn\":\"2024-02-01T00:00:00Z\",\"modified\"")
                .as_bytes(),
        )
        .expect("write");
        w.start_file("broken.json", opts).expect("entry");
        w.write_all(b"[]").expect("write");
        w.finish().expect("finish");
        let db = load_paths(std::slice::from_ref(&zpath)).expect("loads");
        let info = db.info();
        assert_eq!((info.advisories, info.withdrawn, info.diagnostics.len()), (1, 1, 1));
        assert!(info.diagnostics[0].source.ends_with("all.zip!broken.json"), "{:?}", info.diagnostics);
        assert_eq!(info.by_ecosystem.get("npm"), Some(&1));
    }

    #[test]
    fn missing_and_unknown_paths_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(load_paths(&[dir.path().join("nope")]), Err(LoadError::Io { .. })));
        let txt = dir.path().join("x.txt");
        fs::write(&txt, "x").expect("write");
        assert!(matches!(load_paths(&[txt]), Err(LoadError::UnknownKind(_))));
        let z = dir.path().join("x.zip");
        fs::write(&z, "not a zip").expect("write");
        assert!(matches!(load_paths(&[z]), Err(LoadError::Zip { .. })));
    }

    #[test]
    fn the_newest_record_of_an_id_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("a.json"), GOOD).expect("write");
        fs::write(
            dir.path().join("b.json"),
            GOOD.replace("2024-01-01", "2025-01-01").replace("1.0.0", "2.0.0"),
        )
        .expect("write");
        let db = load_paths(&[dir.path().to_owned()]).expect("loads");
        assert_eq!(db.info().duplicates, 1);
        assert_eq!(db.advisory("T-1").map(Advisory::modified), Some("2025-01-01T00:00:00Z"));
        assert_eq!(db.info().newest_modified.as_deref(), Some("2025-01-01T00:00:00Z"));
    }
}

//! A cache of what the loader read, keyed by the data's revision, so a second load of the same
//! OSV directory reads one file instead of parsing thousands of JSON and YAML records again.
//!
//! The cache file holds one header line (format, the revision it was built from, counts, the
//! sources and load diagnostics, the SHA-256 of the rest) and then every record as compact OSV
//! JSON, one per line. Records come back through the same checked parser as any OSV file (in
//! parallel, line by line), so a cache can never hand the matcher a record the loader would refuse.
//!
//! The revision is a SHA-256 over the cache format, the engine version, and for every path given,
//! each OSV file it holds: path, size, modification and change times, inode. A missing, stale
//! (another revision) or corrupt (bad header, checksum, record or count) cache is rebuilt from the
//! data, never trusted; a cache that cannot be written only costs the next run its speed.

use super::index::{Database, SourceInfo};
use super::load::{self, LoadDiagnostic, LoadError, RawDatabase};
use super::osv::Advisory;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bumped whenever the file layout or what the loader keeps changes.
const FORMAT: &str = "cairn-vulndb-cache/1";

/// How a load used the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// The cache was current: the data was not parsed.
    Hit,
    /// There was no cache yet: the data was parsed and the cache written.
    Built,
    /// The cache was stale or corrupt (the reason): the data was parsed and the cache rewritten.
    Rebuilt(String),
    /// The data was parsed, but the cache could not be written (the reason).
    NotWritten(String),
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    revision: String,
    records: usize,
    body_sha256: String,
    sources: Vec<CachedSource>,
    diagnostics: Vec<LoadDiagnostic>,
}

#[derive(Serialize, Deserialize)]
struct CachedSource {
    path: String,
    kind: String,
    records: usize,
    errors: usize,
}

/// Loads `paths` like [`load::load_paths`], through a cache file under `cache_dir` (created when
/// missing). The database is the same either way.
pub fn load_paths_cached(paths: &[PathBuf], cache_dir: &Path) -> Result<(Database, CacheUse), LoadError> {
    let file = cache_dir.join(format!("vulndb-{}.cache", &hex(&Sha256::digest(paths_key(paths)))[..32]));
    // Stamping every data file and reading the cache are independent: both at once.
    let (revision, cached) = rayon::join(|| revision(paths), || fs::read(&file));
    // A path that cannot be looked at is the loader's error to report, with its own words.
    let Ok(revision) = revision else { return Ok((load::load_paths(paths)?, CacheUse::Built)) };
    let stale = match cached {
        Ok(bytes) => match decode(&bytes, &revision) {
            Ok(read) => return Ok((read.into_database(), CacheUse::Hit)),
            Err(reason) => Some(reason),
        },
        Err(_) => None,
    };
    let read = load::read_paths(paths)?;
    let used = match write(&file, &revision, &read) {
        Err(e) => CacheUse::NotWritten(format!("{}: {e}", file.display())),
        Ok(()) => match stale {
            Some(reason) => CacheUse::Rebuilt(reason),
            None => CacheUse::Built,
        },
    };
    Ok((read.into_database(), used))
}

/// The paths as given: which cache file holds their data.
fn paths_key(paths: &[PathBuf]) -> Vec<u8> {
    let mut key = Vec::new();
    for p in paths {
        let p = fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        key.extend_from_slice(p.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

/// The data's revision: every OSV file under the paths with its size, times and inode.
fn revision(paths: &[PathBuf]) -> std::io::Result<String> {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(env!("CARGO_PKG_VERSION"));
    for path in paths {
        h.update(b"\0path\0");
        h.update(path.as_os_str().as_encoded_bytes());
        let meta = fs::metadata(path)?;
        if meta.is_dir() {
            let mut files = Vec::new();
            load::collect(path, &mut files)?;
            files.sort();
            for (f, _) in files {
                stamp(&mut h, &f, &fs::metadata(&f)?);
            }
        } else {
            stamp(&mut h, path, &meta);
        }
    }
    Ok(hex(&h.finalize()))
}

fn stamp(h: &mut Sha256, path: &Path, meta: &fs::Metadata) {
    h.update(b"\0file\0");
    h.update(path.as_os_str().as_encoded_bytes());
    h.update(meta.len().to_le_bytes());
    let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    h.update(mtime.map_or(0, |d| d.as_nanos()).to_le_bytes());
    // The change time and inode also move when a file is replaced within one mtime tick.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        h.update(meta.ctime().to_le_bytes());
        h.update(meta.ctime_nsec().to_le_bytes());
        h.update(meta.ino().to_le_bytes());
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn source_kind(kind: &str) -> Option<&'static str> {
    ["file", "directory", "zip"].into_iter().find(|k| *k == kind)
}

/// The cache's content when it is intact and of this revision; else why not.
fn decode(bytes: &[u8], revision: &str) -> Result<RawDatabase, String> {
    let split = bytes.iter().position(|b| *b == b'\n').ok_or("corrupt: no header line")?;
    let (head, body) = (&bytes[..split], &bytes[split + 1..]);
    let header: Header = serde_json::from_slice(head).map_err(|e| format!("corrupt header: {e}"))?;
    if header.format != FORMAT {
        return Err(format!("stale: format {:?}, not {FORMAT:?}", header.format));
    }
    if header.revision != revision {
        return Err("stale: the data changed since it was cached".into());
    }
    let lines: Vec<&[u8]> = body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    if lines.len() != header.records {
        return Err(format!("corrupt: {} records, header says {}", lines.len(), header.records));
    }
    // The records are parsed while the checksum is computed; nothing parsed is used unless the
    // checksum matches.
    let (sum, records) = rayon::join(
        || hex(&Sha256::digest(body)),
        || lines.par_iter().map(|l| Advisory::from_json(l)).collect::<Result<Vec<_>, _>>(),
    );
    if sum != header.body_sha256 {
        return Err("corrupt: checksum mismatch".into());
    }
    let records = records.map_err(|e| format!("corrupt record: {e}"))?;
    let sources = header
        .sources
        .into_iter()
        .map(|s| {
            let kind = source_kind(&s.kind).ok_or_else(|| format!("corrupt: source kind {:?}", s.kind))?;
            Ok(SourceInfo { path: s.path, kind, records: s.records, errors: s.errors })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(RawDatabase { records, sources, diagnostics: header.diagnostics })
}

/// Writes the cache whole to a temporary file, then renames it over the old one: a reader never
/// sees half a cache, and a crash leaves at worst a stray temporary file.
fn write(file: &Path, revision: &str, read: &RawDatabase) -> std::io::Result<()> {
    let mut body = Vec::with_capacity(read.records.len() * 2048);
    for r in &read.records {
        serde_json::to_writer(&mut body, r)?;
        body.push(b'\n');
    }
    let header = Header {
        format: FORMAT.to_owned(),
        revision: revision.to_owned(),
        records: read.records.len(),
        body_sha256: hex(&Sha256::digest(&body)),
        sources: read
            .sources
            .iter()
            .map(|s| CachedSource {
                path: s.path.clone(),
                kind: s.kind.to_owned(),
                records: s.records,
                errors: s.errors,
            })
            .collect(),
        diagnostics: read.diagnostics.clone(),
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let written = (|| {
        let mut f = fs::File::create(&tmp)?;
        serde_json::to_writer(&mut f, &header)?;
        f.write_all(b"\n")?;
        f.write_all(&body)?;
        f.sync_all()?;
        fs::rename(&tmp, file)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
    }

    fn only_file(dir: &Path) -> PathBuf {
        let files: Vec<PathBuf> = fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        files.into_iter().next().expect("one")
    }

    /// The cached database is the parsed one: same advisories, same info, on real RustSec, PyPA
    /// (YAML) and Go records.
    #[test]
    fn a_hit_gives_the_database_the_data_gives() {
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures()];
        let direct = load::load_paths(&paths).expect("loads");
        assert!(direct.info().advisories > 10, "{:?}", direct.info());
        let (built, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert_eq!(used, CacheUse::Built);
        let (hit, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert_eq!(used, CacheUse::Hit);
        for db in [&built, &hit] {
            assert_eq!(db.info(), direct.info());
            assert_eq!(db.advisories(), direct.advisories());
        }
    }

    #[test]
    fn changed_data_makes_the_cache_stale() {
        let data = tempfile::tempdir().expect("tempdir");
        let cache = tempfile::tempdir().expect("tempdir");
        let record = |id: &str, fixed: &str| {
            format!(
                r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"npm","name":"a"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
            )
        };
        fs::write(data.path().join("T-1.json"), record("T-1", "1.0.0")).expect("write");
        let paths = vec![data.path().to_owned()];
        assert_eq!(load_paths_cached(&paths, cache.path()).expect("loads").1, CacheUse::Built);
        // A new record, then an edited one (longer, so the size moves whatever the clock does).
        fs::write(data.path().join("T-2.json"), record("T-2", "1.0.0")).expect("write");
        let (db, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("stale")), "{used:?}");
        assert_eq!(db.info().advisories, 2);
        fs::write(data.path().join("T-2.json"), record("T-2", "10.0.0")).expect("write");
        let (db, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("stale")), "{used:?}");
        let ranges = db.advisory("T-2").expect("T-2").affected()[0].ranges()[0].events.clone();
        assert_eq!(ranges[1].version(), "10.0.0");
        assert_eq!(load_paths_cached(&paths, cache.path()).expect("loads").1, CacheUse::Hit);
    }

    #[test]
    fn a_corrupt_cache_is_rebuilt_never_trusted() {
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures().join("rustsec")];
        let direct = load::load_paths(&paths).expect("loads");
        load_paths_cached(&paths, cache.path()).expect("loads");
        let file = only_file(cache.path());
        let good = fs::read(&file).expect("read");
        let body_at = good.iter().position(|b| *b == b'\n').expect("header") + 1;
        // A flipped byte in a record, the body cut short, a garbled header, and an empty file.
        let mut flipped = good.clone();
        let at = body_at + (good.len() - body_at) / 2;
        flipped[at] = if flipped[at] == b'0' { b'1' } else { b'0' };
        let truncated = good[..good.len() - 100].to_vec();
        let mut garbled = good.clone();
        garbled[5] = b'{';
        for bad in [flipped, truncated, garbled, Vec::new()] {
            fs::write(&file, &bad).expect("write");
            let (db, used) = load_paths_cached(&paths, cache.path()).expect("loads");
            assert!(matches!(used, CacheUse::Rebuilt(_) | CacheUse::Built), "{used:?}");
            assert_eq!(db.info(), direct.info());
            assert_eq!(db.advisories(), direct.advisories());
            assert_eq!(fs::read(&file).expect("read"), good, "the cache is rewritten whole");
        }
    }

    #[test]
    fn a_record_that_checks_its_sum_is_still_parsed_by_the_checked_parser() {
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures().join("rustsec")];
        let (_, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert_eq!(used, CacheUse::Built);
        let file = only_file(cache.path());
        let text = fs::read_to_string(&file).expect("read");
        let (head, body) = text.split_once('\n').expect("header");
        // A record without its id, with a checksum to match: refused by the parser, so rebuilt.
        let body = body.replacen("{\"id\":\"RUSTSEC", "{\"di\":\"RUSTSEC", 1);
        let mut header: serde_json::Value = serde_json::from_str(head).expect("json");
        header["body_sha256"] = hex(&Sha256::digest(body.as_bytes())).into();
        fs::write(&file, format!("{header}\n{body}")).expect("write");
        let (_, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("corrupt record")), "{used:?}");
    }

    #[test]
    fn an_unwritable_cache_still_loads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        fs::write(&blocker, "not a directory").expect("write");
        let paths = vec![fixtures().join("rustsec")];
        let (db, used) = load_paths_cached(&paths, &blocker.join("cache")).expect("loads");
        assert!(matches!(used, CacheUse::NotWritten(_)), "{used:?}");
        assert!(db.info().advisories > 0);
    }
}

//! A cache of what the loader read, keyed by the data's revision, so a second load of the same
//! OSV directory reads one file instead of parsing thousands of JSON and YAML records again, and a
//! scan reads from it only the records its inventory names.
//!
//! The cache file holds three parts, one line each for the first two:
//! - a header (format, the revision it was built from, counts, the sources and load diagnostics,
//!   the SHA-256 of everything after it and the SHA-256 of the index line);
//! - the index: where each record is (offset, length, SHA-256), the records of each id and of each
//!   (ecosystem, normalised name) an `affected[]` entry names, and the totals the database built
//!   from every record reports (counts per ecosystem and release, newest `modified`, readings);
//! - every record as compact OSV JSON, one per line.
//!
//! Records come back through the same checked parser as any OSV file, so a cache can never hand
//! the matcher a record the loader would refuse. [`load_paths_cached`] reads them all (checksum
//! over the whole file); [`open_cached`] then [`VulnData::database_for`] read the header and the
//! index, then only the records of the inventory's packages (each checked against its own
//! SHA-256), plus every other record of their ids and of their aliases: the database they build
//! reports the whole data's totals, so matching decides exactly as against every record.
//!
//! The revision is a SHA-256 over the cache format, the engine version, and for every path given,
//! each OSV file it holds: path, size, modification and change times, inode. A missing, stale
//! (another revision) or corrupt (bad header, checksum, record or count) cache is rebuilt from the
//! data, never trusted; a cache that cannot be written only costs the next run its speed.

use super::index::{Database, DatabaseInfo, SourceInfo, VersionReading, eco_key};
use super::load::{self, LoadDiagnostic, LoadError, RawDatabase};
use super::matcher::advisory_target;
use super::name::normalize;
use super::osv::Advisory;
use super::version::OsvEcosystem;
use crate::inventory::Inventory;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bumped whenever the file layout or what the loader keeps changes.
const FORMAT: &str = "cairn-vulndb-cache/2";

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
    /// SHA-256 of everything after the header line: the index line and the records.
    body_sha256: String,
    /// SHA-256 of the index line (without its newline): what a partial read checks.
    index_sha256: String,
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

/// Where the records are and what the database of all of them reports. Lists of tuples, not maps
/// of objects: compact, and sorted so a lookup is a binary search without building a map.
#[derive(Serialize, Deserialize)]
struct Index {
    /// Each record: its offset from the first record, its length (without the newline), and its
    /// SHA-256.
    slots: Vec<(u64, u32, String)>,
    /// Record numbers per advisory id (an id may be read more than once), sorted by id.
    by_id: Vec<(String, Vec<u32>)>,
    /// Record numbers per `eco_key\0normalised name` an `affected[]` entry names, sorted by key.
    by_package: Vec<(String, Vec<u32>)>,
    totals: Totals,
}

/// The totals of the database built from every record ([`DatabaseInfo`] without the sources
/// and diagnostics, which the header holds).
#[derive(Serialize, Deserialize)]
struct Totals {
    advisories: usize,
    withdrawn: usize,
    duplicates: usize,
    by_ecosystem: BTreeMap<String, usize>,
    newest_modified: Option<String>,
    /// (advisory, package, note).
    readings: Vec<(String, String, String)>,
    /// Advisory ordinals per full ecosystem string, sorted by the string.
    by_release: Vec<(String, Vec<usize>)>,
}

/// Loads `paths` like [`load::load_paths`], through a cache file under `cache_dir` (created when
/// missing). The database is the same either way.
pub fn load_paths_cached(paths: &[PathBuf], cache_dir: &Path) -> Result<(Database, CacheUse), LoadError> {
    let file = cache_file(paths, cache_dir);
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
    rebuild(paths, &file, &revision, stale)
}

/// Vulnerability data opened through the cache ([`open_cached`]): either a current cache whose
/// index has been read, or the database parsed from the data (the cache missing, stale or
/// corrupt, and rewritten).
pub struct VulnData {
    state: State,
}

enum State {
    Loaded(Box<Database>, CacheUse),
    Cached(Box<Opened>),
}

/// A current cache: its header and index read, its records not yet.
struct Opened {
    paths: Vec<PathBuf>,
    file: PathBuf,
    revision: String,
    /// The cache, open: the records are read from this handle, so a cache replaced meanwhile by
    /// another process is still read whole from the version whose index was checked.
    handle: File,
    /// Where the first record starts.
    records_at: u64,
    header: Header,
    index: Index,
}

/// Opens `paths` through the cache under `cache_dir`: when the cache is current only its header
/// and index are read, and [`VulnData::database_for`] reads the records an inventory needs; else
/// the data is parsed (and the cache rewritten) here, so a bad path fails before a scan.
pub fn open_cached(paths: &[PathBuf], cache_dir: &Path) -> Result<VulnData, LoadError> {
    let file = cache_file(paths, cache_dir);
    let (revision, opened) = rayon::join(|| revision(paths), || open_index(&file));
    let Ok(revision) = revision else {
        return Ok(VulnData { state: State::Loaded(Box::new(load::load_paths(paths)?), CacheUse::Built) });
    };
    let stale = match opened {
        Ok(Some((handle, records_at, header, index))) => match check_header(&header, &revision) {
            Ok(()) => {
                let opened =
                    Opened { paths: paths.to_vec(), file, revision, handle, records_at, header, index };
                return Ok(VulnData { state: State::Cached(Box::new(opened)) });
            }
            Err(reason) => Some(reason),
        },
        Ok(None) => None,
        Err(reason) => Some(reason),
    };
    let (db, used) = rebuild(paths, &file, &revision, stale)?;
    Ok(VulnData { state: State::Loaded(Box::new(db), used) })
}

impl VulnData {
    /// The database to match `inventory` against. From a current cache it holds only the
    /// advisories naming the inventory's packages (every record of their ids, and the records of
    /// their aliases) and reports the whole data's totals; a damaged record makes it parse the
    /// data again and rewrite the cache ([`CacheUse::Rebuilt`]).
    pub fn database_for(self, inventory: &Inventory) -> Result<(Database, CacheUse), LoadError> {
        match self.state {
            State::Loaded(db, used) => Ok((*db, used)),
            State::Cached(opened) => match opened.read_for(inventory) {
                Ok(db) => Ok((db, CacheUse::Hit)),
                Err(reason) => {
                    // The damaged cache is closed before it is replaced.
                    let Opened { paths, file, revision, .. } = *opened;
                    rebuild(&paths, &file, &revision, Some(reason))
                }
            },
        }
    }
}

impl Opened {
    fn read_for(&self, inventory: &Inventory) -> Result<Database, String> {
        let mut named: BTreeSet<u32> = BTreeSet::new();
        for c in inventory.components.iter().filter(|c| !c.local) {
            let Some((eco, name, _)) = advisory_target(c) else { continue };
            named.extend(lookup(&self.index.by_package, &package_key(&eco, name)).iter().copied());
        }
        // Kept in record order: of two records of one id with the same `modified`, the database
        // keeps the later one, as it does when built from every record.
        let mut read: BTreeMap<u32, Advisory> = BTreeMap::new();
        self.read(named, &mut read)?;
        // Every record of their ids: the newest record of an id wins, whichever package it names.
        let ids: BTreeSet<String> = read.values().map(|a| a.id().to_owned()).collect();
        self.read(ids.iter().flat_map(|id| lookup(&self.index.by_id, id)).copied(), &mut read)?;
        // The records of their aliases: a finding of unknown severity is rated from them.
        let aliases: BTreeSet<&str> = read.values().flat_map(|a| a.aliases()).map(String::as_str).collect();
        let aliased: Vec<u32> =
            aliases.iter().flat_map(|id| lookup(&self.index.by_id, id)).copied().collect();
        self.read(aliased, &mut read)?;
        let t = &self.index.totals;
        let info = DatabaseInfo {
            sources: sources(&self.header.sources)?,
            advisories: t.advisories,
            withdrawn: t.withdrawn,
            duplicates: t.duplicates,
            by_ecosystem: t.by_ecosystem.clone(),
            newest_modified: t.newest_modified.clone(),
            diagnostics: self.header.diagnostics.clone(),
            readings: t
                .readings
                .iter()
                .map(|(advisory, package, note)| VersionReading {
                    advisory: advisory.clone(),
                    package: package.clone(),
                    note: note.clone(),
                })
                .collect(),
        };
        let by_release: HashMap<String, BTreeSet<usize>> =
            t.by_release.iter().map(|(k, v)| (k.clone(), v.iter().copied().collect())).collect();
        Ok(Database::new(read.into_values(), Vec::new(), Vec::new()).with_totals(info, Arc::new(by_release)))
    }

    /// Reads the records numbered `wanted` not read yet into `read`: the bytes one after the other
    /// from the file, each checked against its SHA-256, then parsed in parallel.
    fn read(
        &self,
        wanted: impl IntoIterator<Item = u32>,
        read: &mut BTreeMap<u32, Advisory>,
    ) -> Result<(), String> {
        let mut f = &self.handle;
        let wanted: BTreeSet<u32> = wanted.into_iter().filter(|n| !read.contains_key(n)).collect();
        let mut raw: Vec<(u32, Vec<u8>)> = Vec::with_capacity(wanted.len());
        for n in wanted {
            let (offset, len, sum) =
                self.index.slots.get(n as usize).ok_or_else(|| format!("corrupt index: no record {n}"))?;
            let mut bytes = vec![0; *len as usize];
            f.seek(SeekFrom::Start(self.records_at + offset))
                .and_then(|_| f.read_exact(&mut bytes))
                .map_err(|e| format!("corrupt: record {n} unreadable: {e}"))?;
            if hex(&Sha256::digest(&bytes)) != *sum {
                return Err(format!("corrupt: checksum mismatch in record {n}"));
            }
            raw.push((n, bytes));
        }
        let parsed: Vec<(u32, Advisory)> = raw
            .par_iter()
            .map(|(n, bytes)| Advisory::from_json(bytes).map(|a| (*n, a)))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("corrupt record: {e}"))?;
        read.extend(parsed);
        Ok(())
    }
}

/// The records a sorted list files under `key`.
fn lookup<'a>(list: &'a [(String, Vec<u32>)], key: &str) -> &'a [u32] {
    list.binary_search_by(|(k, _)| k.as_str().cmp(key)).map_or(&[], |i| list[i].1.as_slice())
}

/// The index key of a package as the database files it ([`Database::candidates`]).
fn package_key(eco: &OsvEcosystem, name: &str) -> String {
    format!("{}\0{}", eco_key(eco), normalize(eco.known(), name))
}

/// The header and index of the cache file (`None`: there is none), the handle kept open and the
/// offset of the first record; or why they cannot be used.
#[allow(clippy::type_complexity)]
fn open_index(file: &Path) -> Result<Option<(File, u64, Header, Index)>, String> {
    let Ok(handle) = File::open(file) else { return Ok(None) };
    let mut reader = BufReader::with_capacity(1 << 16, &handle);
    let mut head = Vec::new();
    let mut line = Vec::new();
    let read = |reader: &mut BufReader<&File>, buf: &mut Vec<u8>, what: &str| -> Result<(), String> {
        match reader.read_until(b'\n', buf) {
            Ok(_) if buf.last() == Some(&b'\n') => {
                buf.pop();
                Ok(())
            }
            Ok(_) => Err(format!("corrupt: no {what} line")),
            Err(e) => Err(format!("corrupt: {what} unreadable: {e}")),
        }
    };
    read(&mut reader, &mut head, "header")?;
    let header: Header = serde_json::from_slice(&head).map_err(|e| format!("corrupt header: {e}"))?;
    if header.format != FORMAT {
        return Err(format!("stale: format {:?}, not {FORMAT:?}", header.format));
    }
    read(&mut reader, &mut line, "index")?;
    if hex(&Sha256::digest(&line)) != header.index_sha256 {
        return Err("corrupt: index checksum mismatch".into());
    }
    let index: Index = serde_json::from_slice(&line).map_err(|e| format!("corrupt index: {e}"))?;
    if index.slots.len() != header.records {
        return Err(format!("corrupt: {} records, header says {}", index.slots.len(), header.records));
    }
    let records_at = (head.len() + 1 + line.len() + 1) as u64;
    drop(reader);
    Ok(Some((handle, records_at, header, index)))
}

fn check_header(header: &Header, revision: &str) -> Result<(), String> {
    if header.format != FORMAT {
        return Err(format!("stale: format {:?}, not {FORMAT:?}", header.format));
    }
    if header.revision != revision {
        return Err("stale: the data changed since it was cached".into());
    }
    Ok(())
}

/// Parses the data (the cache was missing, stale for `stale`'s reason, or corrupt) and rewrites
/// the cache.
fn rebuild(
    paths: &[PathBuf],
    file: &Path,
    revision: &str,
    stale: Option<String>,
) -> Result<(Database, CacheUse), LoadError> {
    let read = load::read_paths(paths)?;
    let body = Body::of(&read.records);
    let sources: Vec<CachedSource> = read
        .sources
        .iter()
        .map(|s| CachedSource {
            path: s.path.clone(),
            kind: s.kind.to_owned(),
            records: s.records,
            errors: s.errors,
        })
        .collect();
    let diagnostics = read.diagnostics.clone();
    let db = read.into_database();
    let written = body
        .map_err(std::io::Error::from)
        .and_then(|body| write(file, revision, body, sources, diagnostics, &db));
    let used = match written {
        Err(e) => CacheUse::NotWritten(format!("{}: {e}", file.display())),
        Ok(()) => match stale {
            Some(reason) => CacheUse::Rebuilt(reason),
            None => CacheUse::Built,
        },
    };
    Ok((db, used))
}

/// Which cache file holds the data of these paths.
fn cache_file(paths: &[PathBuf], cache_dir: &Path) -> PathBuf {
    cache_dir.join(format!("vulndb-{}.cache", &hex(&Sha256::digest(paths_key(paths)))[..32]))
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
            // The files are looked at in parallel, then stamped in their sorted order.
            let metas: Vec<fs::Metadata> =
                files.par_iter().map(|(f, _)| fs::metadata(f)).collect::<std::io::Result<_>>()?;
            for ((f, _), meta) in files.iter().zip(&metas) {
                stamp(&mut h, f, meta);
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
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn source_kind(kind: &str) -> Option<&'static str> {
    ["file", "directory", "zip"].into_iter().find(|k| *k == kind)
}

fn sources(cached: &[CachedSource]) -> Result<Vec<SourceInfo>, String> {
    cached
        .iter()
        .map(|s| {
            let kind = source_kind(&s.kind).ok_or_else(|| format!("corrupt: source kind {:?}", s.kind))?;
            Ok(SourceInfo { path: s.path.clone(), kind, records: s.records, errors: s.errors })
        })
        .collect()
}

/// The cache's content when it is intact and of this revision; else why not.
fn decode(bytes: &[u8], revision: &str) -> Result<RawDatabase, String> {
    let split = bytes.iter().position(|b| *b == b'\n').ok_or("corrupt: no header line")?;
    let (head, body) = (&bytes[..split], &bytes[split + 1..]);
    let header: Header = serde_json::from_slice(head).map_err(|e| format!("corrupt header: {e}"))?;
    check_header(&header, revision)?;
    let split = body.iter().position(|b| *b == b'\n').ok_or("corrupt: no index line")?;
    let records_body = &body[split + 1..];
    let lines: Vec<&[u8]> = records_body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
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
    let sources = sources(&header.sources)?;
    Ok(RawDatabase { records, sources, diagnostics: header.diagnostics })
}

/// The records as the cache holds them: compact JSON, one per line, with where each is, and
/// the keys each is filed under.
struct Body {
    bytes: Vec<u8>,
    slots: Vec<(u64, u32, String)>,
    by_id: Vec<(String, Vec<u32>)>,
    by_package: Vec<(String, Vec<u32>)>,
}

impl Body {
    fn of(records: &[Advisory]) -> serde_json::Result<Body> {
        let mut bytes = Vec::with_capacity(records.len() * 2048);
        let mut slots = Vec::with_capacity(records.len());
        let mut by_id: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut by_package: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (n, r) in records.iter().enumerate() {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            let start = bytes.len();
            serde_json::to_writer(&mut bytes, r)?;
            let record = &bytes[start..];
            slots.push((start as u64, record.len() as u32, hex(&Sha256::digest(record))));
            bytes.push(b'\n');
            by_id.entry(r.id().to_owned()).or_default().push(n);
            let mut keys: Vec<String> = r
                .affected()
                .iter()
                .filter_map(|f| f.package())
                .map(|p| package_key(&OsvEcosystem::parse(&p.ecosystem), &p.name))
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                by_package.entry(k).or_default().push(n);
            }
        }
        Ok(Body {
            bytes,
            slots,
            by_id: by_id.into_iter().collect(),
            by_package: by_package.into_iter().collect(),
        })
    }
}

/// Writes the cache whole to a temporary file, then renames it over the old one: a reader never
/// sees half a cache, and a crash leaves at worst a stray temporary file.
fn write(
    file: &Path,
    revision: &str,
    body: Body,
    sources: Vec<CachedSource>,
    diagnostics: Vec<LoadDiagnostic>,
    db: &Database,
) -> std::io::Result<()> {
    let info = db.info();
    let mut by_release: Vec<(String, Vec<usize>)> =
        db.by_release().iter().map(|(k, v)| (k.clone(), v.iter().copied().collect())).collect();
    by_release.sort();
    let records = body.slots.len();
    let index = Index {
        slots: body.slots,
        by_id: body.by_id,
        by_package: body.by_package,
        totals: Totals {
            advisories: info.advisories,
            withdrawn: info.withdrawn,
            duplicates: info.duplicates,
            by_ecosystem: info.by_ecosystem.clone(),
            newest_modified: info.newest_modified.clone(),
            readings: info
                .readings
                .iter()
                .map(|r| (r.advisory.clone(), r.package.clone(), r.note.clone()))
                .collect(),
            by_release,
        },
    };
    let index = serde_json::to_vec(&index)?;
    let mut sum = Sha256::new();
    sum.update(&index);
    sum.update(b"\n");
    sum.update(&body.bytes);
    let header = Header {
        format: FORMAT.to_owned(),
        revision: revision.to_owned(),
        records,
        body_sha256: hex(&sum.finalize()),
        index_sha256: hex(&Sha256::digest(&index)),
        sources,
        diagnostics,
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let written = (|| {
        let mut f = std::io::BufWriter::new(fs::File::create(&tmp)?);
        serde_json::to_writer(&mut f, &header)?;
        f.write_all(b"\n")?;
        f.write_all(&index)?;
        f.write_all(b"\n")?;
        f.write_all(&body.bytes)?;
        let f = f.into_inner().map_err(|e| e.into_error())?;
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

    /// Issue 22: a record damaged in a cache whose header and index are intact is caught when it
    /// is read for an inventory: the data is parsed again and the cache rewritten, the damaged
    /// record never used.
    #[test]
    fn a_damaged_record_read_for_an_inventory_rebuilds() {
        use crate::inventory::{Ecosystem, Location, Package};
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures().join("rustsec")];
        let direct = load::load_paths(&paths).expect("loads");
        load_paths_cached(&paths, cache.path()).expect("loads");
        let file = only_file(cache.path());
        let good = fs::read(&file).expect("read");
        let package = Package::new(Ecosystem::Cargo, "lock_api", "0.3.0", Location::new("Cargo.lock", None))
            .expect("valid package");
        let inventory = Inventory::assemble([package], Vec::new(), Vec::new(), Vec::new());
        let (db, used) =
            open_cached(&paths, cache.path()).expect("opens").database_for(&inventory).expect("reads");
        assert_eq!(used, CacheUse::Hit);
        assert!(db.advisory("RUSTSEC-2020-0070").is_some());
        assert!(db.advisories().len() < direct.advisories().len());
        // Every record's dates moved a century back, lengths kept: header and index still check.
        let text = String::from_utf8(good.clone()).expect("utf8");
        let (head, rest) = text.split_once('\n').expect("header");
        let (index, records) = rest.split_once('\n').expect("index");
        let damaged =
            format!("{head}\n{index}\n{}", records.replace("\"modified\":\"20", "\"modified\":\"19"));
        assert_ne!(damaged.as_bytes(), good.as_slice());
        fs::write(&file, &damaged).expect("write");
        let (db, used) =
            open_cached(&paths, cache.path()).expect("opens").database_for(&inventory).expect("reads");
        assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("corrupt: checksum")), "{used:?}");
        assert_eq!(db.advisories(), direct.advisories());
        assert_eq!(fs::read(&file).expect("read"), good, "the cache is rewritten whole");
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

//! A cache of what the loader read, keyed by the data's revision, so a second load of the same
//! OSV directory reads one file instead of parsing thousands of JSON and YAML records again, and a
//! scan reads from it only the records its inventory names.
//!
//! The cache file holds:
//! - the format line (`cairn-vulndb-cache/3`);
//! - the SHA-256 of the index and its length (8 bytes, little-endian);
//! - the index, in postcard: the revision it was built from, the sources and load diagnostics,
//!   where each record is (offset, length, SHA-256), the records of each id and of each
//!   (ecosystem, normalised name) an `affected[]` entry names as sorted flat tables (decoding
//!   makes a handful of vectors however many keys; a lookup is a binary search), and the totals
//!   the database built from every record reports (counts per ecosystem and release, newest
//!   `modified`, readings);
//! - every record as compact OSV JSON, one per line.
//!
//! Records come back through the same checked parser as any OSV file, so a cache can never hand
//! the matcher a record the loader would refuse. [`open_cached`] reads the index (checked against
//! its SHA-256); [`VulnData::database_for`] then reads only the records of the inventory's
//! packages (each checked against its own SHA-256), plus every other record of their ids and of
//! their aliases: the database they build reports the whole data's totals, so matching decides
//! exactly as against every record. [`load_paths_cached`] reads every record the same way.
//!
//! The revision is a SHA-256 over the cache format, the engine version, and for every path given,
//! each OSV file it holds: path, size, modification and change times, inode. A missing, stale
//! (another format or revision) or corrupt (short, bad checksum, inconsistent index, bad record)
//! cache is rebuilt from the data, never trusted; a cache that cannot be written only costs the
//! next run its speed.

use super::index::{Database, DatabaseInfo, SourceInfo, VersionReading, eco_key};
use super::load::{self, LoadDiagnostic, LoadError};
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
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bumped whenever the file layout or what the loader keeps changes. The file's first line; an
/// older cache (format 2 began with a JSON header) is stale by it.
const FORMAT: &str = "cairn-vulndb-cache/3";

/// What every format's first line starts with: a file that does not is not a cache at all.
const FORMAT_FAMILY: &str = "cairn-vulndb-cache/";

/// The bytes before the index: the format line, the index's SHA-256, its length.
const PREFIX: usize = FORMAT.len() + 1 + 32 + 8;

/// Records closer than this in the file are read with one call, the bytes between them skipped:
/// fewer system calls than a seek and read per record, little read for nothing.
const READ_GAP: u64 = 16 * 1024;

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

/// Everything but the records. Owned and flat: a few vectors, not one allocation per record.
#[derive(Serialize, Deserialize)]
struct Index {
    revision: String,
    sources: Vec<CachedSource>,
    diagnostics: Vec<LoadDiagnostic>,
    /// Each record, in file order.
    slots: Vec<Slot>,
    /// Record numbers per advisory id (an id may be read more than once).
    by_id: Table,
    /// Record numbers per `eco_key\0normalised name` an `affected[]` entry names.
    by_package: Table,
    totals: Totals,
}

#[derive(Serialize, Deserialize)]
struct CachedSource {
    path: String,
    kind: String,
    records: usize,
    errors: usize,
}

/// Where a record is: its offset from the first record, its length (without the newline), and
/// its SHA-256.
#[derive(Serialize, Deserialize)]
struct Slot {
    offset: u64,
    len: u32,
    sha256: [u8; 32],
}

/// Sorted string keys, each with a list of record numbers, as four flat arrays: key `i` is
/// `keys[key_ends[i-1]..key_ends[i]]`, its records `records[record_ends[i-1]..record_ends[i]]`.
#[derive(Serialize, Deserialize, Default)]
struct Table {
    keys: String,
    key_ends: Vec<u32>,
    records: Vec<u32>,
    record_ends: Vec<u32>,
}

/// The totals of the database built from every record ([`DatabaseInfo`] without the sources
/// and diagnostics, which the index holds apart).
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

impl Table {
    fn of(map: BTreeMap<String, Vec<u32>>) -> Result<Table, std::io::Error> {
        let mut t = Table::default();
        let end = |n: usize| u32::try_from(n).map_err(|_| std::io::Error::other("index larger than 4 GiB"));
        for (key, records) in map {
            t.keys.push_str(&key);
            t.key_ends.push(end(t.keys.len())?);
            t.records.extend(records);
            t.record_ends.push(end(t.records.len())?);
        }
        Ok(t)
    }

    fn len(&self) -> usize {
        self.key_ends.len()
    }

    /// Key `i`; `None` past the end or on bounds that do not hold (only a corrupt index has
    /// those, and [`check`](Self::check) refuses it first).
    fn key(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { *self.key_ends.get(i - 1)? as usize };
        self.keys.get(start..*self.key_ends.get(i)? as usize)
    }

    fn records_of(&self, i: usize) -> &[u32] {
        let start = if i == 0 { Some(0) } else { self.record_ends.get(i - 1).map(|e| *e as usize) };
        let end = self.record_ends.get(i).map(|e| *e as usize);
        start.zip(end).and_then(|(s, e)| self.records.get(s..e)).unwrap_or(&[])
    }

    /// The records filed under `key`.
    fn lookup(&self, key: &str) -> &[u32] {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid).map(|k| k.cmp(key)) {
                Some(std::cmp::Ordering::Less) => lo = mid + 1,
                Some(std::cmp::Ordering::Greater) => hi = mid,
                Some(std::cmp::Ordering::Equal) => return self.records_of(mid),
                None => return &[],
            }
        }
        &[]
    }

    /// The table's arrays agree with each other, its keys are sorted and unique, and every record
    /// number is one of `records`.
    fn check(&self, what: &str, records: usize) -> Result<(), String> {
        let bad = || format!("corrupt index: {what} table inconsistent");
        if self.record_ends.len() != self.len()
            || self.key_ends.last().map_or(0, |e| *e as usize) != self.keys.len()
            || self.record_ends.last().map_or(0, |e| *e as usize) != self.records.len()
            || self.key_ends.windows(2).any(|w| w[0] > w[1])
            || self.record_ends.windows(2).any(|w| w[0] > w[1])
            || self.records.iter().any(|n| *n as usize >= records)
        {
            return Err(bad());
        }
        let mut previous: Option<&str> = None;
        for i in 0..self.len() {
            let key = self.key(i).ok_or_else(bad)?;
            if previous.is_some_and(|p| p >= key) {
                return Err(bad());
            }
            previous = Some(key);
        }
        Ok(())
    }
}

impl Index {
    /// Everything a reader relies on without checking again: slots in file order inside the
    /// records' `span` bytes, tables consistent.
    fn check(&self, span: u64) -> Result<(), String> {
        let mut end = 0u64;
        for (n, s) in self.slots.iter().enumerate() {
            let past = s.offset.checked_add(u64::from(s.len));
            if s.offset < end || past.is_none_or(|p| p > span) {
                return Err(format!("corrupt: record {n} outside the file"));
            }
            end = past.unwrap_or(span);
        }
        self.by_id.check("id", self.slots.len())?;
        self.by_package.check("package", self.slots.len())?;
        sources(&self.sources).map(|_| ())
    }

    /// The whole data's totals, as the database of every record reports them.
    fn info(&self) -> Result<DatabaseInfo, String> {
        let t = &self.totals;
        Ok(DatabaseInfo {
            sources: sources(&self.sources)?,
            advisories: t.advisories,
            withdrawn: t.withdrawn,
            duplicates: t.duplicates,
            by_ecosystem: t.by_ecosystem.clone(),
            newest_modified: t.newest_modified.clone(),
            diagnostics: self.diagnostics.clone(),
            readings: t
                .readings
                .iter()
                .map(|(advisory, package, note)| VersionReading {
                    advisory: advisory.clone(),
                    package: package.clone(),
                    note: note.clone(),
                })
                .collect(),
        })
    }
}

/// Loads `paths` like [`load::load_paths`], through a cache file under `cache_dir` (created when
/// missing). The database is the same either way.
pub fn load_paths_cached(paths: &[PathBuf], cache_dir: &Path) -> Result<(Database, CacheUse), LoadError> {
    match open_cached(paths, cache_dir)?.state {
        State::Loaded(db, used) => Ok((*db, used)),
        State::Cached(opened) => match opened.read_all() {
            Ok(db) => Ok((db, CacheUse::Hit)),
            Err(reason) => {
                let Opened { paths, file, revision, .. } = *opened;
                rebuild(&paths, &file, &revision, Some(reason))
            }
        },
    }
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

/// A current cache: its index read, its records not yet.
struct Opened {
    paths: Vec<PathBuf>,
    file: PathBuf,
    revision: String,
    /// The cache, open: the records are read from this handle, so a cache replaced meanwhile by
    /// another process is still read whole from the version whose index was checked.
    handle: File,
    /// Where the first record starts.
    records_at: u64,
    index: Index,
}

/// Opens `paths` through the cache under `cache_dir`: when the cache is current only its index is
/// read, and [`VulnData::database_for`] reads the records an inventory needs; else the data is
/// parsed (and the cache rewritten) here, so a bad path fails before a scan.
pub fn open_cached(paths: &[PathBuf], cache_dir: &Path) -> Result<VulnData, LoadError> {
    let file = cache_file(paths, cache_dir);
    let (revision, opened) = rayon::join(|| revision(paths), || open_index(&file));
    // A path that cannot be looked at is the loader's error to report, with its own words.
    let Ok(revision) = revision else {
        return Ok(VulnData { state: State::Loaded(Box::new(load::load_paths(paths)?), CacheUse::Built) });
    };
    let stale = match opened {
        Ok(Some((handle, records_at, index))) if index.revision == revision => {
            let opened = Opened { paths: paths.to_vec(), file, revision, handle, records_at, index };
            return Ok(VulnData { state: State::Cached(Box::new(opened)) });
        }
        Ok(Some(_)) => Some("stale: the data changed since it was cached".to_owned()),
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
            named.extend(self.index.by_package.lookup(&package_key(&eco, name)).iter().copied());
        }
        // Kept in record order: of two records of one id with the same `modified`, the database
        // keeps the later one, as it does when built from every record.
        let mut read: BTreeMap<u32, Advisory> = BTreeMap::new();
        self.read(named, &mut read)?;
        // Every record of their ids: the newest record of an id wins, whichever package it names.
        let ids: BTreeSet<String> = read.values().map(|a| a.id().to_owned()).collect();
        self.read(ids.iter().flat_map(|id| self.index.by_id.lookup(id)).copied(), &mut read)?;
        // The records of their aliases: a finding of unknown severity is rated from them.
        let aliases: BTreeSet<&str> = read.values().flat_map(|a| a.aliases()).map(String::as_str).collect();
        let aliased: Vec<u32> = aliases.iter().flat_map(|id| self.index.by_id.lookup(id)).copied().collect();
        self.read(aliased, &mut read)?;
        self.database(read.into_values())
    }

    /// Every record: the database the data itself gives.
    fn read_all(&self) -> Result<Database, String> {
        let mut read: BTreeMap<u32, Advisory> = BTreeMap::new();
        self.read(0..self.index.slots.len() as u32, &mut read)?;
        let db =
            Database::new(read.into_values(), sources(&self.index.sources)?, self.index.diagnostics.clone());
        Ok(db)
    }

    /// A database of `records` that reports the whole data's totals.
    fn database(&self, records: impl IntoIterator<Item = Advisory>) -> Result<Database, String> {
        let by_release: HashMap<String, BTreeSet<usize>> = self
            .index
            .totals
            .by_release
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().copied().collect()))
            .collect();
        Ok(Database::new(records, Vec::new(), Vec::new())
            .with_totals(self.index.info()?, Arc::new(by_release)))
    }

    /// Reads the records numbered `wanted` not read yet into `read`: the bytes from the file, runs
    /// of nearby records in one call, each record checked against its SHA-256, then parsed in
    /// parallel.
    fn read(
        &self,
        wanted: impl IntoIterator<Item = u32>,
        read: &mut BTreeMap<u32, Advisory>,
    ) -> Result<(), String> {
        let wanted: BTreeSet<u32> = wanted.into_iter().filter(|n| !read.contains_key(n)).collect();
        let wanted: Vec<(u32, &Slot)> = wanted
            .into_iter()
            .map(|n| {
                self.index
                    .slots
                    .get(n as usize)
                    .map(|s| (n, s))
                    .ok_or_else(|| format!("corrupt index: no record {n}"))
            })
            .collect::<Result<_, _>>()?;
        // Runs of records in file order (the index was checked to be) with small gaps between.
        let mut runs: Vec<Run<'_>> = Vec::new();
        let mut rest = wanted.as_slice();
        while let Some(((_, first), _)) = rest.split_first() {
            let start = first.offset;
            let mut end = start + u64::from(first.len);
            let mut count = 1;
            for (_, s) in &rest[1..] {
                let past = s.offset + u64::from(s.len);
                if s.offset < end || s.offset - end > READ_GAP {
                    break;
                }
                end = past;
                count += 1;
            }
            let (run, after) = rest.split_at(count);
            runs.push(Run { start, bytes: vec![0; (end - start) as usize], records: run });
            rest = after;
        }
        let mut f = &self.handle;
        for run in &mut runs {
            f.seek(SeekFrom::Start(self.records_at + run.start))
                .and_then(|_| f.read_exact(&mut run.bytes))
                .map_err(|e| format!("corrupt: records at {} unreadable: {e}", run.start))?;
        }
        let parsed: Vec<(u32, Advisory)> = runs
            .par_iter()
            .flat_map_iter(|run| {
                run.records.iter().map(move |(n, s)| {
                    let at = (s.offset - run.start) as usize;
                    let bytes = run
                        .bytes
                        .get(at..at + s.len as usize)
                        .ok_or_else(|| format!("corrupt: record {n}"))?;
                    if Sha256::digest(bytes).as_slice() != s.sha256 {
                        return Err(format!("corrupt: checksum mismatch in record {n}"));
                    }
                    Advisory::from_json(bytes).map(|a| (*n, a)).map_err(|e| format!("corrupt record: {e}"))
                })
            })
            .collect::<Result<_, _>>()?;
        read.extend(parsed);
        Ok(())
    }
}

/// Records next to each other in the file, read with one call.
struct Run<'a> {
    /// Offset of the first record's first byte from the first record of the file.
    start: u64,
    bytes: Vec<u8>,
    /// The records in it, with their slots.
    records: &'a [(u32, &'a Slot)],
}

/// The index key of a package as the database files it ([`Database::candidates`]).
fn package_key(eco: &OsvEcosystem, name: &str) -> String {
    format!("{}\0{}", eco_key(eco), normalize(eco.known(), name))
}

/// The index of the cache file (`None`: there is none), the handle kept open and the offset of
/// the first record; or why it cannot be used.
fn open_index(file: &Path) -> Result<Option<(File, u64, Index)>, String> {
    let Ok(mut handle) = File::open(file) else { return Ok(None) };
    let size = handle.metadata().map_err(|e| format!("corrupt: unreadable: {e}"))?.len();
    let mut prefix = [0u8; PREFIX];
    let short = handle.read_exact(&mut prefix).is_err();
    let line = FORMAT.len() + 1;
    if prefix.get(..line) != Some(format!("{FORMAT}\n").as_bytes()) {
        return Err(if prefix.starts_with(FORMAT_FAMILY.as_bytes()) || prefix.starts_with(b"{\"format\":") {
            "stale: another cache format".to_owned()
        } else {
            "corrupt: not a cache file".to_owned()
        });
    }
    if short {
        return Err("corrupt: shorter than its prefix".into());
    }
    let (sum, len) = prefix[line..].split_at(32);
    let len = u64::from_le_bytes(len.try_into().map_err(|_| "corrupt: prefix")?);
    let records_at = (PREFIX as u64).checked_add(len).filter(|end| *end <= size);
    let Some(records_at) = records_at else { return Err("corrupt: index past the end of the file".into()) };
    let mut bytes = vec![0; len as usize];
    handle.read_exact(&mut bytes).map_err(|e| format!("corrupt: index unreadable: {e}"))?;
    if Sha256::digest(&bytes).as_slice() != sum {
        return Err("corrupt: index checksum mismatch".into());
    }
    let index: Index = postcard::from_bytes(&bytes).map_err(|e| format!("corrupt index: {e}"))?;
    index.check(size - records_at)?;
    Ok(Some((handle, records_at, index)))
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
    let written = body.and_then(|body| write(file, revision, body, sources, diagnostics, &db));
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
            files.sort_unstable_by(|a, b| load::path_order(&a.0, &b.0));
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

/// The records as the cache holds them: compact JSON, one per line, with where each is, and
/// the keys each is filed under.
struct Body {
    bytes: Vec<u8>,
    slots: Vec<Slot>,
    by_id: Table,
    by_package: Table,
}

impl Body {
    fn of(records: &[Advisory]) -> std::io::Result<Body> {
        let mut bytes = Vec::with_capacity(records.len() * 2048);
        let mut slots = Vec::with_capacity(records.len());
        let mut by_id: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut by_package: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let too_large = || std::io::Error::other("too many records for the cache");
        for (n, r) in records.iter().enumerate() {
            let n = u32::try_from(n).map_err(|_| too_large())?;
            let start = bytes.len();
            serde_json::to_writer(&mut bytes, r)?;
            let record = &bytes[start..];
            let len = u32::try_from(record.len()).map_err(|_| too_large())?;
            slots.push(Slot { offset: start as u64, len, sha256: Sha256::digest(record).into() });
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
        Ok(Body { bytes, slots, by_id: Table::of(by_id)?, by_package: Table::of(by_package)? })
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
    let index = Index {
        revision: revision.to_owned(),
        sources,
        diagnostics,
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
    let index = postcard::to_extend(&index, Vec::new()).map_err(|e| std::io::Error::other(e.to_string()))?;
    let dir = file.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let written = (|| {
        let mut f = std::io::BufWriter::new(fs::File::create(&tmp)?);
        f.write_all(FORMAT.as_bytes())?;
        f.write_all(b"\n")?;
        f.write_all(&Sha256::digest(&index))?;
        f.write_all(&(index.len() as u64).to_le_bytes())?;
        f.write_all(&index)?;
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

    /// The cache's bytes split where the records start: (format line, checksum, length and
    /// index; the records).
    fn split(good: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let len = u64::from_le_bytes(good[PREFIX - 8..PREFIX].try_into().expect("8 bytes"));
        let at = PREFIX + len as usize;
        (good[..at].to_vec(), good[at..].to_vec())
    }

    /// Decodes the index, lets `edit` change it, and writes it back with a checksum to match: what
    /// only the checks after the checksum can catch.
    fn rewrite_index(file: &Path, edit: impl FnOnce(&mut Index, &mut Vec<u8>)) {
        let good = fs::read(file).expect("read");
        let (head, mut records) = split(&good);
        let mut index: Index = postcard::from_bytes(&head[PREFIX..]).expect("index decodes");
        edit(&mut index, &mut records);
        let bytes = postcard::to_extend(&index, Vec::new()).expect("encodes");
        let mut out = head[..FORMAT.len() + 1].to_vec();
        out.extend_from_slice(&Sha256::digest(&bytes));
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&bytes);
        out.extend_from_slice(&records);
        fs::write(file, out).expect("write");
    }

    #[test]
    fn a_corrupt_cache_is_rebuilt_never_trusted() {
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures().join("rustsec")];
        let direct = load::load_paths(&paths).expect("loads");
        load_paths_cached(&paths, cache.path()).expect("loads");
        let file = only_file(cache.path());
        let good = fs::read(&file).expect("read");
        let (head, _) = split(&good);
        // A flipped byte in the index and in a record (not a newline between records: those are
        // never read), a garbled format line, and an empty file.
        let flip = |at: usize| {
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            bad
        };
        let mut in_record = head.len() + (good.len() - head.len()) / 2;
        while good[in_record] == b'\n' {
            in_record += 1;
        }
        let mut garbled = good.clone();
        garbled[5] = b'{';
        let mut bad = vec![flip(PREFIX + (head.len() - PREFIX) / 2), flip(in_record), garbled, Vec::new()];
        // Cut short anywhere: in the format line, the checksum, the index, the records.
        bad.extend(
            [3, FORMAT.len() + 10, PREFIX - 1, PREFIX + 5, head.len() - 1, head.len() + 1, good.len() - 100]
                .into_iter()
                .map(|at| good[..at].to_vec()),
        );
        for bad in bad {
            fs::write(&file, &bad).expect("write");
            let (db, used) = load_paths_cached(&paths, cache.path()).expect("loads");
            assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("corrupt")), "{used:?}");
            assert_eq!(db.info(), direct.info());
            assert_eq!(db.advisories(), direct.advisories());
            assert_eq!(fs::read(&file).expect("read"), good, "the cache is rewritten whole");
        }
    }

    /// An index that checks its sum but does not hold together (a table out of order or pointing
    /// past the records, a record outside the file) is refused before any lookup trusts it.
    #[test]
    fn an_inconsistent_index_with_a_good_checksum_is_rebuilt() {
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures().join("rustsec")];
        let direct = load::load_paths(&paths).expect("loads");
        load_paths_cached(&paths, cache.path()).expect("loads");
        let file = only_file(cache.path());
        let good = fs::read(&file).expect("read");
        type Edit = Box<dyn FnOnce(&mut Index, &mut Vec<u8>)>;
        let edits: Vec<Edit> = vec![
            Box::new(|i, _| i.by_package.key_ends.swap(0, 1)),
            Box::new(|i, _| i.by_id.records[0] = u32::MAX),
            Box::new(|i, _| {
                i.by_package.keys.pop();
            }),
            Box::new(|i, _| i.by_id.record_ends.truncate(1)),
            Box::new(|i, _| i.slots[0].len = u32::MAX),
            Box::new(|i, _| {
                let last = i.slots.len() - 1;
                i.slots[last].offset += 1_000_000;
            }),
            Box::new(|i, _| i.sources[0].kind = "tarball".into()),
        ];
        for edit in edits {
            rewrite_index(&file, edit);
            let (db, used) = load_paths_cached(&paths, cache.path()).expect("loads");
            assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("corrupt")), "{used:?}");
            assert_eq!(db.advisories(), direct.advisories());
            assert_eq!(fs::read(&file).expect("read"), good, "the cache is rewritten whole");
        }
    }

    /// A cache in an older format (format 2 began with a JSON header) is stale, not corrupt.
    #[test]
    fn an_older_format_is_stale() {
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures().join("rustsec")];
        load_paths_cached(&paths, cache.path()).expect("loads");
        let file = only_file(cache.path());
        for old in [
            &b"{\"format\":\"cairn-vulndb-cache/2\",\"revision\":\"0\"}\n{}\n"[..],
            b"cairn-vulndb-cache/2\n",
        ] {
            fs::write(&file, old).expect("write");
            let (_, used) = load_paths_cached(&paths, cache.path()).expect("loads");
            assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("stale")), "{used:?}");
        }
    }

    #[test]
    fn a_record_that_checks_its_sum_is_still_parsed_by_the_checked_parser() {
        let cache = tempfile::tempdir().expect("tempdir");
        let paths = vec![fixtures().join("rustsec")];
        let (_, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert_eq!(used, CacheUse::Built);
        let file = only_file(cache.path());
        // A record without its id, with a checksum to match: refused by the parser, so rebuilt.
        rewrite_index(&file, |index, records| {
            let text = String::from_utf8(records.clone()).expect("utf8");
            *records = text.replacen("{\"id\":\"RUSTSEC", "{\"di\":\"RUSTSEC", 1).into_bytes();
            let s = &mut index.slots[0];
            let record = &records[s.offset as usize..(s.offset + u64::from(s.len)) as usize];
            assert!(record.starts_with(b"{\"di\""), "the first record was edited");
            s.sha256 = Sha256::digest(record).into();
        });
        let (_, used) = load_paths_cached(&paths, cache.path()).expect("loads");
        assert!(matches!(&used, CacheUse::Rebuilt(r) if r.starts_with("corrupt record")), "{used:?}");
    }

    /// Issue 22: a record damaged in a cache whose index is intact is caught when it is read for
    /// an inventory: the data is parsed again and the cache rewritten, the damaged record never
    /// used.
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
        // Every record's dates moved a century back, lengths kept: the index still checks.
        let (head, records) = split(&good);
        let records =
            String::from_utf8(records).expect("utf8").replace("\"modified\":\"20", "\"modified\":\"19");
        let damaged = [head, records.into_bytes()].concat();
        assert_ne!(damaged, good);
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

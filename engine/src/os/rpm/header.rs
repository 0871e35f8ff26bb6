//! An rpm header as rpm stores it in its database: the index count and data length (big-endian
//! `u32`s), that many 16-byte index entries (tag, type, offset, count), then the data store. No
//! lead and no magic: that is the package file's wrapping, not the database's.
//!
//! Every count and offset is checked against the blob before it is used, so a corrupt or hostile
//! header is an error, never a panic or an out-of-bounds read.

use thiserror::Error;

/// Tags Cairn reads.
pub mod tag {
    /// The package name.
    pub const NAME: u32 = 1000;
    /// Its version.
    pub const VERSION: u32 = 1001;
    /// Its release.
    pub const RELEASE: u32 = 1002;
    /// Its epoch (an `INT32`), absent for most packages.
    pub const EPOCH: u32 = 1003;
    /// The vendor (`Red Hat, Inc.`).
    pub const VENDOR: u32 = 1011;
    /// The license as the spec file states it.
    pub const LICENSE: u32 = 1014;
    /// The architecture (`x86_64`, `noarch`).
    pub const ARCH: u32 = 1022;
    /// Full file paths, in headers from before rpm 4.0's compressed file names.
    pub const OLDFILENAMES: u32 = 1027;
    /// The source package's file name (`bash-5.1.8-6.el9.src.rpm`).
    pub const SOURCERPM: u32 = 1044;
    /// Per file, the index of its directory in `DIRNAMES`.
    pub const DIRINDEXES: u32 = 1116;
    /// Per file, its base name.
    pub const BASENAMES: u32 = 1117;
    /// The directories, each ending in `/`.
    pub const DIRNAMES: u32 = 1118;
}

/// rpm's own sanity limits (`hdrchkTags`, `hdrchkData` in rpm's header.c).
const MAX_ENTRIES: u32 = 0xffff;
const MAX_DATA: u32 = 0x0fff_ffff;
const ENTRY: usize = 16;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Why a header blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HeaderError {
    /// Shorter than its own counts say.
    #[error("rpm header truncated: {needed} bytes needed, {len} present")]
    Truncated {
        /// Bytes the counts call for.
        needed: usize,
        /// Bytes there are.
        len: usize,
    },
    /// More index entries than rpm allows.
    #[error("rpm header claims {0} index entries (rpm allows {MAX_ENTRIES})")]
    TooManyEntries(u32),
    /// A data store larger than rpm allows.
    #[error("rpm header claims a {0}-byte data store (rpm allows {MAX_DATA})")]
    DataTooLarge(u32),
    /// An entry pointing outside the data store, or a value not of the type its tag needs.
    #[error("rpm header tag {tag}: {reason}")]
    BadEntry {
        /// The tag.
        tag: u32,
        /// What is wrong.
        reason: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
}

/// A parsed header: its index and data store, values read on demand.
#[derive(Debug, Clone)]
pub struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

impl<'a> Header<'a> {
    /// Reads the index of `blob`; values are checked when read.
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, HeaderError> {
        let truncated = |needed: usize| HeaderError::Truncated { needed, len: blob.len() };
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else { return Err(truncated(8)) };
        if il > MAX_ENTRIES {
            return Err(HeaderError::TooManyEntries(il));
        }
        if dl > MAX_DATA {
            return Err(HeaderError::DataTooLarge(dl));
        }
        // Both are bounded above, so this cannot overflow.
        let index_end = 8 + il as usize * ENTRY;
        let needed = index_end + dl as usize;
        let data = blob.get(index_end..needed).ok_or_else(|| truncated(needed))?;
        let mut entries = Vec::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = 8 + i * ENTRY;
            let field = |k: usize| be32(blob, at + 4 * k).ok_or_else(|| truncated(needed));
            let (tag, ty, offset, count) = (field(0)?, field(1)?, field(2)?, field(3)?);
            let offset =
                usize::try_from(offset).map_err(|_| HeaderError::BadEntry { tag, reason: "offset" })?;
            if offset > data.len() {
                return Err(HeaderError::BadEntry { tag, reason: "offset past the data store" });
            }
            // A count can never exceed the bytes it lives in (every type takes at least one).
            let count = usize::try_from(count).unwrap_or(usize::MAX);
            if count > data.len() - offset {
                return Err(HeaderError::BadEntry { tag, reason: "count past the data store" });
            }
            entries.push(Entry { tag, ty, offset, count });
        }
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }

    /// `count` NUL-terminated strings from `offset`.
    fn strings_at(&self, e: &Entry) -> Result<Vec<&'a str>, HeaderError> {
        let bad = |reason| HeaderError::BadEntry { tag: e.tag, reason };
        let mut rest = &self.data[e.offset..];
        let mut out = Vec::with_capacity(e.count);
        for _ in 0..e.count {
            let end = rest.iter().position(|&b| b == 0).ok_or(bad("string without its NUL"))?;
            out.push(std::str::from_utf8(&rest[..end]).map_err(|_| bad("string not UTF-8"))?);
            rest = &rest[end + 1..];
        }
        Ok(out)
    }

    /// A string tag (`STRING`, or the first of an `I18NSTRING`); `Ok(None)` when absent.
    pub fn string(&self, tag: u32) -> Result<Option<&'a str>, HeaderError> {
        let Some(e) = self.entry(tag) else { return Ok(None) };
        match e.ty {
            TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY if e.count >= 1 => {
                Ok(self.strings_at(&Entry { count: 1, ..*e })?.first().copied())
            }
            _ => Err(HeaderError::BadEntry { tag, reason: "not a string" }),
        }
    }

    /// A string-array tag; empty when absent.
    pub fn strings(&self, tag: u32) -> Result<Vec<&'a str>, HeaderError> {
        let Some(e) = self.entry(tag) else { return Ok(Vec::new()) };
        match e.ty {
            TYPE_STRING_ARRAY | TYPE_I18NSTRING => self.strings_at(e),
            _ => Err(HeaderError::BadEntry { tag, reason: "not a string array" }),
        }
    }

    /// An `INT32` (array) tag; empty when absent.
    pub fn int32s(&self, tag: u32) -> Result<Vec<u32>, HeaderError> {
        let Some(e) = self.entry(tag) else { return Ok(Vec::new()) };
        if e.ty != TYPE_INT32 {
            return Err(HeaderError::BadEntry { tag, reason: "not an INT32" });
        }
        let bytes = e
            .count
            .checked_mul(4)
            .and_then(|n| self.data.get(e.offset..e.offset.checked_add(n)?))
            .ok_or(HeaderError::BadEntry { tag, reason: "INT32 values past the data store" })?;
        Ok(bytes.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}

/// What Cairn takes from one installed package's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmPackage {
    /// `NAME`.
    pub name: String,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `EPOCH`, when set.
    pub epoch: Option<u32>,
    /// `ARCH`.
    pub arch: Option<String>,
    /// `SOURCERPM`: the source package's file name.
    pub source_rpm: Option<String>,
    /// `LICENSE`.
    pub license: Option<String>,
    /// `VENDOR`.
    pub vendor: Option<String>,
    /// Installed paths, absolute: `Err` when the file list is inconsistent (the package itself
    /// is still known).
    pub files: Result<Vec<String>, HeaderError>,
}

impl RpmPackage {
    /// Reads a package from a header blob.
    pub fn from_blob(blob: &[u8]) -> Result<RpmPackage, HeaderError> {
        let h = Header::parse(blob)?;
        let required = |tag| -> Result<String, HeaderError> {
            h.string(tag)?.map(str::to_owned).ok_or(HeaderError::BadEntry { tag, reason: "missing" })
        };
        let optional = |tag| -> Result<Option<String>, HeaderError> { Ok(h.string(tag)?.map(str::to_owned)) };
        Ok(RpmPackage {
            name: required(tag::NAME)?,
            version: required(tag::VERSION)?,
            release: required(tag::RELEASE)?,
            epoch: h.int32s(tag::EPOCH)?.first().copied(),
            arch: optional(tag::ARCH)?,
            source_rpm: optional(tag::SOURCERPM)?,
            license: optional(tag::LICENSE)?,
            vendor: optional(tag::VENDOR)?,
            files: files(&h),
        })
    }
}

/// The package's files: directory + base name per file, or the old full-path list.
fn files(h: &Header<'_>) -> Result<Vec<String>, HeaderError> {
    let bases = h.strings(tag::BASENAMES)?;
    if bases.is_empty() {
        return Ok(h.strings(tag::OLDFILENAMES)?.into_iter().map(str::to_owned).collect());
    }
    let dirs = h.strings(tag::DIRNAMES)?;
    let indexes = h.int32s(tag::DIRINDEXES)?;
    if indexes.len() != bases.len() {
        return Err(HeaderError::BadEntry { tag: tag::DIRINDEXES, reason: "not one per base name" });
    }
    bases
        .iter()
        .zip(indexes)
        .map(|(base, i)| {
            let dir = usize::try_from(i).ok().and_then(|i| dirs.get(i)).ok_or(HeaderError::BadEntry {
                tag: tag::DIRINDEXES,
                reason: "directory index out of range",
            })?;
            Ok(format!("{dir}{base}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header of `entries` (tag, type, offset, count) over `data`.
    fn blob(entries: &[(u32, u32, u32, u32)], data: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend((entries.len() as u32).to_be_bytes());
        b.extend((data.len() as u32).to_be_bytes());
        for (t, ty, o, c) in entries {
            for v in [t, ty, o, c] {
                b.extend(v.to_be_bytes());
            }
        }
        b.extend(data);
        b
    }

    fn nevra(extra: &[(u32, u32, u32, u32)], data: &[u8]) -> Vec<u8> {
        let mut d = b"curl\x007.76.0\x006.cm2\0".to_vec();
        let base = d.len() as u32;
        d.extend(data);
        let mut e = vec![(tag::NAME, 6, 0, 1), (tag::VERSION, 6, 5, 1), (tag::RELEASE, 6, 12, 1)];
        e.extend(extra.iter().map(|&(t, ty, o, c)| (t, ty, o + base, c)));
        blob(&e, &d)
    }

    #[test]
    fn reads_names_epoch_and_files() {
        // DIRNAMES "/usr/bin/", "/etc/"; BASENAMES "curl", "curlrc"; DIRINDEXES 0, 1; EPOCH 2.
        let mut data = b"/usr/bin/\0/etc/\0curl\0curlrc\0".to_vec();
        let ints = data.len() as u32;
        for v in [0u32, 1, 2] {
            data.extend(v.to_be_bytes());
        }
        let p = RpmPackage::from_blob(&nevra(
            &[
                (tag::DIRNAMES, 8, 0, 2),
                (tag::BASENAMES, 8, 16, 2),
                (tag::DIRINDEXES, 4, ints, 2),
                (tag::EPOCH, 4, ints + 8, 1),
            ],
            &data,
        ))
        .expect("parses");
        assert_eq!((p.name.as_str(), p.version.as_str(), p.release.as_str()), ("curl", "7.76.0", "6.cm2"));
        assert_eq!(p.epoch, Some(2));
        assert_eq!(p.files, Ok(vec!["/usr/bin/curl".to_owned(), "/etc/curlrc".to_owned()]));
        assert_eq!(p.arch, None);
    }

    #[test]
    fn hostile_counts_and_offsets_are_errors() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![0, 0, 0], "truncated"),
            ([0xff_u8, 0xff, 0xff, 0xff, 0, 0, 0, 0].to_vec(), "index entries"),
            ([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff].to_vec(), "data store"),
            ([0, 0, 0, 1, 0, 0, 0, 0].to_vec(), "truncated"),
            (blob(&[(tag::NAME, 6, 99, 1)], b"curl\0"), "offset past"),
            (blob(&[(tag::NAME, 6, 0, u32::MAX)], b"curl\0"), "count past"),
            (blob(&[(tag::NAME, 6, 0, 1)], b"curl"), "NUL"),
            (blob(&[(tag::NAME, 6, 0, 1)], b"\xff\xfe\0"), "UTF-8"),
            (blob(&[(tag::NAME, 4, 0, 1)], b"curl\0"), "not a string"),
            (nevra(&[(tag::EPOCH, 4, 2, 1)], b"\0\0\0"), "INT32 values past"),
            (blob(&[(tag::VERSION, 6, 0, 1)], b"1\0"), "missing"),
        ];
        for (bytes, words) in cases {
            match RpmPackage::from_blob(&bytes) {
                Err(e) => assert!(e.to_string().contains(words), "{words}: {e}"),
                Ok(p) => panic!("{words}: parsed {p:?}"),
            }
        }
        // A bad file list loses the files, not the package.
        let files = [
            (nevra(&[(tag::BASENAMES, 8, 0, 1), (tag::DIRNAMES, 8, 0, 1)], b"a\0"), "one per base name"),
            (
                nevra(
                    &[(tag::BASENAMES, 8, 0, 1), (tag::DIRNAMES, 8, 0, 1), (tag::DIRINDEXES, 4, 2, 1)],
                    b"a\0\0\0\0\x07",
                ),
                "out of range",
            ),
        ];
        for (bytes, words) in files {
            let p = RpmPackage::from_blob(&bytes).expect("the package");
            assert_eq!(p.name, "curl");
            assert!(p.files.is_err_and(|e| e.to_string().contains(words)), "{words}");
        }
    }

    #[test]
    fn every_truncation_of_a_valid_header_is_an_error_not_a_panic() {
        let whole = nevra(&[(tag::ARCH, 6, 0, 1)], b"x86_64\0");
        assert!(RpmPackage::from_blob(&whole).is_ok());
        for n in 0..whole.len() {
            assert!(RpmPackage::from_blob(&whole[..n]).is_err(), "{n}");
        }
    }
}

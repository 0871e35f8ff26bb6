//! `archive` sources: an uploaded tar, tar.gz or zip (told apart by their bytes) extracted into a
//! fresh work directory. Only directories and regular files are written; paths are confined to
//! the directory (absolute paths, `..` and links pointing out are refused, naming the entry);
//! links inside and special files are left out and counted; entries, bytes, file size and
//! compression ratio are capped.

use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::policy::{ArchiveLimits, RATIO_GRACE_BYTES};
use super::{Obtained, SourceError, SourcePolicy, workdir};

/// Extracts `file` (named `filename` by the client) under `policy`.
pub(crate) async fn extract(
    file: &Path,
    filename: &str,
    policy: &SourcePolicy,
) -> Result<Obtained, SourceError> {
    let stop = Arc::new(AtomicBool::new(false));
    // Dropping the future (cancel) stops the blocking extraction at its next chunk.
    let _guard = StopOnDrop(stop.clone());
    let (file, filename, limits, work_dir) =
        (file.to_path_buf(), filename.to_owned(), policy.archive, policy.work_dir.clone());
    tokio::task::spawn_blocking(move || extract_blocking(&file, &filename, limits, &work_dir, &stop))
        .await
        .map_err(|e| SourceError::Internal(format!("extraction failed: {e}")))?
}

struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The archive kinds Cairn extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// POSIX or GNU tar.
    Tar,
    /// tar compressed with gzip.
    TarGz,
    /// zip.
    Zip,
}

/// Tells the kind of the archive in `file` from its first 512 bytes (see [`detect`]).
pub fn detect_file(file: &std::path::Path, filename: &str) -> std::io::Result<Option<Kind>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(file)?.take(512).read_to_end(&mut head)?;
    Ok(detect(&head, filename))
}

/// Tells the kind from the first bytes (the name only decides for pre-POSIX tar, which has no
/// magic number).
pub fn detect(head: &[u8], filename: &str) -> Option<Kind> {
    let name = filename.to_ascii_lowercase();
    if head.starts_with(&[0x1f, 0x8b]) {
        return Some(Kind::TarGz);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    if is_tar_header(head) || (name.ends_with(".tar") && head.len() >= 512) {
        return Some(Kind::Tar);
    }
    None
}

fn is_tar_header(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Blocking extraction; the tree is the only top-level directory when there is exactly one.
pub fn extract_blocking(
    file: &Path,
    filename: &str,
    limits: ArchiveLimits,
    work_dir: &Path,
    stop: &AtomicBool,
) -> Result<Obtained, SourceError> {
    let mut input =
        File::open(file).map_err(|e| SourceError::Unavailable(format!("cannot read the upload: {e}")))?;
    let compressed = input.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::with_capacity(512);
    (&mut input)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| SourceError::Unavailable(format!("cannot read the upload: {e}")))?;
    input
        .seek(SeekFrom::Start(0))
        .map_err(|e| SourceError::Unavailable(format!("cannot read the upload: {e}")))?;
    let kind = detect(&head, filename).ok_or_else(|| {
        SourceError::Invalid(format!(
            "{filename} is not a tar, tar.gz or zip archive (judged by its content)"
        ))
    })?;
    let work = workdir::create(work_dir)?;
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).map_err(|e| SourceError::Internal(format!("cannot prepare the tree: {e}")))?;
    let mut out =
        Extractor { root: &tree, limits, compressed, stop, entries: 0, total: 0, links: 0, special: 0 };
    match kind {
        Kind::Tar => out.tar(BufReader::new(input))?,
        Kind::TarGz => {
            let mut gz = flate2::read::GzDecoder::new(BufReader::new(input));
            let mut inner = Vec::with_capacity(512);
            (&mut gz)
                .take(512)
                .read_to_end(&mut inner)
                .map_err(|e| SourceError::Invalid(format!("{filename}: bad gzip data: {e}")))?;
            let lower = filename.to_ascii_lowercase();
            if !(is_tar_header(&inner) || lower.ends_with(".tar.gz") || lower.ends_with(".tgz")) {
                return Err(SourceError::Invalid(format!(
                    "{filename} is gzip-compressed but holds no tar archive; upload a .tar.gz, .tgz or .zip"
                )));
            }
            out.tar(std::io::Cursor::new(inner).chain(gz))?;
        }
        Kind::Zip => out.zip(input)?,
    }
    let mut notes = Vec::new();
    if out.links > 0 {
        notes.push(format!(
            "{} link(s) in the archive were not extracted (uploads never materialise links)",
            out.links
        ));
    }
    if out.special > 0 {
        notes.push(format!(
            "{} special file(s) (devices, FIFOs) in the archive were not extracted",
            out.special
        ));
    }
    let root = single_top_dir(&tree).unwrap_or(tree);
    Ok(Obtained::Tree { root, workdir: Some(work), revision: None, notes })
}

/// The only entry of `tree`, when it is a directory.
fn single_top_dir(tree: &Path) -> Option<PathBuf> {
    let mut entries = std::fs::read_dir(tree).ok()?;
    let first = entries.next()?.ok()?;
    if entries.next().is_some() {
        return None;
    }
    first.file_type().ok()?.is_dir().then(|| first.path())
}

struct Extractor<'a> {
    root: &'a Path,
    limits: ArchiveLimits,
    /// Size of the upload, for the ratio.
    compressed: u64,
    stop: &'a AtomicBool,
    entries: u64,
    /// Bytes written plus sizes declared by entries not written.
    total: u64,
    links: u64,
    special: u64,
}

impl Extractor<'_> {
    fn tar(&mut self, reader: impl Read) -> Result<(), SourceError> {
        let consumed = Rc::new(Cell::new(0));
        let ceiling = Rc::new(Cell::new(TAR_METADATA_SLACK));
        let capped = CappedReader { inner: reader, consumed: consumed.clone(), ceiling: ceiling.clone() };
        let mut archive = tar::Archive::new(capped);
        let entries = archive.entries().map_err(|e| SourceError::Invalid(format!("bad tar archive: {e}")))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| SourceError::Invalid(format!("bad tar archive: {e}")))?;
            let raw = entry.path_bytes();
            let name = String::from_utf8_lossy(&raw).into_owned();
            self.count_entry(&name)?;
            let kind = entry.header().entry_type();
            let declared = entry.header().entry_size().unwrap_or(0);
            // The reader may now consume this entry's data (padded to blocks) and the next
            // entry's headers; long names and pax data beyond the slack are refused unread.
            ceiling.set(
                consumed
                    .get()
                    .saturating_add(declared.div_ceil(512) * 512)
                    .saturating_add(TAR_METADATA_SLACK),
            );
            let rel = confine(&name)?;
            match kind {
                tar::EntryType::Directory => {
                    if let Some(rel) = rel {
                        self.mkdir(&name, &rel)?;
                    }
                }
                tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                    let Some(rel) = rel else { continue };
                    self.write_file(&name, &rel, &mut entry, None)?;
                }
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    let target = entry.link_name_bytes().map(|t| String::from_utf8_lossy(&t).into_owned());
                    let target = target.unwrap_or_default();
                    let hard = kind == tar::EntryType::Link;
                    check_link(&name, &target, hard)?;
                    self.links += 1;
                    self.declare(&name, declared)?;
                }
                tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                    self.special += 1;
                    self.declare(&name, declared)?;
                }
                // Metadata (pax, GNU long names) the reader already applied, and unknown kinds.
                _ => self.declare(&name, declared)?,
            }
        }
        Ok(())
    }

    fn zip(&mut self, file: File) -> Result<(), SourceError> {
        let mut archive = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| SourceError::Invalid(format!("bad zip archive: {e}")))?;
        if archive.len() as u64 > self.limits.max_entries {
            return Err(SourceError::TooLarge(format!(
                "the archive has {} entries; at most {} are accepted",
                archive.len(),
                self.limits.max_entries
            )));
        }
        for i in 0..archive.len() {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| SourceError::Invalid(format!("zip entry #{i}: cannot read it: {e}")))?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            self.count_entry(&name)?;
            let declared = entry.size();
            let rel = confine(&name)?;
            if entry.is_symlink() {
                let mut target = String::new();
                (&mut entry)
                    .take(4096)
                    .read_to_string(&mut target)
                    .map_err(|e| SourceError::Invalid(format!("zip entry {name:?}: bad link: {e}")))?;
                check_link(&name, &target, false)?;
                self.links += 1;
                continue;
            }
            if entry.is_dir() {
                if let Some(rel) = rel {
                    self.mkdir(&name, &rel)?;
                }
                continue;
            }
            // Anything with a Unix type other than a regular file (devices, FIFOs).
            if let Some(mode) = entry.unix_mode()
                && mode & 0o170000 != 0
                && mode & 0o170000 != 0o100000
            {
                self.special += 1;
                continue;
            }
            let compressed = entry.compressed_size();
            if declared > RATIO_GRACE_BYTES
                && declared > self.limits.max_ratio.saturating_mul(compressed.max(1))
            {
                return Err(self.ratio_error(&name));
            }
            let Some(rel) = rel else { continue };
            self.write_file(&name, &rel, &mut entry, Some(compressed))?;
        }
        Ok(())
    }

    fn count_entry(&mut self, name: &str) -> Result<(), SourceError> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(SourceError::Unavailable("extraction cancelled".into()));
        }
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(SourceError::TooLarge(format!(
                "the archive has more than {} entries (at {name:?})",
                self.limits.max_entries
            )));
        }
        Ok(())
    }

    /// Counts the size an entry declares without writing it (a skipped entry still costs reading).
    fn declare(&mut self, name: &str, bytes: u64) -> Result<(), SourceError> {
        self.total = self.total.saturating_add(bytes);
        if self.total > self.limits.max_total_bytes {
            return Err(self.total_error(name));
        }
        Ok(())
    }

    fn mkdir(&self, name: &str, rel: &Path) -> Result<(), SourceError> {
        std::fs::create_dir_all(self.root.join(rel)).map_err(|e| {
            SourceError::Invalid(format!("archive entry {name:?}: cannot create the directory: {e}"))
        })
    }

    fn write_file(
        &mut self,
        name: &str,
        rel: &Path,
        reader: &mut impl Read,
        entry_compressed: Option<u64>,
    ) -> Result<(), SourceError> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                SourceError::Invalid(format!("archive entry {name:?}: cannot create its directory: {e}"))
            })?;
        }
        // Nothing in the tree is ever a link, so opening cannot leave it; a repeated name overwrites.
        let mut out = File::create(&path).map_err(|e| {
            SourceError::Invalid(format!("archive entry {name:?}: cannot create the file: {e}"))
        })?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut written: u64 = 0;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Err(SourceError::Unavailable("extraction cancelled".into()));
            }
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(SourceError::Invalid(format!("archive entry {name:?}: cannot read it: {e}")));
                }
            };
            written += n as u64;
            self.total += n as u64;
            if written > self.limits.max_entry_bytes {
                return Err(SourceError::TooLarge(format!(
                    "archive entry {name:?} is larger than {} bytes",
                    self.limits.max_entry_bytes
                )));
            }
            if self.total > self.limits.max_total_bytes {
                return Err(self.total_error(name));
            }
            if self.total > RATIO_GRACE_BYTES
                && self.total > self.limits.max_ratio.saturating_mul(self.compressed.max(1))
            {
                return Err(self.ratio_error(name));
            }
            if let Some(c) = entry_compressed
                && written > RATIO_GRACE_BYTES
                && written > self.limits.max_ratio.saturating_mul(c.max(1))
            {
                return Err(self.ratio_error(name));
            }
            out.write_all(&buf[..n]).map_err(|e| {
                SourceError::Internal(format!("archive entry {name:?}: cannot write it: {e}"))
            })?;
        }
        Ok(())
    }

    fn total_error(&self, name: &str) -> SourceError {
        SourceError::TooLarge(format!(
            "the archive extracts to more than {} bytes (at {name:?})",
            self.limits.max_total_bytes
        ))
    }

    fn ratio_error(&self, name: &str) -> SourceError {
        SourceError::TooLarge(format!(
            "archive entry {name:?} expands more than {}:1; refusing a likely decompression bomb",
            self.limits.max_ratio
        ))
    }
}

/// Bytes of headers, long names and pax records a tar entry may bring along. The tar reader keeps
/// long names and pax records in memory, so without a bound a gzip bomb could fill it.
const TAR_METADATA_SLACK: u64 = 1024 * 1024;

/// Fails reads past a ceiling the extractor moves forward entry by entry.
struct CappedReader<R> {
    inner: R,
    consumed: Rc<Cell<u64>>,
    ceiling: Rc<Cell<u64>>,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let room = self.ceiling.get().saturating_sub(self.consumed.get());
        if room == 0 && !buf.is_empty() {
            return Err(std::io::Error::other("tar metadata (long names, pax records) over 1 MiB"));
        }
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

/// The entry's path relative to the tree, or `None` for the root itself (`./`). Absolute paths,
/// drive prefixes and `..` are refused.
fn confine(name: &str) -> Result<Option<PathBuf>, SourceError> {
    let refuse = |why: &str| SourceError::Invalid(format!("archive entry {name:?}: {why}; refused"));
    if name.contains('\0') {
        return Err(refuse("NUL in the name"));
    }
    // Some Windows zip tools write backslashes; treat them as separators, never as name bytes.
    let name_slashed = name.replace('\\', "/");
    if name_slashed.starts_with('/') || name_slashed.as_bytes().get(1) == Some(&b':') {
        return Err(refuse("absolute path"));
    }
    let mut rel = PathBuf::new();
    for part in name_slashed.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(refuse("'..' in the path")),
            part => rel.push(part),
        }
    }
    // Belt and braces: the result must be plain names only.
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(refuse("not a plain relative path"));
    }
    Ok((!rel.as_os_str().is_empty()).then_some(rel))
}

/// Refuses a link whose target leaves the tree (absolute, or climbing above the root); links that
/// stay inside are merely left out by the caller.
fn check_link(name: &str, target: &str, hard: bool) -> Result<(), SourceError> {
    let refuse = || {
        SourceError::Invalid(format!(
            "archive entry {name:?}: a link to {target:?} points out of the archive; refused"
        ))
    };
    let target_slashed = target.replace('\\', "/");
    if target_slashed.starts_with('/') || target_slashed.as_bytes().get(1) == Some(&b':') {
        return Err(refuse());
    }
    // A symlink's target is relative to its directory; a hard link's to the archive root.
    let mut depth: i64 = 0;
    if !hard {
        let name_slashed = name.replace('\\', "/");
        depth = name_slashed.split('/').filter(|p| !p.is_empty() && *p != ".").count() as i64 - 1;
    }
    for part in target_slashed.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return Err(refuse());
                }
            }
            _ => depth += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confinement() {
        assert_eq!(confine("a/b.txt").expect("plain"), Some(PathBuf::from("a/b.txt")));
        assert_eq!(confine("./a//b").expect("dots"), Some(PathBuf::from("a/b")));
        assert_eq!(confine("./").expect("root"), None);
        for bad in ["../evil", "a/../../evil", "/etc/passwd", "C:/x", "a\\..\\..\\x", "a\0b"] {
            assert!(confine(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn links() {
        check_link("a/b/link", "../c", false).expect("stays inside");
        check_link("a/hard", "a/file", true).expect("stays inside");
        for (name, target, hard) in [
            ("link", "/etc/passwd", false),
            ("a/link", "../../x", false),
            ("hard", "../x", true),
            ("l", "C:/x", false),
        ] {
            assert!(check_link(name, target, hard).is_err(), "{name} -> {target} accepted");
        }
    }

    #[test]
    fn a_raised_stop_flag_ends_extraction_and_removes_the_directory() {
        let base = tempfile::tempdir().expect("tempdir");
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(1);
        builder.append_data(&mut header, "a.txt", &b"a"[..]).expect("append");
        let upload = base.path().join("up.tar");
        std::fs::write(&upload, builder.into_inner().expect("tar")).expect("write");
        let limits = SourcePolicy::default().archive;
        let work = base.path().join("work");
        let err =
            extract_blocking(&upload, "up.tar", limits, &work, &AtomicBool::new(true)).expect_err("stopped");
        assert!(err.to_string().contains("cancelled"), "{err}");
        assert_eq!(std::fs::read_dir(&work).expect("work").count(), 0);
        extract_blocking(&upload, "up.tar", limits, &work, &AtomicBool::new(false)).expect("not stopped");
    }

    #[test]
    fn detection_by_content() {
        assert_eq!(detect(&[0x1f, 0x8b, 8, 0], "x.zip"), Some(Kind::TarGz));
        assert_eq!(detect(b"PK\x03\x04rest", "x.tar"), Some(Kind::Zip));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(detect(&tar, "upload.bin"), Some(Kind::Tar));
        assert_eq!(detect(b"just text", "x.zip"), None);
        assert_eq!(detect(&[0u8; 512], "old.tar"), Some(Kind::Tar));
    }
}

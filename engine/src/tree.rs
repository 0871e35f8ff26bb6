//! Read access to the scanned tree for catalogers: confined to the root, size-capped, decoded.
//!
//! Catalogers see files only through [`Tree`], so a lockfile that points at `../../etc/passwd`
//! (a `-r` include, a parent POM's `relativePath`) cannot make a scan read outside its root, and
//! tests can hand catalogers an in-memory [`MemTree`].

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// No such file.
    #[error("file not found")]
    NotFound,
    /// The path leads outside the scan root.
    #[error("path leads outside the scan root")]
    OutsideRoot,
    /// Over the size cap.
    #[error("file is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// Not text in an encoding Cairn reads (UTF-8, or UTF-16 with a byte-order mark).
    #[error("not UTF-8 text: {0}")]
    NotText(String),
    /// Any other I/O error.
    #[error("{0}")]
    Io(String),
}

/// The files of a scanned tree, as catalogers see them.
pub trait Tree: Sync {
    /// Reads the text file at `rel` (relative to the root, `/`-separated).
    fn read(&self, rel: &str) -> Result<String, ReadError> {
        decode(&self.read_bytes(rel)?)
    }
    /// Reads the file at `rel` as bytes (DER certificates, key stores), with the same confinement
    /// and size limit as [`Tree::read`].
    fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, ReadError>;
    /// Every file the walk found that some cataloger wants, sorted.
    fn files(&self) -> &[String];
}

/// Decodes file bytes as text: strips a UTF-8 byte-order mark, decodes UTF-16 with a BOM
/// (Windows tools write requirements files that way), and rejects anything else that is not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).map(str::to_owned).map_err(|e| ReadError::NotText(e.to_string()));
    }
    let utf16 = |rest: &[u8], from: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| from([c[0], c[1]])).collect();
        String::from_utf16(&units).map_err(|e| ReadError::NotText(e.to_string()))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| ReadError::NotText(e.to_string()))
}

/// Resolves `rel` against the directory `base` (both root-relative, `/`-separated), lexically.
/// Returns `None` when the result would leave the root or `rel` is absolute.
pub fn join(base: &str, rel: &str) -> Option<String> {
    let rel = rel.replace('\\', "/");
    if rel.starts_with('/') || Path::new(&rel).has_root() || rel.get(1..2) == Some(":") {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The directory part of a root-relative path (`""` for files at the root).
pub fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The file-name part of a root-relative path.
pub fn file_name(rel: &str) -> &str {
    rel.rsplit_once('/').map_or(rel, |(_, name)| name)
}

/// A tree on disk.
#[derive(Debug, Clone)]
pub struct FsTree {
    root: PathBuf,
    max_file_size: u64,
    files: Vec<String>,
}

impl FsTree {
    /// A tree rooted at `root` (canonicalized by the caller), listing `files`.
    pub fn new(root: PathBuf, max_file_size: u64, mut files: Vec<String>) -> Self {
        files.sort();
        Self { root, max_file_size, files }
    }
}

impl Tree for FsTree {
    fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        let rel = join("", rel).ok_or(ReadError::OutsideRoot)?;
        let mut path = self.root.clone();
        for part in rel.split('/') {
            path.push(part);
        }
        if Path::new(&rel).components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(ReadError::OutsideRoot);
        }
        // Resolve links: a symlink inside the tree may still point out of it.
        let real = path.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e.to_string()),
        })?;
        if !real.starts_with(&self.root) {
            return Err(ReadError::OutsideRoot);
        }
        let md = real.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
        if !md.is_file() {
            return Err(ReadError::NotFound);
        }
        if md.len() > self.max_file_size {
            return Err(ReadError::TooLarge { size: md.len(), limit: self.max_file_size });
        }
        std::fs::read(&real).map_err(|e| ReadError::Io(e.to_string()))
    }

    fn files(&self) -> &[String] {
        &self.files
    }
}

/// A tree held in memory: for tests, fuzzing and documents that arrive without a checkout.
#[derive(Debug, Clone, Default)]
pub struct MemTree {
    contents: BTreeMap<String, Vec<u8>>,
    files: Vec<String>,
}

impl MemTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file.
    pub fn with(mut self, rel: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        self.insert(rel, bytes);
        self
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, rel: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.contents.insert(rel.into(), bytes.into());
        self.files = self.contents.keys().cloned().collect();
    }
}

impl Tree for MemTree {
    fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        let rel = join("", rel).ok_or(ReadError::OutsideRoot)?;
        self.contents.get(&rel).cloned().ok_or(ReadError::NotFound)
    }

    fn files(&self) -> &[String] {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_stays_in_root() {
        assert_eq!(join("a/b", "../c.txt").as_deref(), Some("a/c.txt"));
        assert_eq!(join("a", "./x/./y").as_deref(), Some("a/x/y"));
        assert_eq!(join("a", "../../etc/passwd"), None);
        assert_eq!(join("", "/etc/passwd"), None);
        assert_eq!(join("", "C:\\x"), None);
        assert_eq!(join("a", "..\\b").as_deref(), Some("b"));
    }

    #[test]
    fn decode_handles_boms() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc").as_deref(), Ok("abc"));
        assert_eq!(decode(b"\xFF\xFEa\0b\0").as_deref(), Ok("ab"));
        assert_eq!(decode(b"\xFE\xFF\0a\0b").as_deref(), Ok("ab"));
        assert!(matches!(decode(b"\xC3\x28"), Err(ReadError::NotText(_))));
    }

    #[test]
    fn mem_tree_reads_normalised_paths() {
        let t = MemTree::new().with("a/b.txt", "x");
        assert_eq!(t.read("a/./b.txt").as_deref(), Ok("x"));
        assert_eq!(t.read("a/c.txt"), Err(ReadError::NotFound));
        assert_eq!(t.read("../a/b.txt"), Err(ReadError::OutsideRoot));
    }
}

//! The tree walk: finds the files catalogers want, in parallel, without leaving the scan root.
//!
//! Rules, in order of precedence:
//! 1. `.git` directories are never entered.
//! 2. User exclude globs (gitignore syntax, relative to the root) remove files and whole directories.
//! 3. `.gitignore` and friends are *not* honoured: installed packages (`node_modules`,
//!    `site-packages`) are usually git-ignored and are exactly what an inventory must see.
//! 4. Symlinks are never followed as directories. A symlinked file is read only when its target
//!    resolves inside the root. Anything else is reported in [`Walk::skipped`].
//! 5. A wanted file larger than [`WalkOptions::max_file_size`] is reported, not read.

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Default cap on the size of a manifest or lockfile: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Exclude globs in gitignore syntax, matched relative to the root (`node_modules`, `**/test/**`).
    pub excludes: Vec<String>,
    /// Wanted files above this many bytes are skipped and reported.
    pub max_file_size: u64,
    /// Stop after this many directory entries (files and directories), reporting the cut.
    pub max_entries: Option<u64>,
    /// Walker threads; 0 lets the walker choose.
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        Self { excludes: Vec::new(), max_file_size: DEFAULT_MAX_FILE_SIZE, max_entries: None, threads: 0 }
    }
}

/// A file the walk found and a cataloger wants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoundFile {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    /// Absolute path to read (for a symlink, the link itself; its target is inside the root).
    pub abs: PathBuf,
    /// Size in bytes.
    pub size: u64,
}

/// Why the walk did not read something.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum SkipReason {
    /// A wanted file over the size cap.
    TooLarge {
        /// Its size.
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// A symlink whose target is outside the scan root.
    SymlinkOutsideRoot,
    /// A symlink that cannot be resolved: a loop, or a target that does not exist.
    SymlinkUnresolvable {
        /// The error from resolving it.
        message: String,
    },
    /// A symlink to a directory inside the root; the directory itself is walked, not the link.
    SymlinkedDirectory,
    /// A file or directory the walk could not read.
    Unreadable {
        /// The error.
        message: String,
    },
    /// The entry cap was reached; the rest of the tree was not walked.
    EntryLimit {
        /// The cap.
        limit: u64,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::TooLarge { size, limit } => write!(f, "{size} bytes, over the {limit}-byte limit"),
            SkipReason::SymlinkOutsideRoot => f.write_str("symlink pointing outside the scan root"),
            SkipReason::SymlinkUnresolvable { message } => {
                write!(f, "symlink that cannot be resolved ({message})")
            }
            SkipReason::SymlinkedDirectory => f.write_str("symlinked directory, not followed"),
            SkipReason::Unreadable { message } => write!(f, "unreadable ({message})"),
            SkipReason::EntryLimit { limit } => {
                write!(f, "entry limit of {limit} reached; the rest was not walked")
            }
        }
    }
}

/// Something the walk did not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    /// Path relative to the root, `/`-separated (empty for the root itself).
    pub path: String,
    /// Why.
    #[serde(flatten)]
    pub reason: SkipReason,
}

/// What a walk found.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// Wanted files, sorted by path.
    pub files: Vec<FoundFile>,
    /// What was not read, sorted by path.
    pub skipped: Vec<Skipped>,
    /// Directory entries seen (files, directories, links).
    pub entries: u64,
}

/// Why a walk could not start.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The root does not exist or cannot be resolved.
    // Not `source`: the message already carries the I/O error, and a chained source would
    // print it a second time (`{e:#}`).
    #[error("cannot open {path}: {error}")]
    Root {
        /// The root given.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The root is not a directory.
    #[error("scan root {0} is not a directory")]
    NotADirectory(PathBuf),
    /// An exclude glob does not parse.
    #[error("invalid exclude glob {glob:?}: {message}")]
    BadExclude {
        /// The glob.
        glob: String,
        /// The parser's message.
        message: String,
    },
    /// The caller asked to stop.
    #[error("cancelled")]
    Cancelled,
}

/// Walks `root`, keeping the files for which `wants(rel_path)` is true.
///
/// `tick(entries_seen)` is called now and then from the walker threads; returning `false` cancels.
pub fn walk(
    root: &Path,
    opts: &WalkOptions,
    wants: &(dyn Fn(&str) -> bool + Sync),
    tick: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Walk, WalkError> {
    let root = root.canonicalize().map_err(|error| WalkError::Root { path: root.to_path_buf(), error })?;
    if !root.is_dir() {
        return Err(WalkError::NotADirectory(root));
    }
    let mut overrides = OverrideBuilder::new(&root);
    for glob in &opts.excludes {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| WalkError::BadExclude { glob: glob.clone(), message: e.to_string() })?;
    }
    let overrides = overrides
        .build()
        .map_err(|e| WalkError::BadExclude { glob: opts.excludes.join(" "), message: e.to_string() })?;

    let mut builder = WalkBuilder::new(&root);
    builder
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .overrides(overrides)
        .threads(opts.threads)
        .filter_entry(|e| !(e.file_name() == ".git" && e.file_type().is_some_and(|t| t.is_dir())));

    let files = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    let entries = AtomicU64::new(0);
    let cancelled = AtomicBool::new(false);
    let limit_hit = AtomicBool::new(false);
    let push_skip = |path: String, reason: SkipReason| {
        if let Ok(mut s) = skipped.lock() {
            s.push(Skipped { path, reason });
        }
    };

    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let n = entries.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(max) = opts.max_entries
                && n > max
            {
                if !limit_hit.swap(true, Ordering::Relaxed) {
                    push_skip(String::new(), SkipReason::EntryLimit { limit: max });
                }
                return WalkState::Quit;
            }
            if n.is_multiple_of(4096) && !tick(n) {
                cancelled.store(true, Ordering::Relaxed);
                return WalkState::Quit;
            }
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = err_path(&err).map(|p| rel_path(&root, p)).unwrap_or_default();
                    push_skip(path, SkipReason::Unreadable { message: err.to_string() });
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else { return WalkState::Continue };
            if ft.is_dir() || !(ft.is_file() || ft.is_symlink()) {
                return WalkState::Continue;
            }
            let rel = rel_path(&root, entry.path());
            if ft.is_symlink() {
                match classify_symlink(&root, entry.path()) {
                    Ok(LinkTarget::File(size)) if wants(&rel) => {
                        keep(&files, &push_skip, rel, entry.path(), size, opts.max_file_size)
                    }
                    Ok(LinkTarget::File(_)) => {}
                    Ok(LinkTarget::Dir) => push_skip(rel, SkipReason::SymlinkedDirectory),
                    Err(reason) => push_skip(rel, reason),
                }
                return WalkState::Continue;
            }
            if wants(&rel) {
                match entry.metadata() {
                    Ok(md) => keep(&files, &push_skip, rel, entry.path(), md.len(), opts.max_file_size),
                    Err(e) => push_skip(rel, SkipReason::Unreadable { message: e.to_string() }),
                }
            }
            WalkState::Continue
        })
    });

    if cancelled.load(Ordering::Relaxed) {
        return Err(WalkError::Cancelled);
    }
    let mut files = files.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut skipped = skipped.into_inner().unwrap_or_else(|p| p.into_inner());
    files.sort();
    skipped.sort();
    Ok(Walk { files, skipped, entries: entries.into_inner() })
}

/// "Walks" a single file: the tree is its directory, listing that file alone when `wants` it
/// (a lockfile named on the command line). Returns the tree's root (the file's directory,
/// canonicalised) and the walk; a file not wanted yields an empty walk.
pub fn walk_file(
    file: &Path,
    opts: &WalkOptions,
    wants: &(dyn Fn(&str) -> bool + Sync),
) -> Result<(PathBuf, Walk), WalkError> {
    let real = file.canonicalize().map_err(|error| WalkError::Root { path: file.to_path_buf(), error })?;
    let (Some(dir), Some(name)) = (real.parent(), real.file_name()) else {
        return Err(WalkError::NotADirectory(real));
    };
    let rel = name.to_string_lossy().into_owned();
    let files = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    let push_skip = |path: String, reason: SkipReason| {
        if let Ok(mut s) = skipped.lock() {
            s.push(Skipped { path, reason });
        }
    };
    if wants(&rel) {
        match real.metadata() {
            Ok(md) => keep(&files, &push_skip, rel, &real, md.len(), opts.max_file_size),
            Err(e) => push_skip(rel, SkipReason::Unreadable { message: e.to_string() }),
        }
    }
    let files = files.into_inner().unwrap_or_else(|p| p.into_inner());
    let skipped = skipped.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok((dir.to_path_buf(), Walk { files, skipped, entries: 1 }))
}

fn keep(
    files: &Mutex<Vec<FoundFile>>,
    push_skip: &dyn Fn(String, SkipReason),
    rel: String,
    abs: &Path,
    size: u64,
    limit: u64,
) {
    if size > limit {
        push_skip(rel, SkipReason::TooLarge { size, limit });
    } else if let Ok(mut f) = files.lock() {
        f.push(FoundFile { rel, abs: abs.to_path_buf(), size });
    }
}

enum LinkTarget {
    File(u64),
    Dir,
}

/// Resolves a symlink and decides whether it may be read.
fn classify_symlink(root: &Path, link: &Path) -> Result<LinkTarget, SkipReason> {
    let target =
        link.canonicalize().map_err(|e| SkipReason::SymlinkUnresolvable { message: e.to_string() })?;
    if !target.starts_with(root) {
        return Err(SkipReason::SymlinkOutsideRoot);
    }
    let md = target.metadata().map_err(|e| SkipReason::Unreadable { message: e.to_string() })?;
    if md.is_dir() { Ok(LinkTarget::Dir) } else { Ok(LinkTarget::File(md.len())) }
}

fn err_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => err_path(err),
        _ => None,
    }
}

/// `path` relative to `root`, with `/` separators.
pub(crate) fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

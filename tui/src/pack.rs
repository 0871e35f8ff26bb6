//! The gzip-compressed tar of a directory, for uploading a tree a remote daemon cannot read
//! (`cairn scan DIR` against a server, the dashboard's `Upload` source).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The gzip-compressed tar of `root` uploaded to a remote daemon: `.gitignore` (and `.ignore`)
/// rules honoured, `.git` left out, symlinks not followed (left out), regular files only, at most
/// `max_bytes` of file content. A file (one lockfile) is archived alone, under its name.
pub fn tarball(root: &Path, max_bytes: u64) -> anyhow::Result<Vec<u8>> {
    let root = root.canonicalize().with_context(|| format!("resolving {}", root.display()))?;
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.follow_symlinks(false);
    if root.is_file() {
        let name = root.file_name().with_context(|| format!("{} has no file name", root.display()))?;
        let len = std::fs::metadata(&root).with_context(|| format!("reading {}", root.display()))?.len();
        if len > max_bytes {
            bail!("{} holds more than {max_bytes} bytes to upload (--max-upload)", root.display());
        }
        tar.append_path_with_name(&root, name).with_context(|| format!("archiving {}", root.display()))?;
        let gz = tar.into_inner().context("finishing the archive")?;
        return gz.finish().context("compressing the archive");
    }
    if !root.is_dir() {
        bail!("{} is neither a directory nor a regular file", root.display());
    }
    let mut total = 0u64;
    let walk = ignore::WalkBuilder::new(&root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    let mut entries: Vec<PathBuf> = Vec::new();
    for entry in walk {
        let entry = entry.context("walking the tree")?;
        if entry.file_type().is_some_and(|t| t.is_file()) {
            entries.push(entry.into_path());
        }
    }
    // Sorted: the same tree gives the same archive.
    entries.sort();
    for path in entries {
        let rel = path.strip_prefix(&root).context("a walked path outside the root")?;
        let len =
            std::fs::symlink_metadata(&path).with_context(|| format!("reading {}", path.display()))?.len();
        total += len;
        if total > max_bytes {
            bail!(
                "{} holds more than {max_bytes} bytes to upload (--max-upload); scan a smaller tree or raise the cap",
                root.display()
            );
        }
        tar.append_path_with_name(&path, rel).with_context(|| format!("archiving {}", path.display()))?;
    }
    let gz = tar.into_inner().context("finishing the archive")?;
    gz.finish().context("compressing the archive")
}

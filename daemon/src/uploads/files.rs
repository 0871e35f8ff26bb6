//! Upload files: one per upload in the uploads directory, named by a fresh id. A file is written
//! by the request, referenced by its `scan_uploads` row once the scan is queued, and removed when
//! that row is gone (the scan ended); the sweep removes files no row references.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Unreferenced files younger than this are left alone: a request may still be writing one, or
/// be about to queue its scan.
pub const ORPHAN_GRACE: Duration = Duration::from_secs(15 * 60);

const SUFFIX: &str = ".upload";

/// A file being written by a request: removed on drop unless [`IncomingFile::keep`] was called
/// (after the scan that references it was stored).
#[derive(Debug)]
pub struct IncomingFile {
    path: PathBuf,
    kept: bool,
}

impl IncomingFile {
    /// A new, empty file in `dir` (created 0700 if missing), only readable by the daemon's user.
    pub async fn create(dir: &Path) -> std::io::Result<(IncomingFile, tokio::fs::File)> {
        tokio::fs::create_dir_all(dir).await?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).await?;
        }
        let path = dir.join(format!("{}{SUFFIX}", uuid::Uuid::now_v7()));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&path).await?;
        Ok((IncomingFile { path, kept: false }, file))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The scan referencing the file is stored: it stays.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for IncomingFile {
    fn drop(&mut self) {
        if !self.kept
            && let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a refused upload");
        }
    }
}

/// Removes an upload file whose scan ended; a file already gone is fine.
pub async fn remove(path: &Path) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => tracing::debug!(path = %path.display(), "upload file removed"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "cannot remove an upload file"),
    }
}

/// Removes the upload files in `dir` that no row references (`referenced`, as stored) and that
/// were last written longer than `grace` ago. Returns how many went; a missing `dir` is not an
/// error.
pub fn sweep_orphans(dir: &Path, referenced: &HashSet<String>, grace: Duration) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let ours = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(SUFFIX));
        if !ours || referenced.contains(&path.display().to_string()) {
            continue;
        }
        let meta = entry.metadata()?;
        let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).unwrap_or_default();
        if !meta.is_file() || age < grace {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "cannot remove an orphaned upload"),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refused_files_go_kept_files_stay() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("uploads");
        let (refused, _f) = IncomingFile::create(&dir).await.expect("create");
        let refused_path = refused.path().to_path_buf();
        drop(refused);
        assert!(!refused_path.exists());
        let (kept, _f) = IncomingFile::create(&dir).await.expect("create");
        let kept_path = kept.path().to_path_buf();
        kept.keep();
        assert!(kept_path.exists());
        remove(&kept_path).await;
        assert!(!kept_path.exists());
    }

    #[tokio::test]
    async fn the_sweep_removes_only_old_unreferenced_upload_files() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path();
        let mut paths = Vec::new();
        for _ in 0..2 {
            let (f, _file) = IncomingFile::create(dir).await.expect("create");
            paths.push(f.path().to_path_buf());
            f.keep();
        }
        let foreign = dir.join("notes.txt");
        std::fs::write(&foreign, "x").expect("write");
        let referenced: HashSet<String> = [paths[0].display().to_string()].into();
        // Within the grace period nothing goes (a request may be writing it).
        assert_eq!(sweep_orphans(dir, &referenced, ORPHAN_GRACE).expect("sweep"), 0);
        assert_eq!(sweep_orphans(dir, &referenced, Duration::ZERO).expect("sweep"), 1);
        assert!(paths[0].exists() && !paths[1].exists() && foreign.exists());
        assert_eq!(sweep_orphans(&dir.join("missing"), &referenced, Duration::ZERO).expect("missing"), 0);
    }
}

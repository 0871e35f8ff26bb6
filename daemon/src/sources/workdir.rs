//! Work directories: one fresh directory per obtained source, removed when dropped, and a sweep of
//! those a crashed run left behind.
//!
//! Names are `cairn-src-<pid>-<random>`, so a sweep removes only directories whose process is
//! gone and leaves those of another daemon sharing the directory alone.

use std::path::Path;

use super::SourceError;

const PREFIX: &str = "cairn-src-";

/// A new work directory under `work_dir` (created if missing), removed when the value drops.
pub fn create(work_dir: &Path) -> Result<tempfile::TempDir, SourceError> {
    std::fs::create_dir_all(work_dir)
        .map_err(|e| SourceError::Internal(format!("cannot create the work directory: {e}")))?;
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .tempdir_in(work_dir)
        .map_err(|e| SourceError::Internal(format!("cannot create a work directory: {e}")))
}

/// Removes the work directories under `work_dir` left by processes that no longer run (and by
/// this process's id, which no live directory can carry at start). Returns how many went; a
/// missing `work_dir` is not an error. Call it once at start.
pub fn sweep_stale(work_dir: &Path) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(work_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let procfs = Path::new("/proc/self").exists();
    let me = std::process::id();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)).and_then(owner_pid) else {
            continue;
        };
        // Without procfs liveness is unknown: everything is stale (one daemon per work_dir there).
        let alive = procfs && pid != me && Path::new("/proc").join(pid.to_string()).exists();
        if alive {
            continue;
        }
        let path = entry.path();
        let result = if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match result {
            Ok(()) => removed += 1,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove a stale work directory")
            }
        }
    }
    Ok(removed)
}

fn owner_pid(rest: &str) -> Option<u32> {
    rest.split_once('-').and_then(|(pid, _)| pid.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_removes_dead_and_own_leaves_live_and_foreign() {
        let base = tempfile::tempdir().expect("tempdir");
        let mine = create(base.path()).expect("create");
        let mine_path = mine.path().to_path_buf();
        std::fs::write(mine_path.join("f"), "x").expect("write");
        // Keep the directory as if this process had crashed and restarted with the same id.
        let _kept = mine.keep();
        // pid 1 is always alive; a pid above the kernel's maximum never is.
        let live = base.path().join(format!("{PREFIX}1-abc"));
        let dead = base.path().join(format!("{PREFIX}4294967295-abc"));
        let foreign = base.path().join("other-data");
        for d in [&live, &dead, &foreign] {
            std::fs::create_dir(d).expect("mkdir");
        }
        assert_eq!(sweep_stale(base.path()).expect("sweep"), 2);
        assert!(!mine_path.exists() && !dead.exists());
        assert!(live.exists() && foreign.exists());
        assert_eq!(sweep_stale(&base.path().join("missing")).expect("missing dir"), 0);
    }

    #[test]
    fn dropped_work_directories_disappear() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = create(&base.path().join("nested/work")).expect("create");
        let path = dir.path().to_path_buf();
        assert!(path.is_dir());
        drop(dir);
        assert!(!path.exists());
    }
}

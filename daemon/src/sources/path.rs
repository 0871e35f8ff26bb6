//! `path` sources: a directory (or one lockfile) on the daemon's machine. A team daemon takes
//! only paths under the scanning tenant's roots (`roots.rs`); the local daemon serves one user on loopback and
//! takes any path that user can read.

use std::path::{Path, PathBuf};

use super::{Obtained, SourceError, SourcePolicy};

/// The configuration table that lists a tenant's roots, as a refusal names it.
pub(crate) const ROOTS_KEY: &str = "[sources.tenant_roots]";

/// A directory or file under one of the configured roots (in local mode: anything readable),
/// resolved (symlinks and `..`) before the check. A file is scanned alone, in its directory.
pub(crate) async fn local_path(path: &Path, policy: &SourcePolicy) -> Result<Obtained, SourceError> {
    let path = path.to_path_buf();
    let roots = policy.path_roots.clone();
    let local_mode = policy.local_mode;
    let resolved = tokio::task::spawn_blocking(move || {
        if local_mode { resolve_readable(&path) } else { resolve_under_roots(&path, &roots) }
    })
    .await
    .map_err(|e| SourceError::Internal(format!("path check failed: {e}")))??;
    if !resolved.is_dir() && !resolved.is_file() {
        return Err(SourceError::Unavailable(format!(
            "{} is neither a directory nor a regular file",
            resolved.display()
        )));
    }
    Ok(Obtained::Tree { root: resolved, workdir: None, revision: None, notes: Vec::new() })
}

/// `path` canonicalised, if this process can read it (local mode: the user's own permissions
/// are the only limit).
pub(crate) fn resolve_readable(path: &Path) -> Result<PathBuf, SourceError> {
    if !path.is_absolute() {
        return Err(SourceError::Invalid(format!("{} is not an absolute path", path.display())));
    }
    let unavailable = |e: std::io::Error| SourceError::Unavailable(format!("{}: {e}", path.display()));
    let resolved = path.canonicalize().map_err(unavailable)?;
    // Opening it is the honest readability check (permissions, ACLs, mounts).
    if resolved.is_dir() {
        std::fs::read_dir(&resolved).map_err(unavailable)?;
    } else {
        std::fs::File::open(&resolved).map_err(unavailable)?;
    }
    Ok(resolved)
}

/// `path` canonicalised, if it lies under one of `roots` (canonicalised too).
pub(crate) fn resolve_under_roots(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, SourceError> {
    if !path.is_absolute() {
        return Err(SourceError::Invalid(format!("{} is not an absolute path", path.display())));
    }
    let refused = || {
        SourceError::Refused(format!(
            "{} is not under a scan root of this tenant; the daemon's administrator can allow it with \
             `{ROOTS_KEY}` in its configuration, or upload the tree instead",
            path.display()
        ))
    };
    let given = roots;
    let roots: Vec<PathBuf> = given.iter().filter_map(|r| r.canonicalize().ok()).collect();
    let resolved = match path.canonicalize() {
        Ok(resolved) => resolved,
        // Outside the roots, a missing path reads like any other refusal: no probing the disk.
        Err(_) if !given.iter().chain(&roots).any(|r| lexically_under(path, r)) => return Err(refused()),
        Err(e) => return Err(SourceError::Unavailable(format!("{}: {e}", path.display()))),
    };
    if !roots.iter().any(|r| resolved.starts_with(r)) {
        return Err(refused());
    }
    Ok(resolved)
}

/// `path` is under `root` by its text alone, `..` never climbing out.
fn lexically_under(path: &Path, root: &Path) -> bool {
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                if !clean.pop() {
                    return false;
                }
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean.starts_with(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(roots: Vec<PathBuf>) -> SourcePolicy {
        SourcePolicy { path_roots: roots, ..SourcePolicy::default() }
    }

    #[tokio::test]
    async fn under_a_root_only_with_symlinks_resolved() {
        let root = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(root.path().join("app")).expect("mkdir");
        std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).expect("symlink");
        let p = policy(vec![root.path().to_path_buf()]);

        let ok = local_path(&root.path().join("app"), &p).await.expect("inside");
        let Obtained::Tree { root: got, workdir, .. } = ok else { panic!("tree expected") };
        assert_eq!(got, root.path().join("app").canonicalize().expect("canon"));
        assert!(workdir.is_none());

        for bad in [root.path().join("escape"), root.path().join("app/../.."), outside.path().to_path_buf()] {
            let err = local_path(&bad, &p).await.expect_err("outside the root");
            assert!(matches!(err, SourceError::Refused(_)), "{bad:?}: {err}");
        }
        let err = local_path(Path::new("relative/dir"), &p).await.expect_err("relative");
        assert!(matches!(err, SourceError::Invalid(_)), "{err}");
        let err = local_path(&root.path().join("missing"), &p).await.expect_err("missing");
        assert!(matches!(err, SourceError::Unavailable(_)), "{err}");
        // Outside the roots, existing or not, the answer is the same refusal.
        for probe in [outside.path().join("missing"), root.path().join("app/../../nope")] {
            let err = local_path(&probe, &p).await.expect_err("probe");
            assert!(matches!(err, SourceError::Refused(_)), "{probe:?}: {err}");
        }
        // A file under a root is taken (scanned alone, in its directory).
        std::fs::write(root.path().join("Cargo.lock"), "x").expect("write");
        let ok = local_path(&root.path().join("Cargo.lock"), &p).await.expect("a file");
        let Obtained::Tree { root: got, .. } = ok else { panic!("tree expected") };
        assert!(got.is_file());
        let err = local_path(&root.path().join("app"), &policy(Vec::new())).await.expect_err("no roots");
        assert!(matches!(err, SourceError::Refused(_)), "{err}");
        assert!(err.to_string().contains("`[sources.tenant_roots]`"), "names the key: {err}");
    }

    /// Issue 14 point 5: in local mode any path the user can read is taken, roots or not; what
    /// cannot be read or does not exist says so.
    #[tokio::test]
    async fn local_mode_takes_any_readable_path() {
        let elsewhere = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(elsewhere.path().join("app")).expect("mkdir");
        std::fs::write(elsewhere.path().join("app/Cargo.lock"), "x").expect("write");
        let local = SourcePolicy { local_mode: true, ..policy(vec![PathBuf::from("/nonexistent-root")]) };
        for ok in [elsewhere.path().join("app"), elsewhere.path().join("app/Cargo.lock")] {
            let got = local_path(&ok, &local).await.expect("readable");
            let Obtained::Tree { root, .. } = got else { panic!("tree expected") };
            assert_eq!(root, ok.canonicalize().expect("canon"));
        }
        let err = local_path(&elsewhere.path().join("missing"), &local).await.expect_err("missing");
        assert!(matches!(err, SourceError::Unavailable(_)), "{err}");
        let err = local_path(Path::new("relative"), &local).await.expect_err("relative");
        assert!(matches!(err, SourceError::Invalid(_)), "{err}");
        // The same path on a team daemon without roots is refused.
        let err = local_path(&elsewhere.path().join("app"), &policy(Vec::new())).await.expect_err("team");
        assert!(matches!(err, SourceError::Refused(_)), "{err}");
    }
}

//! `path` sources: a directory on the daemon's machine, only under a configured root.

use std::path::{Path, PathBuf};

use super::{Obtained, SourceError, SourcePolicy};

/// A directory under one of the configured roots, resolved (symlinks and `..`) before the check.
pub(crate) async fn local_path(path: &Path, policy: &SourcePolicy) -> Result<Obtained, SourceError> {
    let path = path.to_path_buf();
    let roots = policy.path_roots.clone();
    let resolved = tokio::task::spawn_blocking(move || resolve_under_roots(&path, &roots))
        .await
        .map_err(|e| SourceError::Internal(format!("path check failed: {e}")))??;
    if !resolved.is_dir() {
        return Err(SourceError::Unavailable(format!("{} is not a directory", resolved.display())));
    }
    Ok(Obtained::Tree { root: resolved, workdir: None, revision: None, notes: Vec::new() })
}

/// `path` canonicalised, if it lies under one of `roots` (canonicalised too).
pub(crate) fn resolve_under_roots(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, SourceError> {
    if !path.is_absolute() {
        return Err(SourceError::Invalid(format!("{} is not an absolute path", path.display())));
    }
    let refused = || SourceError::Refused(format!("{} is not under a configured scan root", path.display()));
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
        std::fs::write(root.path().join("file"), "x").expect("write");
        let err = local_path(&root.path().join("file"), &p).await.expect_err("a file");
        assert!(err.to_string().contains("not a directory"), "{err}");
        let err = local_path(&root.path().join("app"), &policy(Vec::new())).await.expect_err("no roots");
        assert!(matches!(err, SourceError::Refused(_)), "{err}");
    }
}

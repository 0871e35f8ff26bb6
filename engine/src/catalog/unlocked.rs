//! Manifests read on their own: when no lockfile resolved a manifest's dependencies, its declared
//! dependencies are the inventory (direct, with their version requirements), and a diagnostic says
//! that nothing pinned them. When a lockfile covers the manifest the lockfile wins, so a package is
//! never counted twice (once pinned, once as a requirement).

use crate::inventory::Diagnostic;
use crate::tree::{Tree, join, parent};

/// True when `rel` sits inside a directory of installed or built dependencies, whose manifests
/// describe those packages, not the project (`node_modules`, `site-packages`, cargo's `target`).
pub(crate) fn in_dependency_dir(rel: &str) -> bool {
    rel.split('/').any(|p| matches!(p, "node_modules" | "site-packages" | "target" | ".venv"))
}

/// The lockfile (one of `locks`) in the directory of `rel` or, when `ancestors`, in any directory
/// above it (a workspace's lockfile sits at its root), as the tree lists it.
pub(crate) fn covering_lock(rel: &str, tree: &dyn Tree, locks: &[&str], ancestors: bool) -> Option<String> {
    let files = tree.files();
    let mut dir = parent(rel);
    loop {
        for lock in locks {
            let Some(path) = join(dir, lock) else { continue };
            if files.binary_search(&path).is_ok() {
                return Some(path);
            }
        }
        if !ancestors || dir.is_empty() {
            return None;
        }
        dir = parent(dir);
    }
}

/// The warning on a manifest no lockfile resolved: `declared` dependencies reported from their
/// requirements, and which lockfiles were looked for.
pub(crate) fn no_lockfile(rel: &str, declared: usize, locks: &[&str]) -> Diagnostic {
    Diagnostic::warning(
        rel,
        None,
        format!(
            "no lockfile ({}) covers this manifest: its {declared} declared dependencies are reported \
             with their version requirements, and those without an exact version cannot be matched \
             against advisories",
            locks.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    #[test]
    fn lock_beside_or_above() {
        let tree = MemTree::new().with("Cargo.lock", b"").with("b/yarn.lock", b"");
        assert_eq!(
            covering_lock("a/Cargo.toml", &tree, &["Cargo.lock"], true).as_deref(),
            Some("Cargo.lock")
        );
        assert_eq!(covering_lock("a/Cargo.toml", &tree, &["Cargo.lock"], false), None);
        assert_eq!(
            covering_lock("b/package.json", &tree, &["package-lock.json", "yarn.lock"], false).as_deref(),
            Some("b/yarn.lock")
        );
        assert_eq!(covering_lock("c/package.json", &tree, &["yarn.lock"], true), None);
        assert!(in_dependency_dir("node_modules/a/package.json"));
        assert!(!in_dependency_dir("packages/a/package.json"));
    }
}

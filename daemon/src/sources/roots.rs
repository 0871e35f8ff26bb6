//! Which server directories a tenant's `path` scans (and `file://` git URLs) may name.
//!
//! Roots belong to tenants: `[sources.tenant_roots]` maps a tenant id to its directories. The
//! global `[sources] path_roots` apply to every tenant, so they are honoured only on a
//! *single-tenant install*: one whose configuration says `single_tenant = true`, the
//! administrator's statement that every account on this daemon works for the same team. Tenants
//! are named by id, never by slug: a slug is taken by whoever registers the name first.
//!
//! The work directory holds every tenant's clones and uploads, so it may never lie under a root
//! (nor a root under it); the daemon refuses to start otherwise.

use std::path::{Path, PathBuf};

use cairn_sdk::types::TenantId;

use super::config::SourcesConfig;

/// A `[sources]` setting about roots that the daemon refuses to start with.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RootsError {
    /// Global roots on a daemon that did not declare itself single-tenant.
    #[error(
        "[sources] path_roots apply to every tenant, so they need `single_tenant = true` (an install \
         whose accounts all work for one team); otherwise name each tenant's roots in \
         [sources.tenant_roots] by tenant id"
    )]
    GlobalRootsNeedSingleTenant,
    /// A `[sources.tenant_roots]` key that is not a tenant id.
    #[error("[sources.tenant_roots] key {0:?} is not a tenant id (tenants are named by id, not slug)")]
    NotATenantId(String),
    /// A root given as a relative path.
    #[error("scan root {0} is not an absolute path")]
    Relative(PathBuf),
    /// The work directory and a root overlap.
    #[error(
        "the work directory {work_dir} overlaps the scan root {root}: it holds every tenant's clones \
         and uploads, so it must not be under a root (nor a root under it); set [sources] work_dir \
         elsewhere"
    )]
    WorkDirUnderRoot {
        /// The work directory.
        work_dir: PathBuf,
        /// The root it overlaps.
        root: PathBuf,
    },
}

impl SourcesConfig {
    /// The roots `tenant` may scan under: its own, plus the global ones on a single-tenant install.
    pub fn roots_of(&self, tenant: TenantId) -> Vec<PathBuf> {
        let mut roots = self.global_roots().to_vec();
        let own = self.tenant_roots.iter().filter(|(k, _)| k.parse::<TenantId>().ok() == Some(tenant));
        roots.extend(own.flat_map(|(_, r)| r.iter().cloned()));
        roots
    }

    /// The global roots, when this is a single-tenant install; else none.
    pub fn global_roots(&self) -> &[PathBuf] {
        if self.single_tenant { &self.path_roots } else { &[] }
    }

    /// Checks the root settings once at start (local mode consults no roots).
    pub fn check_roots(&self, local_mode: bool) -> Result<(), RootsError> {
        if local_mode {
            return Ok(());
        }
        if !self.path_roots.is_empty() && !self.single_tenant {
            return Err(RootsError::GlobalRootsNeedSingleTenant);
        }
        if let Some(key) = self.tenant_roots.keys().find(|k| k.parse::<TenantId>().is_err()) {
            return Err(RootsError::NotATenantId(key.clone()));
        }
        let work_dir = resolved(&self.work_dir());
        for root in self.path_roots.iter().chain(self.tenant_roots.values().flatten()) {
            if !root.is_absolute() {
                return Err(RootsError::Relative(root.clone()));
            }
            let canonical = resolved(root);
            if work_dir.starts_with(&canonical) || canonical.starts_with(&work_dir) {
                return Err(RootsError::WorkDirUnderRoot { work_dir: work_dir.clone(), root: root.clone() });
            }
        }
        Ok(())
    }
}

/// `path` with symlinks resolved as far as it exists (a missing work directory is made later).
fn resolved(path: &Path) -> PathBuf {
    let mut missing = Vec::new();
    let mut existing = path.to_path_buf();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return missing.iter().rev().fold(canonical, |p, c: &std::ffi::OsString| p.join(c));
        }
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                missing.push(name);
                existing = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(global: &[&Path], tenants: &[(TenantId, &Path)]) -> SourcesConfig {
        SourcesConfig {
            path_roots: global.iter().map(|p| p.to_path_buf()).collect(),
            tenant_roots: tenants.iter().map(|(t, p)| (t.to_string(), vec![p.to_path_buf()])).collect(),
            ..SourcesConfig::default()
        }
    }

    #[test]
    fn a_tenant_gets_its_own_roots_and_global_ones_only_when_single_tenant() {
        let (a, b) = (TenantId::new(), TenantId::new());
        let work = tempfile::tempdir().expect("tempdir");
        let mut c = config(&[Path::new("/srv/all")], &[(a, Path::new("/srv/a"))]);
        c.work_dir = Some(work.path().to_path_buf());
        assert_eq!(c.check_roots(false), Err(RootsError::GlobalRootsNeedSingleTenant));
        assert_eq!(c.check_roots(true), Ok(()), "local mode consults no roots");
        assert_eq!(c.roots_of(a), vec![PathBuf::from("/srv/a")]);
        assert!(c.roots_of(b).is_empty());
        c.single_tenant = true;
        assert_eq!(c.check_roots(false), Ok(()));
        assert_eq!(c.roots_of(a), vec![PathBuf::from("/srv/all"), PathBuf::from("/srv/a")]);
        assert_eq!(c.roots_of(b), vec![PathBuf::from("/srv/all")]);
    }

    #[test]
    fn slugs_and_relative_roots_are_refused() {
        let mut c = config(&[], &[]);
        c.tenant_roots.insert("acme".into(), vec![PathBuf::from("/srv/acme")]);
        assert_eq!(c.check_roots(false), Err(RootsError::NotATenantId("acme".into())));
        let c = config(&[], &[(TenantId::new(), Path::new("srv/a"))]);
        assert_eq!(c.check_roots(false), Err(RootsError::Relative(PathBuf::from("srv/a"))));
    }

    #[test]
    fn the_work_directory_never_overlaps_a_root() {
        let base = tempfile::tempdir().expect("tempdir");
        let tenant = TenantId::new();
        // A root containing the (not yet created) work directory, then one inside it.
        let mut c = config(&[], &[(tenant, base.path())]);
        c.work_dir = Some(base.path().join("work"));
        assert!(matches!(c.check_roots(false), Err(RootsError::WorkDirUnderRoot { .. })));
        let mut c = config(&[], &[(tenant, &base.path().join("work/inner"))]);
        c.work_dir = Some(base.path().join("work"));
        assert!(matches!(c.check_roots(false), Err(RootsError::WorkDirUnderRoot { .. })));
        // Through a symlink too.
        std::fs::create_dir(base.path().join("real")).expect("mkdir");
        std::os::unix::fs::symlink(base.path().join("real"), base.path().join("link")).expect("symlink");
        let mut c = config(&[], &[(tenant, &base.path().join("link"))]);
        c.work_dir = Some(base.path().join("real/work"));
        assert!(matches!(c.check_roots(false), Err(RootsError::WorkDirUnderRoot { .. })));
        // Siblings are fine.
        let mut c = config(&[], &[(tenant, &base.path().join("code"))]);
        c.work_dir = Some(base.path().join("work"));
        assert_eq!(c.check_roots(false), Ok(()));
    }
}

//! The engine's integration tests in one binary (one link instead of one per file): acceptance
//! on the real corpus (lockfiles, advisories, crypto sources, license texts, version vectors), the
//! held-out sets, every document format against its schema, and robustness on hostile input.

mod auditable;
mod bom;
mod corpus;
mod crypto_cbom;
mod crypto_corpus;
mod crypto_generalize;
mod crypto_heldout;
mod crypto_material;
mod debian_osv;
mod diff;
mod image;
mod image_build;
mod licenses;
mod other_truncation;
mod package_caches;
mod policy;
mod robustness;
mod rpm;
mod rpm_osv;
mod unlocked;
mod version_vectors;
mod vuln_cache;
mod vuln_corpus;
mod vuln_package_index;
mod walk;

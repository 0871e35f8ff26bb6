//! # cairn-engine
//!
//! Cairn's scanner as a pure library: it walks a source tree, reads every manifest and lockfile it
//! knows, and returns an [`Inventory`] of components (one per purl), dependency edges, diagnostics
//! for what it could not read, and the paths it skipped.
//!
//! **Architecture invariant:** no network, no SQL, no async runtime. Every stage is a plain function
//! over plain data, so the daemon, the CLI and the fuzzers drive the same code.
//!
//! ```no_run
//! use cairn_engine::{scan_path, NoProgress, ScanOptions};
//! let scan = scan_path("path/to/repo".as_ref(), &ScanOptions::default(), &NoProgress)?;
//! for c in &scan.inventory.components {
//!     println!("{}", c.purl);
//! }
//! # Ok::<(), cairn_engine::ScanError>(())
//! ```

pub mod binary;
pub mod bom;
pub mod catalog;
pub mod crypto;
pub mod diff;
pub mod image;
pub mod inventory;
pub mod license;
pub mod os;
pub mod policy;
pub mod report;
pub mod scan;
pub mod tree;
pub mod vuln;
pub mod walk;

pub use inventory::{Component, Diagnostic, Ecosystem, Edge, Inventory, Package, Scope, Severity, Source};
pub use license::caches::{CacheKind, PackageCache};
pub use report::Report;
pub use scan::{NoProgress, Progress, Scan, ScanError, ScanOptions, ScanSink, Step, catalog_tree, scan_path};
pub use walk::{SkipReason, Skipped, WalkOptions};

//! Vulnerability matching against OSV data, offline and exact.
//!
//! [`load`] reads OSV records (JSON or YAML; files, directories, per-ecosystem `all.zip`
//! archives) into a [`Database`]: advisories checked on read ([`osv`]), indexed by ecosystem and
//! normalised package name ([`name`]), every range compiled once ([`range`]); [`cache`] keeps what
//! was read in one file keyed by the data's revision, so the next load of unchanged data parses no
//! record files. [`match_inventory`]
//! is a pure function from an inventory and a database to [`Matches`]: findings (aliases merged,
//! severity from CVSS vectors or a loaded alias, the nearest fixed version), informational
//! advisories as [`warning`]s, the components it could not evaluate with the reason, and the
//! [`coverage`] of each ecosystem (components with no loaded data are counted, never silent). Version ordering per ecosystem lives in [`version`].

pub mod cache;
pub mod coverage;
pub mod finding;
pub mod index;
pub mod kev;
pub mod load;
pub mod matcher;
pub mod name;
pub mod osv;
pub mod package_index;
pub mod product;
pub mod range;
pub mod severity;
pub mod version;
pub mod vex;
pub mod warning;

pub use cache::{CacheUse, VulnData, load_paths_cached, open_cached};
pub use cairn_vocab::UnknownSeverity as UnknownRating;
pub use coverage::{CoverageGap, EcosystemCoverage, GapReason};
pub use finding::{AffectedRange, Finding, Matches, NotEvaluated};
pub use index::{Database, DatabaseInfo, SourceInfo, VersionReading, readings_of};
pub use kev::{KevCatalog, KevEntry, KevError, looks_like_kev};
pub use load::{Chunk, LoadDiagnostic, LoadError, load_paths, stream_paths};
pub use matcher::match_inventory;
pub use osv::{Advisory, OsvError};
pub use package_index::{AdvisoryKeys, AffectedKeys, PackageIndex, PackageIndexBuilder, StagedSource};
pub use product::{PatternError, PurlPattern, VersionRange};
pub use severity::{Rating, Severity, SeveritySource};
pub use version::{KnownEcosystem, OsvEcosystem, Scheme, Version, VersionError, compare, compare_in};
pub use vex::{Suppressed, Vex, VexError, VexFormat, VexRange, VexState, VexStatement};
pub use warning::{Warning, WarningKind};

//! Cairn's domain vocabulary: the words the engine, the daemon, the SDK and the CLI share, each
//! defined once as a type so they cannot drift apart (a finding's severity was once spelled in six
//! places, and two of them disagreed about CVSS 0.0).
//!
//! Every word serializes in lower case (its wire spelling), implements `Display` and `FromStr` with
//! the same spelling, derives a utoipa schema with feature `utoipa` and a clap `ValueEnum` with
//! feature `clap`. The crate depends on serde alone otherwise, so the engine (no network, no
//! async) can use it.

mod dependency_scope;
mod platform;
mod severity;
mod source_kind;
mod triage_state;

pub use dependency_scope::{DependencyScope, UnknownDependencyScope};
pub use platform::{Platform, PlatformError};
pub use severity::{Severity, UnknownSeverity};
pub use source_kind::{SourceKind, UnknownSourceKind};
pub use triage_state::{TriageState, UnknownTriageState};

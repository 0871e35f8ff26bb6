//! Vulnerability matching. Today: the version ordering layer that OSV range evaluation sits on.
//!
//! Every OSV ecosystem orders versions its own way; [`compare`] picks the scheme from the
//! ecosystem string (suffixes such as `Debian:12` kept, compared with the base scheme) and
//! compares two version strings, failing with a [`VersionError`] that says exactly why rather
//! than guessing.

pub mod version;

pub use version::{KnownEcosystem, OsvEcosystem, Scheme, Version, VersionError, compare, compare_in};

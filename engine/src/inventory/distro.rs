//! What an operating-system package needs beyond name and version to be matched: the
//! distribution release and the source package advisories name.

use serde::{Deserialize, Serialize};

/// A distribution package's release and source package.
///
/// Distribution advisories (OSV `Debian:12`, `Alpine:v3.19`) name source packages (`glibc`), not
/// the binary packages installed (`libc6`), and are per release.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DistroPackage {
    /// The release in OSV's spelling: `12`, `22.04:LTS`, `v3.19`; for an rpm package the whole
    /// OSV ecosystem of its distribution (`AlmaLinux:9`, `Azure Linux:2`), each rpm distribution
    /// being an ecosystem of its own, or `fedora:40` for one OSV has none for.
    pub release: String,
    /// The package advisories name: the source package (Debian `Source:`, Alpine origin, Azure
    /// Linux's source rpm), the binary name where it has none or where the distribution's
    /// advisories list binaries (AlmaLinux, Rocky Linux, openSUSE).
    pub source: String,
    /// The source package's version (Debian `Source: glibc (2.36-9)`); the binary's otherwise.
    pub source_version: String,
}

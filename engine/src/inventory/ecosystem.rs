//! Package ecosystems Cairn inventories, with their purl type and OSV name.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A package ecosystem: the registry namespace a package name lives in.
///
/// The serialized form is the OSV ecosystem name, so reports and advisories agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    /// Rust crates (Cargo.lock).
    #[serde(rename = "crates.io")]
    Cargo,
    /// JavaScript packages (npm, yarn, pnpm).
    #[serde(rename = "npm")]
    Npm,
    /// Python distributions.
    #[serde(rename = "PyPI")]
    PyPI,
    /// Go modules.
    #[serde(rename = "Go")]
    Go,
    /// Maven artifacts (pom.xml, gradle.lockfile).
    #[serde(rename = "Maven")]
    Maven,
    /// .NET packages.
    #[serde(rename = "NuGet")]
    NuGet,
    /// Ruby gems.
    #[serde(rename = "RubyGems")]
    RubyGems,
    /// PHP packages (Composer).
    #[serde(rename = "Packagist")]
    Packagist,
    /// Dart and Flutter packages.
    #[serde(rename = "Pub")]
    Pub,
    /// Erlang and Elixir packages.
    #[serde(rename = "Hex")]
    Hex,
    /// Swift packages, named by their repository URL.
    #[serde(rename = "SwiftURL")]
    SwiftURL,
    /// C and C++ packages from Conan.
    #[serde(rename = "ConanCenter")]
    Conan,
    /// Debian packages (dpkg); OSV matches them as `Debian:<release>` by source package.
    #[serde(rename = "Debian")]
    Debian,
    /// Ubuntu packages (dpkg); OSV matches them as `Ubuntu:<release>` by source package.
    #[serde(rename = "Ubuntu")]
    Ubuntu,
    /// Alpine packages (apk); OSV matches them as `Alpine:v<major.minor>` by origin package.
    #[serde(rename = "Alpine")]
    Alpine,
    /// rpm packages (Fedora, RHEL and UBI, CBL-Mariner, …) from rpm's database. Each distribution
    /// has its own OSV ecosystem and none is matched yet: they are inventoried, not evaluated.
    #[serde(rename = "RPM")]
    Rpm,
}

impl Ecosystem {
    /// Every ecosystem, in a stable order.
    pub const ALL: [Ecosystem; 16] = [
        Ecosystem::Cargo,
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::Maven,
        Ecosystem::NuGet,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Pub,
        Ecosystem::Hex,
        Ecosystem::SwiftURL,
        Ecosystem::Conan,
        Ecosystem::Debian,
        Ecosystem::Ubuntu,
        Ecosystem::Alpine,
        Ecosystem::Rpm,
    ];

    /// The package-url `type` for this ecosystem.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Packagist => "composer",
            Ecosystem::Pub => "pub",
            Ecosystem::Hex => "hex",
            Ecosystem::SwiftURL => "swift",
            Ecosystem::Conan => "conan",
            Ecosystem::Debian | Ecosystem::Ubuntu => "deb",
            Ecosystem::Alpine => "apk",
            Ecosystem::Rpm => "rpm",
        }
    }

    /// The ecosystem name OSV uses.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Pub => "Pub",
            Ecosystem::Hex => "Hex",
            Ecosystem::SwiftURL => "SwiftURL",
            Ecosystem::Conan => "ConanCenter",
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Rpm => "RPM",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

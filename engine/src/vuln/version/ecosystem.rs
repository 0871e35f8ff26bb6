//! OSV ecosystem strings (`PyPI`, `Debian:12`, `Red Hat:rhel_aus:8.4::appstream`, …) and the
//! ordering scheme each one uses.

use super::{Scheme, VersionError};
use crate::inventory::Ecosystem;
use std::fmt;

macro_rules! known_ecosystems {
    ($($variant:ident => $name:literal,)*) => {
        /// An ecosystem name the OSV schema defines (the part before any `:` suffix).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum KnownEcosystem {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl KnownEcosystem {
            /// Every ecosystem the OSV schema names, in schema order.
            pub const ALL: &'static [KnownEcosystem] = &[$(KnownEcosystem::$variant,)*];

            /// The name as OSV spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(KnownEcosystem::$variant => $name,)*
                }
            }

            /// The ecosystem OSV spells exactly `name` (case-sensitive, as the schema is).
            pub fn from_name(name: &str) -> Option<KnownEcosystem> {
                match name {
                    $($name => Some(KnownEcosystem::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

known_ecosystems! {
    AlmaLinux => "AlmaLinux",
    Alpaquita => "Alpaquita",
    Alpine => "Alpine",
    Android => "Android",
    AzureLinux => "Azure Linux",
    BellSoftHardenedContainers => "BellSoft Hardened Containers",
    Bioconductor => "Bioconductor",
    Bitnami => "Bitnami",
    Chainguard => "Chainguard",
    CleanStart => "CleanStart",
    ConanCenter => "ConanCenter",
    Cran => "CRAN",
    CratesIo => "crates.io",
    Debian => "Debian",
    DockerHardenedImages => "Docker Hardened Images",
    Echo => "Echo",
    FreeBsd => "FreeBSD",
    Ghc => "GHC",
    GitHubActions => "GitHub Actions",
    Go => "Go",
    Hackage => "Hackage",
    Hex => "Hex",
    Julia => "Julia",
    Kubernetes => "Kubernetes",
    Linux => "Linux",
    Mageia => "Mageia",
    Maven => "Maven",
    MinimOs => "MinimOS",
    Npm => "npm",
    NuGet => "NuGet",
    Opam => "opam",
    OpenEuler => "openEuler",
    OpenSuse => "openSUSE",
    OssFuzz => "OSS-Fuzz",
    Packagist => "Packagist",
    PhotonOs => "Photon OS",
    Pub => "Pub",
    PyPI => "PyPI",
    RedHat => "Red Hat",
    RockyLinux => "Rocky Linux",
    Root => "Root",
    RubyGems => "RubyGems",
    Suse => "SUSE",
    SwiftUrl => "SwiftURL",
    TuxCare => "TuxCare",
    Ubuntu => "Ubuntu",
    VsCode => "VSCode",
    Wolfi => "Wolfi",
    Git => "GIT",
}

impl KnownEcosystem {
    /// The version ordering this ecosystem uses, or `None` where Cairn has none (yet): ecosystems
    /// whose ordering is not defined by OSV (`GIT`, `Linux`, `Android`, `OSS-Fuzz`, …) or is its
    /// own and not implemented (`ConanCenter`, `opam`, `FreeBSD`, `Julia`, …).
    pub fn scheme(self) -> Option<Scheme> {
        use KnownEcosystem as K;
        Some(match self {
            K::CratesIo | K::Hex | K::SwiftUrl | K::Bitnami | K::GitHubActions => Scheme::SemVer,
            K::Npm => Scheme::Npm,
            K::Go => Scheme::Go,
            K::Pub => Scheme::Pub,
            K::NuGet => Scheme::NuGet,
            K::PyPI => Scheme::Pep440,
            K::Maven => Scheme::Maven,
            K::RubyGems => Scheme::RubyGems,
            K::Packagist => Scheme::Packagist,
            K::Debian | K::Ubuntu => Scheme::Dpkg,
            K::Alpine | K::Wolfi | K::Chainguard | K::Alpaquita => Scheme::Apk,
            K::RedHat
            | K::RockyLinux
            | K::AlmaLinux
            | K::Suse
            | K::OpenSuse
            | K::OpenEuler
            | K::Mageia
            | K::PhotonOs
            | K::AzureLinux => Scheme::Rpm,
            K::Cran | K::Bioconductor => Scheme::Cran,
            K::Hackage | K::Ghc => Scheme::Hackage,
            K::Android
            | K::BellSoftHardenedContainers
            | K::CleanStart
            | K::ConanCenter
            | K::DockerHardenedImages
            | K::Echo
            | K::FreeBsd
            | K::Julia
            | K::Kubernetes
            | K::Linux
            | K::MinimOs
            | K::Opam
            | K::OssFuzz
            | K::Root
            | K::TuxCare
            | K::VsCode
            | K::Git => return None,
        })
    }
}

impl fmt::Display for KnownEcosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OSV `affected[].package.ecosystem` value: a known ecosystem with its release suffix kept
/// (`Debian:12` → Debian, suffix `12`), or an explicit `Unsupported` holding the string as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OsvEcosystem {
    /// An ecosystem the OSV schema defines.
    Known {
        /// The ecosystem.
        ecosystem: KnownEcosystem,
        /// Everything after the first `:` (`12`, `v3.19`, `22.04:LTS`, `https://repo.example/`).
        suffix: Option<String>,
    },
    /// A string that names no OSV ecosystem; never silently treated as another one.
    Unsupported(String),
}

impl OsvEcosystem {
    /// Parse an OSV ecosystem string. Never fails: unknown names become `Unsupported`.
    pub fn parse(s: &str) -> OsvEcosystem {
        let (base, suffix) = match s.split_once(':') {
            Some((base, suffix)) => (base, Some(suffix)),
            None => (s, None),
        };
        match KnownEcosystem::from_name(base) {
            // `Debian:` has an empty suffix, which the schema's `(:.+)?` does not allow.
            Some(_) if suffix.is_some_and(str::is_empty) => OsvEcosystem::Unsupported(s.to_owned()),
            Some(ecosystem) => OsvEcosystem::Known { ecosystem, suffix: suffix.map(str::to_owned) },
            None => OsvEcosystem::Unsupported(s.to_owned()),
        }
    }

    /// The known ecosystem, if any.
    pub fn known(&self) -> Option<KnownEcosystem> {
        match self {
            OsvEcosystem::Known { ecosystem, .. } => Some(*ecosystem),
            OsvEcosystem::Unsupported(_) => None,
        }
    }

    /// The release suffix, if any.
    pub fn suffix(&self) -> Option<&str> {
        match self {
            OsvEcosystem::Known { suffix, .. } => suffix.as_deref(),
            OsvEcosystem::Unsupported(_) => None,
        }
    }

    /// The ordering scheme, or why there is none.
    pub fn scheme(&self) -> Result<Scheme, VersionError> {
        self.known()
            .and_then(KnownEcosystem::scheme)
            .ok_or_else(|| VersionError::UnsupportedEcosystem(self.to_string()))
    }
}

impl From<Ecosystem> for OsvEcosystem {
    fn from(e: Ecosystem) -> OsvEcosystem {
        OsvEcosystem::parse(e.osv_name())
    }
}

impl From<KnownEcosystem> for OsvEcosystem {
    fn from(ecosystem: KnownEcosystem) -> OsvEcosystem {
        OsvEcosystem::Known { ecosystem, suffix: None }
    }
}

impl fmt::Display for OsvEcosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OsvEcosystem::Known { ecosystem, suffix: Some(s) } => write!(f, "{ecosystem}:{s}"),
            OsvEcosystem::Known { ecosystem, suffix: None } => write!(f, "{ecosystem}"),
            OsvEcosystem::Unsupported(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_kept() {
        for (s, base, suffix) in [
            ("Debian:12", KnownEcosystem::Debian, Some("12")),
            ("Alpine:v3.19", KnownEcosystem::Alpine, Some("v3.19")),
            ("Ubuntu:22.04:LTS", KnownEcosystem::Ubuntu, Some("22.04:LTS")),
            ("Red Hat:rhel_aus:8.4::appstream", KnownEcosystem::RedHat, Some("rhel_aus:8.4::appstream")),
            ("Maven:https://repo.example/", KnownEcosystem::Maven, Some("https://repo.example/")),
            ("PyPI", KnownEcosystem::PyPI, None),
        ] {
            let e = OsvEcosystem::parse(s);
            assert_eq!(e.known(), Some(base), "{s}");
            assert_eq!(e.suffix(), suffix, "{s}");
            assert_eq!(e.to_string(), s);
        }
    }

    #[test]
    fn unknown_names_are_unsupported_never_guessed() {
        for s in ["pypi", "Debian:", "Npm", "", ":12", "cargo", "Maven "] {
            assert_eq!(OsvEcosystem::parse(s), OsvEcosystem::Unsupported(s.to_owned()), "{s}");
            assert_eq!(OsvEcosystem::parse(s).scheme(), Err(VersionError::UnsupportedEcosystem(s.into())));
        }
        assert_eq!(
            OsvEcosystem::parse("GIT").scheme(),
            Err(VersionError::UnsupportedEcosystem("GIT".into()))
        );
    }

    #[test]
    fn every_known_name_round_trips() {
        for &e in KnownEcosystem::ALL {
            assert_eq!(KnownEcosystem::from_name(e.as_str()), Some(e));
        }
        assert_eq!(KnownEcosystem::ALL.len(), 49);
    }

    #[test]
    fn every_cairn_ecosystem_maps() {
        // `RPM` names no OSV ecosystem: each rpm distribution is its own (`AlmaLinux:9`), which the
        // matcher takes from the package's distribution.
        for e in Ecosystem::ALL.into_iter().filter(|e| *e != Ecosystem::Rpm) {
            let osv = OsvEcosystem::from(e);
            assert!(osv.known().is_some(), "{e}");
            if e != Ecosystem::Conan {
                assert!(osv.scheme().is_ok(), "{e}");
            }
        }
        assert_eq!(OsvEcosystem::from(Ecosystem::Cargo).scheme(), Ok(Scheme::SemVer));
        assert_eq!(OsvEcosystem::from(Ecosystem::PyPI).scheme(), Ok(Scheme::Pep440));
    }
}

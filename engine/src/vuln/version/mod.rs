//! Version parsing and ordering, one file per scheme.
//!
//! Each scheme has its own version type, built only through a fallible `parse` (fields private),
//! so comparing two parsed versions cannot fail. [`Version`] wraps any of them with its [`Scheme`];
//! [`compare`] goes from an OSV ecosystem and two strings to an [`Ordering`].
//!
//! All of it is pure: no I/O, no panics on any input, numbers of any length (no overflow).

mod apk;
mod dpkg;
mod ecosystem;
mod maven;
mod nuget;
mod num;
mod numeric;
mod packagist;
mod pypi;
mod rpm;
mod rubygems;
mod semver;

pub use apk::ApkVersion;
pub use dpkg::DpkgVersion;
pub use ecosystem::{KnownEcosystem, OsvEcosystem};
pub use maven::MavenVersion;
pub use nuget::NuGetVersion;
pub use numeric::{CranVersion, HackageVersion};
pub use packagist::PackagistVersion;
pub use pypi::PypiVersion;
pub use rpm::RpmVersion;
pub use rubygems::RubyGemsVersion;
pub use semver::{PubVersion, SemverVersion, osv_normalised};

use std::cmp::Ordering;
use std::fmt;

/// A version ordering scheme: how one family of ecosystems orders its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// SemVer 2.0 (crates.io, Hex, SwiftURL, Bitnami, GitHub Actions); a leading `v` is tolerated.
    SemVer,
    /// SemVer 2.0 as node-semver reads it: a leading `=` and/or `v` and surrounding spaces ignored.
    Npm,
    /// Go module versions: SemVer with an optional `v`; `+incompatible` is build metadata and
    /// pseudo-versions are pre-releases, so both order as SemVer says.
    Go,
    /// Dart's pub_semver: SemVer, but build metadata orders (after the same version without it).
    Pub,
    /// NuGet: up to four numeric parts, case-insensitive pre-release labels, leading zeros allowed.
    NuGet,
    /// PEP 440 (PyPI), with pre-PEP 440 "legacy" versions ordered before every PEP 440 version.
    Pep440,
    /// Maven's `ComparableVersion`.
    Maven,
    /// RubyGems' `Gem::Version`.
    RubyGems,
    /// PHP's `version_compare`, as Composer uses it for Packagist.
    Packagist,
    /// dpkg (Debian, Ubuntu).
    Dpkg,
    /// apk (Alpine, Wolfi, Chainguard, Alpaquita).
    Apk,
    /// rpm's `rpmvercmp` over `epoch:version-release` (Red Hat, Rocky, AlmaLinux, SUSE, …).
    Rpm,
    /// R package versions (CRAN, Bioconductor): numeric parts separated by `.` or `-`.
    Cran,
    /// Haskell's `Data.Version` (Hackage, GHC): numeric parts separated by `.`.
    Hackage,
}

impl Scheme {
    /// A short stable name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::SemVer => "SemVer",
            Scheme::Npm => "npm",
            Scheme::Go => "Go",
            Scheme::Pub => "Pub",
            Scheme::NuGet => "NuGet",
            Scheme::Pep440 => "PEP 440",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
            Scheme::Packagist => "Packagist",
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Cran => "CRAN",
            Scheme::Hackage => "Hackage",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a version could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The ecosystem is not one OSV defines, or has no version ordering Cairn implements.
    #[error("no version ordering for ecosystem {0:?}")]
    UnsupportedEcosystem(String),
    /// The string is not a version in this scheme.
    #[error("{scheme} version {version:?} is invalid: {reason}")]
    Unparsable {
        /// The scheme it was parsed as.
        scheme: Scheme,
        /// The string as given.
        version: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl VersionError {
    pub(crate) fn unparsable(scheme: Scheme, version: &str, reason: &'static str) -> VersionError {
        VersionError::Unparsable { scheme, version: version.to_owned(), reason }
    }
}

/// A parsed version of any scheme. Ordering is meaningful only within one scheme; versions of
/// different schemes order by scheme so `Ord` stays total (use [`Version::compare`] to refuse).
///
/// Equality is the scheme's: `1.0` and `1.0.0` are equal under Maven, so there is no `Hash`.
#[derive(Debug, Clone)]
pub struct Version {
    original: String,
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    SemVer(SemverVersion),
    Npm(SemverVersion),
    Go(SemverVersion),
    Pub(PubVersion),
    NuGet(NuGetVersion),
    Pep440(PypiVersion),
    Maven(MavenVersion),
    RubyGems(RubyGemsVersion),
    Packagist(PackagistVersion),
    Dpkg(DpkgVersion),
    Apk(ApkVersion),
    Rpm(RpmVersion),
    Cran(CranVersion),
    Hackage(HackageVersion),
}

impl Version {
    /// Parse `s` as a version of `scheme`.
    pub fn parse(scheme: Scheme, s: &str) -> Result<Version, VersionError> {
        let inner = match scheme {
            Scheme::SemVer => Inner::SemVer(SemverVersion::parse(s)?),
            Scheme::Npm => Inner::Npm(SemverVersion::parse_npm(s)?),
            Scheme::Go => Inner::Go(SemverVersion::parse_go(s)?),
            Scheme::Pub => Inner::Pub(PubVersion::parse(s)?),
            Scheme::NuGet => Inner::NuGet(NuGetVersion::parse(s)?),
            Scheme::Pep440 => Inner::Pep440(PypiVersion::parse(s)?),
            Scheme::Maven => Inner::Maven(MavenVersion::parse(s)?),
            Scheme::RubyGems => Inner::RubyGems(RubyGemsVersion::parse(s)?),
            Scheme::Packagist => Inner::Packagist(PackagistVersion::parse(s)?),
            Scheme::Dpkg => Inner::Dpkg(DpkgVersion::parse(s)?),
            Scheme::Apk => Inner::Apk(ApkVersion::parse(s)?),
            Scheme::Rpm => Inner::Rpm(RpmVersion::parse(s)?),
            Scheme::Cran => Inner::Cran(CranVersion::parse(s)?),
            Scheme::Hackage => Inner::Hackage(HackageVersion::parse(s)?),
        };
        Ok(Version { original: s.to_owned(), inner })
    }

    /// Parse `s` as a version written in OSV data: as [`Version::parse`], and where that fails in a
    /// SemVer scheme (SemVer, npm, Go), as OSV.dev reads it ([`osv_normalised`]: `1.0` is
    /// `1.0.0`). The second value says how an irregular version was read; the version keeps the
    /// text as written. Pub has its own reading in OSV.dev and is parsed as is.
    pub fn parse_osv(scheme: Scheme, s: &str) -> Result<(Version, Option<String>), VersionError> {
        let strict = match Version::parse(scheme, s) {
            Ok(v) => return Ok((v, None)),
            Err(e) => e,
        };
        if !matches!(scheme, Scheme::SemVer | Scheme::Npm | Scheme::Go) {
            return Err(strict);
        }
        let Some(read) = osv_normalised(s.trim()) else { return Err(strict) };
        match Version::parse(scheme, &read) {
            Ok(mut v) => {
                v.original = s.to_owned();
                Ok((v, Some(format!("{s:?} read as {read} (OSV.dev's SemVer normalisation)"))))
            }
            Err(_) => Err(strict),
        }
    }

    /// The scheme this version was parsed in.
    pub fn scheme(&self) -> Scheme {
        match &self.inner {
            Inner::SemVer(_) => Scheme::SemVer,
            Inner::Npm(_) => Scheme::Npm,
            Inner::Go(_) => Scheme::Go,
            Inner::Pub(_) => Scheme::Pub,
            Inner::NuGet(_) => Scheme::NuGet,
            Inner::Pep440(_) => Scheme::Pep440,
            Inner::Maven(_) => Scheme::Maven,
            Inner::RubyGems(_) => Scheme::RubyGems,
            Inner::Packagist(_) => Scheme::Packagist,
            Inner::Dpkg(_) => Scheme::Dpkg,
            Inner::Apk(_) => Scheme::Apk,
            Inner::Rpm(_) => Scheme::Rpm,
            Inner::Cran(_) => Scheme::Cran,
            Inner::Hackage(_) => Scheme::Hackage,
        }
    }

    /// The string this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Compare with another version of the same scheme; `None` across schemes.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        (self.scheme() == other.scheme()).then(|| self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.inner, &other.inner) {
            (Inner::SemVer(a), Inner::SemVer(b))
            | (Inner::Npm(a), Inner::Npm(b))
            | (Inner::Go(a), Inner::Go(b)) => a.cmp(b),
            (Inner::Pub(a), Inner::Pub(b)) => a.cmp(b),
            (Inner::NuGet(a), Inner::NuGet(b)) => a.cmp(b),
            (Inner::Pep440(a), Inner::Pep440(b)) => a.cmp(b),
            (Inner::Maven(a), Inner::Maven(b)) => a.cmp(b),
            (Inner::RubyGems(a), Inner::RubyGems(b)) => a.cmp(b),
            (Inner::Packagist(a), Inner::Packagist(b)) => a.cmp(b),
            (Inner::Dpkg(a), Inner::Dpkg(b)) => a.cmp(b),
            (Inner::Apk(a), Inner::Apk(b)) => a.cmp(b),
            (Inner::Rpm(a), Inner::Rpm(b)) => a.cmp(b),
            (Inner::Cran(a), Inner::Cran(b)) => a.cmp(b),
            (Inner::Hackage(a), Inner::Hackage(b)) => a.cmp(b),
            _ => self.scheme().cmp(&other.scheme()),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// Compare two version strings of an OSV ecosystem (e.g. `"PyPI"`, `"Debian:12"`).
///
/// Fails if the ecosystem has no ordering here or either string is not a version of its scheme.
pub fn compare(ecosystem: &str, a: &str, b: &str) -> Result<Ordering, VersionError> {
    compare_in(&OsvEcosystem::parse(ecosystem), a, b)
}

/// [`compare`] with an already parsed ecosystem.
pub fn compare_in(ecosystem: &OsvEcosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    let scheme = ecosystem.scheme()?;
    let a = Version::parse(scheme, a)?;
    let b = Version::parse(scheme, b)?;
    Ok(a.cmp(&b))
}

/// `impl Ord` from a `cmp` method, plus the `PartialOrd`/`PartialEq`/`Eq` that agree with it.
macro_rules! ord_via_cmp {
    ($t:ty) => {
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == std::cmp::Ordering::Equal
            }
        }
        impl Eq for $t {}
    };
}
pub(crate) use ord_via_cmp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_ecosystems_say_so() {
        assert_eq!(compare("Nope", "1", "2"), Err(VersionError::UnsupportedEcosystem("Nope".into())));
        assert_eq!(compare("Linux", "1", "2"), Err(VersionError::UnsupportedEcosystem("Linux".into())));
        assert_eq!(compare("", "1", "2"), Err(VersionError::UnsupportedEcosystem("".into())));
    }

    #[test]
    fn unparsable_names_the_string() {
        let err = compare("crates.io", "1.0.0", "not a version");
        assert!(matches!(
            err,
            Err(VersionError::Unparsable { scheme: Scheme::SemVer, ref version, .. }) if version == "not a version"
        ));
    }

    #[test]
    fn suffixes_use_the_base_scheme() {
        assert_eq!(compare("Debian:12", "1.0-1~deb12u1", "1.0-1"), Ok(Ordering::Less));
        assert_eq!(compare("Alpine:v3.19", "1.2_rc1", "1.2"), Ok(Ordering::Less));
        assert_eq!(compare("Ubuntu:22.04:LTS", "1.0~rc1", "1.0"), Ok(Ordering::Less));
        assert_eq!(compare("Red Hat:rhel_aus:8.4::appstream", "1:1.0-1", "2.0-1"), Ok(Ordering::Greater));
    }

    #[test]
    fn no_input_panics_in_any_scheme() {
        const ALL: [Scheme; 14] = [
            Scheme::SemVer,
            Scheme::Npm,
            Scheme::Go,
            Scheme::Pub,
            Scheme::NuGet,
            Scheme::Pep440,
            Scheme::Maven,
            Scheme::RubyGems,
            Scheme::Packagist,
            Scheme::Dpkg,
            Scheme::Apk,
            Scheme::Rpm,
            Scheme::Cran,
            Scheme::Hackage,
        ];
        let long_digits = "9".repeat(5000);
        let long_mixed = "1a-".repeat(2000);
        let inputs = [
            "",
            " ",
            "0",
            "v",
            "=",
            "-",
            "+",
            ".",
            ":",
            "~",
            "^",
            "_",
            "#",
            "1",
            "1.",
            ".1",
            "1..2",
            "1-",
            "1+",
            "1:",
            ":1",
            "1:2:3-4-5",
            "1.0~~^^",
            "é",
            "1.0-é",
            "١٢٣",
            "1.0\u{0}",
            "0000",
            "00.00.00",
            "1_p_p",
            "1_alpha_beta_rc_p9",
            "-r",
            "1-r",
            "1.2.3-a.b.c+d.e",
            "1!2.0.post1.dev2+l.1",
            "v1.2.3+incompatible",
            "1.0-SNAPSHOT",
            "1.0a1b2c3",
            "dev-main",
            "2:1.0-1~deb12u1",
            &long_digits,
            &long_mixed,
        ];
        for scheme in ALL {
            let parsed: Vec<Version> = inputs.iter().filter_map(|s| Version::parse(scheme, s).ok()).collect();
            for a in &parsed {
                for b in &parsed {
                    assert_eq!(a.cmp(b), b.cmp(a).reverse(), "{scheme}: {a} vs {b}");
                }
            }
            for a in &parsed {
                for b in &parsed {
                    for c in &parsed {
                        if a <= b && b <= c {
                            assert!(a <= c, "{scheme}: not transitive: {a} <= {b} <= {c} but {a} > {c}");
                        }
                    }
                }
            }
            let mut sorted = parsed.clone();
            sorted.sort();
        }
    }

    #[test]
    fn versions_of_different_schemes_do_not_compare() {
        let a = Version::parse(Scheme::SemVer, "1.0.0").ok();
        let b = Version::parse(Scheme::Maven, "1.0.0").ok();
        assert!(a.is_some() && b.is_some());
        if let (Some(a), Some(b)) = (a, b) {
            assert_eq!(a.compare(&b), None);
            assert_ne!(a, b);
        }
    }
}

//! Package URLs per ecosystem, following the purl spec's rules for each type.
//!
//! Names are kept in each ecosystem's native form in the inventory (`@scope/pkg`, `group:artifact`,
//! `vendor/pkg`, Go module paths, Swift repository paths); this module splits them into purl
//! namespace and name. Case folding and PyPI's `_` → `-` are left to the `packageurl` crate, which
//! knows each type's rules.

use super::Ecosystem;
use packageurl::PackageUrl;
use std::fmt;

/// Why a purl could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build a package URL for {ecosystem} package {name:?}: {reason}")]
pub struct PurlError {
    /// The ecosystem of the package.
    pub ecosystem: Ecosystem,
    /// The name as given.
    pub name: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Splits an ecosystem-native name into (namespace, name) for the purl.
fn split(ecosystem: Ecosystem, name: &str) -> (Option<&str>, &str) {
    match ecosystem {
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|_| name.split_once('/')) {
            Some((scope, rest)) => (Some(scope), rest),
            None => (None, name),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((group, artifact)) => (Some(group), artifact),
            None => (None, name),
        },
        Ecosystem::Packagist => match name.split_once('/') {
            Some((vendor, pkg)) => (Some(vendor), pkg),
            None => (None, name),
        },
        Ecosystem::Go | Ecosystem::SwiftURL => match name.rsplit_once('/') {
            Some((path, last)) => (Some(path), last),
            None => (None, name),
        },
        // Distribution packages carry the vendor as namespace (`pkg:deb/debian/libc6`).
        Ecosystem::Debian => (Some("debian"), name),
        Ecosystem::Ubuntu => (Some("ubuntu"), name),
        Ecosystem::Alpine => (Some("alpine"), name),
        // rpm's namespace is the distribution (`pkg:rpm/fedora/bash`): `vendor/name` when known.
        Ecosystem::Rpm => match name.split_once('/') {
            Some((vendor, pkg)) => (Some(vendor), pkg),
            None => (None, name),
        },
        _ => (None, name),
    }
}

/// Builds the canonical purl string for a package.
///
/// `qualifiers` are added in the order given; the purl crate sorts them on output.
pub fn purl(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> Result<String, PurlError> {
    let err = |reason: &dyn fmt::Display| PurlError {
        ecosystem,
        name: name.to_string(),
        reason: reason.to_string(),
    };
    let (namespace, short) = split(ecosystem, name);
    let mut p = PackageUrl::new(ecosystem.purl_type(), short).map_err(|e| err(&e))?;
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        p.with_namespace(ns).map_err(|e| err(&e))?;
    }
    if !version.is_empty() {
        p.with_version(version).map_err(|e| err(&e))?;
    }
    for (k, v) in qualifiers {
        if !v.is_empty() {
            p.add_qualifier(*k, *v).map_err(|e| err(&e))?;
        }
    }
    Ok(p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(eco: Ecosystem, name: &str, version: &str, want: &str) {
        assert_eq!(purl(eco, name, version, &[]).as_deref(), Ok(want));
    }

    // Examples from the purl specification's test suite and types document.
    #[test]
    fn spec_examples() {
        check(Ecosystem::Npm, "@angular/animation", "12.3.1", "pkg:npm/%40angular/animation@12.3.1");
        check(Ecosystem::Npm, "foobar", "12.3.1", "pkg:npm/foobar@12.3.1");
        check(Ecosystem::PyPI, "Django_package", "1.11.1", "pkg:pypi/django-package@1.11.1");
        check(
            Ecosystem::Maven,
            "org.apache.xmlgraphics:batik-anim",
            "1.9.1",
            "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1",
        );
        check(
            Ecosystem::Go,
            "github.com/gorilla/context",
            "v1.1.1",
            "pkg:golang/github.com/gorilla/context@v1.1.1",
        );
        check(Ecosystem::Cargo, "rand", "0.7.2", "pkg:cargo/rand@0.7.2");
        check(
            Ecosystem::NuGet,
            "EnterpriseLibrary.Common",
            "6.0.1304",
            "pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
        );
        check(
            Ecosystem::RubyGems,
            "ruby-advisory-db-check",
            "0.12.4",
            "pkg:gem/ruby-advisory-db-check@0.12.4",
        );
        check(Ecosystem::Packagist, "laravel/laravel", "5.5.0", "pkg:composer/laravel/laravel@5.5.0");
        check(Ecosystem::Hex, "jason", "1.1.2", "pkg:hex/jason@1.1.2");
        check(Ecosystem::Pub, "characters", "1.2.0", "pkg:pub/characters@1.2.0");
        check(
            Ecosystem::SwiftURL,
            "github.com/Alamofire/Alamofire",
            "5.4.3",
            "pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
        );
        check(Ecosystem::Conan, "openssl", "3.0.3", "pkg:conan/openssl@3.0.3");
    }

    #[test]
    fn qualifiers_and_versions_are_encoded() {
        let p =
            purl(Ecosystem::Npm, "left-pad", "1.0.0+local", &[("vcs_url", "git+https://github.com/a/b@abc")]);
        assert_eq!(
            p.as_deref(),
            Ok("pkg:npm/left-pad@1.0.0%2Blocal?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fa%2Fb%40abc")
        );
    }

    #[test]
    fn empty_name_is_an_error() {
        assert!(purl(Ecosystem::Cargo, "", "1.0.0", &[]).is_err());
    }
}

//! Package names as each ecosystem compares them, so an advisory's name and a lockfile's name meet
//! in the index however either spells it.

use super::version::KnownEcosystem;
use std::borrow::Cow;

/// The form of `name` under which `ecosystem` considers two names the same package.
///
/// - PyPI: PEP 503 (lower-case, runs of `-`, `_`, `.` become one `-`).
/// - NuGet: ids are case-insensitive.
/// - Packagist: Composer lower-cases every package name.
/// - SwiftURL: a repository URL; host and path case-insensitive as on GitHub, scheme, user,
///   `.git` and trailing `/` dropped.
/// - Everything else exactly as written: crates.io, npm, Go, Maven, RubyGems and Hackage names are
///   case-sensitive; Pub, Hex and the distributions' names are lower-case by rule already.
pub fn normalize(ecosystem: Option<KnownEcosystem>, name: &str) -> Cow<'_, str> {
    match ecosystem {
        Some(KnownEcosystem::PyPI) => Cow::Owned(pep503(name)),
        Some(KnownEcosystem::NuGet | KnownEcosystem::Packagist) => lower(name),
        Some(KnownEcosystem::SwiftUrl) => Cow::Owned(swift_url(name)),
        _ => Cow::Borrowed(name),
    }
}

fn lower(name: &str) -> Cow<'_, str> {
    if name.chars().any(char::is_uppercase) { Cow::Owned(name.to_lowercase()) } else { Cow::Borrowed(name) }
}

fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

fn swift_url(name: &str) -> String {
    let s = name.trim();
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = match s.split_once('/') {
        Some((host, path)) => match host.rsplit_once('@') {
            Some((_, host)) => format!("{host}/{path}"),
            None => s.to_owned(),
        },
        None => s.to_owned(),
    };
    let s = s.trim_end_matches('/');
    let s = s.strip_suffix(".git").unwrap_or(s);
    s.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use KnownEcosystem as K;

    #[test]
    fn pypi_is_pep503() {
        for (a, b) in [("Django", "django"), ("zope.interface", "zope-interface"), ("A__B-.c", "a-b-c")] {
            assert_eq!(normalize(Some(K::PyPI), a), b);
        }
    }

    #[test]
    fn case_rules_per_ecosystem() {
        assert_eq!(normalize(Some(K::NuGet), "Newtonsoft.Json"), "newtonsoft.json");
        assert_eq!(normalize(Some(K::Packagist), "Symfony/HTTP-Kernel"), "symfony/http-kernel");
        assert_eq!(normalize(Some(K::Npm), "JSONStream"), "JSONStream");
        assert_eq!(normalize(Some(K::Go), "github.com/BurntSushi/toml"), "github.com/BurntSushi/toml");
        assert_eq!(normalize(Some(K::Maven), "org.Foo:Bar"), "org.Foo:Bar");
        assert_eq!(normalize(Some(K::CratesIo), "Inflector"), "Inflector");
        assert_eq!(normalize(None, "Whatever"), "Whatever");
    }

    #[test]
    fn swift_urls_meet() {
        for a in [
            "https://github.com/Apple/swift-nio.git",
            "github.com/apple/swift-nio/",
            "ssh://git@github.com/apple/swift-nio",
        ] {
            assert_eq!(normalize(Some(K::SwiftUrl), a), "github.com/apple/swift-nio", "{a}");
        }
    }
}

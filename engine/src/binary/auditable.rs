//! Rust binaries built with `cargo auditable`: the dependency list it embeds, zlib-compressed
//! JSON in a `.dep-v0` section (ELF, Mach-O, PE), read with the `auditable-info` crate under its
//! size limits. Every crate compiled into the binary becomes a `pkg:cargo/…` package; build-time
//! dependencies (build scripts, proc macros) are recorded too, in the `dev` scope, since they are
//! not in the binary.

use crate::catalog::Catalog;
use crate::inventory::{Ecosystem, Location, Package, Scope, Source};
use auditable_serde::{DependencyKind, Source as CrateSource, VersionInfo};

/// The section cargo-auditable writes; a binary without these bytes has no audit data.
const SECTION: &[u8] = b".dep-v0";
/// The JSON's largest decompressed size (auditable-info's default; real lists are a few KiB).
const MAX_JSON: usize = 8 * 1024 * 1024;
/// What cargo-auditable does not record, said where a URL would go.
const NOT_RECORDED: &str = "not recorded by cargo-auditable";

/// Reads the audit data of a binary: `None` when it carries none, `Some(Err(reason))` when it
/// carries some Cairn cannot read.
pub fn read(bytes: &[u8]) -> Option<Result<VersionInfo, String>> {
    if !bytes.windows(SECTION.len()).any(|w| w == SECTION) {
        return None;
    }
    match auditable_info::audit_info_from_slice(bytes, MAX_JSON) {
        Ok(info) => Some(Ok(info)),
        Err(auditable_info::Error::NoAuditData) => None,
        Err(e) => Some(Err(format!("cargo-auditable data not read: {e}"))),
    }
}

/// The crates of a binary at `path`, with the dependency edges the data records.
pub fn catalog(path: &str, info: &VersionInfo) -> Catalog {
    let mut out = Catalog::default();
    let direct: Vec<usize> =
        info.packages.iter().filter(|p| p.root).flat_map(|p| p.dependencies.iter().copied()).collect();
    let purls: Vec<Option<String>> = info
        .packages
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let source = match &c.source {
                CrateSource::CratesIo => Source::Registry,
                // The binary's own crate, or a path dependency: not from the registry.
                CrateSource::Local => Source::Local { path: path.to_owned() },
                CrateSource::Git => Source::Git { url: NOT_RECORDED.to_owned(), rev: None },
                CrateSource::Registry => Source::AltRegistry { url: NOT_RECORDED.to_owned() },
                other => Source::AltRegistry { url: String::from(other.clone()) },
            };
            let scope = match c.kind {
                DependencyKind::Build => Scope::Dev,
                DependencyKind::Runtime => Scope::Required,
            };
            let p = Package::new(Ecosystem::Cargo, &c.name, c.version.to_string(), Location::new(path, None))
                .map(|p| Package { source, scope, ..p.direct(c.root || direct.contains(&i)) });
            out.push(path, p).map(|p| p.purl.clone())
        })
        .collect();
    for (i, c) in info.packages.iter().enumerate() {
        for &d in &c.dependencies {
            if let (Some(Some(from)), Some(Some(to))) = (purls.get(i), purls.get(d)) {
                out.edge(from.clone(), to.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_without_the_section_are_not_rust_binaries() {
        assert!(read(b"\x7fELF plain binary").is_none());
    }

    #[test]
    fn a_section_name_without_readable_data_is_a_reason_not_a_panic() {
        // The name is there but this is no executable format auditable-extract knows.
        let r = read(b"\x7fELF\x02\x01\x01 .dep-v0 garbage");
        assert!(matches!(r, None | Some(Err(_))), "{r:?}");
    }

    #[test]
    fn crates_edges_and_scopes() {
        let info: VersionInfo = serde_json::from_str(
            r#"{"packages":[
                {"name":"demo","version":"0.1.0","source":"local","dependencies":[1],"root":true},
                {"name":"itoa","version":"1.0.15","source":"crates.io"},
                {"name":"cc","version":"1.2.0","source":"crates.io","kind":"build"}]}"#,
        )
        .expect("json");
        let c = catalog("usr/bin/demo", &info);
        let got: Vec<(&str, Scope, Option<bool>, bool)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.scope, p.direct, p.source.is_local())).collect();
        assert_eq!(
            got,
            [
                ("pkg:cargo/demo@0.1.0", Scope::Required, Some(true), true),
                ("pkg:cargo/itoa@1.0.15", Scope::Required, Some(true), false),
                ("pkg:cargo/cc@1.2.0", Scope::Dev, Some(false), false),
            ]
        );
        assert_eq!(c.edges.len(), 1);
        assert_eq!(
            (c.edges[0].from.as_str(), c.edges[0].to.as_str()),
            ("pkg:cargo/demo@0.1.0", "pkg:cargo/itoa@1.0.15")
        );
    }
}

//! rpm's database. The SQLite form (`rpmdb.sqlite`, rpm 4.16+: Fedora 33+, RHEL/UBI 9,
//! CBL-Mariner 2) is read: its `Packages` table holds one header blob per installed package
//! ([`header`]). The ndb (`Packages.db`) and BerkeleyDB (`Packages`) forms get a warning naming
//! the format, so those images' rpm packages are known to be missing rather than silently absent.
//!
//! Purls follow the purl spec and syft/trivy: `pkg:rpm/<os-release ID>/<name>@<version>-<release>`
//! with `arch`, `epoch`, `distro` and `upstream` (the source rpm) qualifiers.
//!
//! Each package carries what advisories call it ([`DistroPackage`]): the distribution's OSV
//! ecosystem ([`OsRelease::rpm_ecosystem`]), the name its advisories use — the binary package for
//! AlmaLinux, Rocky Linux and openSUSE (their records list every binary rpm an update ships), the
//! source package for Azure Linux (its data names source packages only, as trivy notes) — and
//! `[epoch:]version-release`.

pub mod header;

use super::OsRelease;
use crate::catalog::Catalog;
use crate::inventory::{Diagnostic, DistroPackage, Ecosystem, Location, Package, purl};
use crate::tree::Tree;
use crate::vuln::version::{KnownEcosystem, OsvEcosystem};
use header::RpmPackage;
use rusqlite::Connection;
use std::collections::BTreeSet;

/// Where rpm keeps its SQLite database (the second is rpm 4.17+'s `/usr/lib/sysimage`).
pub const SQLITE: [&str; 2] = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"];

/// rpm databases Cairn does not read, and their format.
pub const UNREAD: [(&str, &str); 3] = [
    ("var/lib/rpm/Packages.db", "ndb (Packages.db)"),
    ("usr/lib/sysimage/rpm/Packages.db", "ndb (Packages.db)"),
    ("var/lib/rpm/Packages", "BerkeleyDB (Packages)"),
];

/// More rows than any distribution installs: past it the database is not believed.
const MAX_PACKAGES: usize = 200_000;

/// True for the rpm database files the image scan keeps.
pub fn wanted(path: &str) -> bool {
    SQLITE.contains(&path)
}

/// A warning for each rpm database present in a format Cairn does not read.
pub fn diagnostics(present: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
    UNREAD
        .iter()
        .filter(|(path, _)| present(path))
        .map(|(path, format)| {
            Diagnostic::warning(
                *path,
                None,
                format!("rpm database in the {format} format: Cairn reads only rpmdb.sqlite, so this image's RPM packages are not inventoried"),
            )
        })
        .collect()
}

/// The distribution namespace of rpm purls: os-release's `ID`, with RHEL as the purl spec and
/// syft spell it.
fn vendor(os: Option<&OsRelease>) -> Option<String> {
    let id = os.map(|o| o.id.as_str()).filter(|id| !id.is_empty())?;
    Some(if id == "rhel" { "redhat".to_owned() } else { id.to_owned() })
}

/// Reads the SQLite rpm database at `path` (one of [`SQLITE`]); returns the packages and the
/// paths they own (relative to the image root).
pub fn catalog(tree: &dyn Tree, path: &str, os: Option<&OsRelease>) -> (Catalog, BTreeSet<String>) {
    let mut out = Catalog::default();
    let mut owned = BTreeSet::new();
    let rows = match tree.read_bytes(path).map_err(|e| e.to_string()).and_then(read_rows) {
        Ok(rows) => rows,
        Err(e) => {
            out.diagnostics.push(Diagnostic::error(path, None, format!("rpm database not read: {e}")));
            return (out, owned);
        }
    };
    let vendor = vendor(os);
    let distro = os.and_then(OsRelease::distro_qualifier).unwrap_or_default();
    let ecosystem = os.and_then(OsRelease::rpm_ecosystem);
    for (hnum, blob) in rows {
        let p = match RpmPackage::from_blob(&blob) {
            Ok(p) => p,
            Err(e) => {
                out.diagnostics.push(Diagnostic::warning(path, None, format!("package {hnum}: {e}")));
                continue;
            }
        };
        // Imported signing keys are recorded as `gpg-pubkey` pseudo-packages: keys, not software.
        if p.name == "gpg-pubkey" {
            continue;
        }
        match &p.files {
            Ok(files) => owned.extend(
                files.iter().map(|f| f.trim_start_matches('/').to_owned()).filter(|f| !f.is_empty()),
            ),
            Err(e) => out.diagnostics.push(Diagnostic::warning(
                path,
                None,
                format!("{}: its file list was not read ({e}), so its files may be counted again by language catalogers", p.name),
            )),
        }
        let package = package(&p, path, vendor.as_deref(), &distro).map(|mut pkg| {
            pkg.distro = ecosystem.as_ref().map(|e| advisory_view(&p, e, &pkg.version));
            pkg
        });
        out.push(path, package);
    }
    (out, owned)
}

/// The header blobs of the `Packages` table, by `hnum`.
fn read_rows(mut bytes: Vec<u8>) -> Result<Vec<(i64, Vec<u8>)>, String> {
    // rpm keeps its database in WAL mode; the copy is read alone (rpm checkpoints it), and an
    // in-memory database must not ask for a -wal file: the header's read/write versions (bytes
    // 18 and 19) say "legacy journal" instead.
    if bytes.len() > 19 && bytes.starts_with(b"SQLite format 3\0") && bytes[18] == 2 && bytes[19] == 2 {
        bytes[18] = 1;
        bytes[19] = 1;
    }
    let mut db = Connection::open_in_memory().map_err(|e| e.to_string())?;
    let len = bytes.len();
    db.deserialize_read_exact("main", &bytes[..], len, true).map_err(|e| e.to_string())?;
    let mut stmt = db.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum").map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for row in rows {
        if out.len() == MAX_PACKAGES {
            return Err(format!("over {MAX_PACKAGES} packages"));
        }
        out.push(row.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// The package as `ecosystem`'s advisories name it: source or binary name, and its EVR.
fn advisory_view(p: &RpmPackage, ecosystem: &str, evr: &str) -> DistroPackage {
    let by_source = OsvEcosystem::parse(ecosystem).known() == Some(KnownEcosystem::AzureLinux);
    let source = match p.source_rpm.as_deref().and_then(source_name) {
        Some(s) if by_source => s.to_owned(),
        _ => p.name.clone(),
    };
    DistroPackage { release: ecosystem.to_owned(), source, source_version: evr.to_owned() }
}

/// The package name of a source rpm's file name: `curl` of `curl-7.76.0-6.cm2.src.rpm`
/// (`NAME-VERSION-RELEASE.ARCH.rpm`; names may hold `-`, versions and releases may not).
pub fn source_name(file: &str) -> Option<&str> {
    let (nvr, _arch) = file.strip_suffix(".rpm")?.rsplit_once('.')?;
    let (nv, _release) = nvr.rsplit_once('-')?;
    let (name, _version) = nv.rsplit_once('-')?;
    (!name.is_empty()).then_some(name)
}

/// The inventory package of one rpm: version `[epoch:]version-release`, as rpm orders them.
fn package(
    p: &RpmPackage,
    db: &str,
    vendor: Option<&str>,
    distro: &str,
) -> Result<Package, crate::inventory::PurlError> {
    let vr = format!("{}-{}", p.version, p.release);
    let version = match p.epoch {
        Some(e) => format!("{e}:{vr}"),
        None => vr.clone(),
    };
    let location = Location::new(db, None);
    let mut pkg = Package::new(Ecosystem::Rpm, &p.name, &version, location.clone())?;
    let named = match vendor {
        Some(v) => format!("{v}/{}", p.name),
        None => p.name.clone(),
    };
    let epoch = p.epoch.map(|e| e.to_string()).unwrap_or_default();
    pkg.purl = purl(
        Ecosystem::Rpm,
        &named,
        &vr,
        &[
            ("arch", p.arch.as_deref().unwrap_or_default()),
            ("epoch", &epoch),
            ("distro", distro),
            ("upstream", p.source_rpm.as_deref().unwrap_or_default()),
        ],
    )?;
    Ok(match p.license.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => pkg.license(l, location),
        None => pkg,
    })
}

#[cfg(test)]
mod tests {
    use super::source_name;

    #[test]
    fn source_rpm_file_names_give_the_source_package() {
        for (file, want) in [
            ("curl-7.76.0-6.cm2.src.rpm", Some("curl")),
            ("mariner-repos-2.0-4.cm2.src.rpm", Some("mariner-repos")),
            ("python3.12-lxml-4.9.3-2.el9_8.1.src.rpm", Some("python3.12-lxml")),
            ("kernel-5.15.55.1-1.cm2.nosrc.rpm", Some("kernel")),
            ("curl-7.76.0.src.rpm", None),
            ("curl", None),
            ("-1-2.src.rpm", None),
        ] {
            assert_eq!(source_name(file), want, "{file}");
        }
    }
}

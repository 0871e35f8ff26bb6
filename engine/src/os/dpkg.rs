//! dpkg's database: `/var/lib/dpkg/status` (installed packages, one paragraph each) and the
//! distroless form, one file per package under `/var/lib/dpkg/status.d/`; the files each package
//! owns from `info/<name>[:<arch>].list` (or distroless `status.d/<name>.md5sums`).

use super::Distro;
use crate::catalog::Catalog;
use crate::inventory::{DistroPackage, Location, Package, purl};
use crate::tree::Tree;
use std::collections::BTreeSet;

/// The status file.
pub const STATUS: &str = "var/lib/dpkg/status";
/// Distroless images' per-package status files.
pub const STATUS_D: &str = "var/lib/dpkg/status.d/";
/// Where the file lists are.
pub const INFO: &str = "var/lib/dpkg/info/";

/// True for the dpkg database files the image scan keeps.
pub fn wanted(path: &str) -> bool {
    path == STATUS || path.starts_with(STATUS_D) || (path.starts_with(INFO) && path.ends_with(".list"))
}

/// One paragraph's fields (continuation lines dropped; Cairn reads only single-line fields).
fn paragraphs(text: &str) -> Vec<(u32, Vec<(&str, &str)>)> {
    let mut out = Vec::new();
    let mut current: Vec<(&str, &str)> = Vec::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push((start, std::mem::take(&mut current)));
            }
            start = n + 1;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            current.push((k.trim(), v.trim()));
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// Reads dpkg's database among `paths` (the image's dpkg files); returns the packages and every
/// path the packages own.
pub fn catalog(tree: &dyn Tree, paths: &[String], distro: &Distro) -> (Catalog, BTreeSet<String>) {
    let mut out = Catalog::default();
    let mut owned = BTreeSet::new();
    let status_files: Vec<&String> = paths
        .iter()
        .filter(|p| *p == STATUS || (p.starts_with(STATUS_D) && !p.ends_with(".md5sums")))
        .collect();
    for file in status_files {
        let text = match tree.read(file) {
            Ok(t) => t,
            Err(e) => {
                out.diagnostics.push(crate::inventory::Diagnostic::error(file.as_str(), None, e.to_string()));
                continue;
            }
        };
        for (line, fields) in paragraphs(&text) {
            let get = |k: &str| fields.iter().find(|(f, _)| f.eq_ignore_ascii_case(k)).map(|(_, v)| *v);
            let Some(name) = get("Package") else { continue };
            // `Status: install ok installed`; distroless status.d files carry no Status.
            if get("Status").is_some_and(|s| !s.ends_with(" installed")) {
                continue;
            }
            let version = get("Version").unwrap_or_default();
            let arch = get("Architecture").unwrap_or_default();
            let (source, source_version) = match get("Source") {
                Some(s) => match s.split_once(' ') {
                    Some((n, v)) => (n, v.trim_matches(|c| c == '(' || c == ')').trim()),
                    None => (s, version),
                },
                None => (name, version),
            };
            let package = distro_package(
                distro,
                name,
                version,
                arch,
                source,
                source_version,
                Location::new(file.as_str(), Some(line)),
            );
            out.push(file, package);
            let lists = [
                format!("{INFO}{name}:{arch}.list"),
                format!("{INFO}{name}.list"),
                format!("{STATUS_D}{name}.md5sums"),
            ];
            for list in lists.iter().filter(|l| paths.contains(l)) {
                if let Ok(text) = tree.read(list) {
                    for l in text.lines() {
                        // `.list` lines are paths; `.md5sums` lines are `<md5>  <path>`.
                        let p = l.rsplit("  ").next().unwrap_or(l).trim().trim_start_matches('/');
                        if !p.is_empty() && p != "." {
                            owned.insert(p.to_owned());
                        }
                    }
                }
            }
        }
    }
    (out, owned)
}

/// A distribution package with its purl qualifiers (`arch`, `distro`, `upstream`).
pub(super) fn distro_package(
    distro: &Distro,
    name: &str,
    version: &str,
    arch: &str,
    source: &str,
    source_version: &str,
    location: Location,
) -> Result<Package, crate::inventory::PurlError> {
    let mut p = Package::new(distro.ecosystem, name, version, location)?;
    let upstream = match (source != name, source_version != version) {
        (_, true) => format!("{source}@{source_version}"),
        (true, false) => source.to_owned(),
        (false, false) => String::new(),
    };
    let distro_q = distro.qualifier.clone().unwrap_or_default();
    p.purl = purl(
        distro.ecosystem,
        name,
        version,
        &[("arch", arch), ("distro", &distro_q), ("upstream", &upstream)],
    )?;
    p.distro = distro.release.as_ref().map(|release| DistroPackage {
        release: release.clone(),
        source: source.to_owned(),
        source_version: source_version.to_owned(),
    });
    Ok(p)
}

//! apk's database, `/lib/apk/db/installed`: one paragraph per package of one-letter fields
//! (`P` name, `V` version, `A` arch, `o` origin, `L` license, `F` directory, `R` file in it).

use super::Distro;
use super::dpkg::distro_package;
use crate::catalog::Catalog;
use crate::inventory::{Diagnostic, Location};
use crate::tree::Tree;
use std::collections::BTreeSet;

/// The database.
pub const INSTALLED: &str = "lib/apk/db/installed";

/// Reads the apk database; returns the packages and the paths they own.
pub fn catalog(tree: &dyn Tree, distro: &Distro) -> (Catalog, BTreeSet<String>) {
    let mut out = Catalog::default();
    let mut owned = BTreeSet::new();
    let text = match tree.read(INSTALLED) {
        Ok(t) => t,
        Err(e) => {
            out.diagnostics.push(Diagnostic::error(INSTALLED, None, e.to_string()));
            return (out, owned);
        }
    };
    let mut fields: Vec<(char, &str)> = Vec::new();
    let mut start = 1u32;
    let lines: Vec<&str> = text.lines().chain(std::iter::once("")).collect();
    for (i, line) in lines.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if !line.trim().is_empty() {
            let mut chars = line.chars();
            if let (Some(k), Some(':')) = (chars.next(), chars.next()) {
                fields.push((k, &line[2..]));
            }
            continue;
        }
        if fields.is_empty() {
            start = n + 1;
            continue;
        }
        let get = |k: char| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| *v);
        if let Some(name) = get('P') {
            let version = get('V').unwrap_or_default();
            let origin = get('o').unwrap_or(name);
            let package = distro_package(
                distro,
                name,
                version,
                get('A').unwrap_or_default(),
                origin,
                version,
                Location::new(INSTALLED, Some(start)),
            )
            .map(|p| match get('L') {
                Some(l) => p.license(l, Location::new(INSTALLED, Some(start))),
                None => p,
            });
            out.push(INSTALLED, package);
            let mut dir = "";
            for (k, v) in &fields {
                match k {
                    'F' => dir = v,
                    'R' if dir.is_empty() => {
                        owned.insert((*v).to_owned());
                    }
                    'R' => {
                        owned.insert(format!("{dir}/{v}"));
                    }
                    _ => {}
                }
            }
        }
        fields.clear();
        start = n + 1;
    }
    (out, owned)
}

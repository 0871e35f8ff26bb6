//! rpm databases. Cairn has no reader for them yet: an image holding one gets a diagnostic naming
//! the format, so its RPM packages are known to be missing rather than silently absent.

use crate::inventory::Diagnostic;

/// rpm database files and the format each is in.
pub const DATABASES: [(&str, &str); 4] = [
    ("var/lib/rpm/rpmdb.sqlite", "SQLite (rpmdb.sqlite)"),
    ("usr/lib/sysimage/rpm/rpmdb.sqlite", "SQLite (rpmdb.sqlite)"),
    ("var/lib/rpm/Packages.db", "ndb (Packages.db)"),
    ("var/lib/rpm/Packages", "BerkeleyDB (Packages)"),
];

/// A warning for each rpm database present.
pub fn diagnostics(present: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
    DATABASES
        .iter()
        .filter(|(path, _)| present(path))
        .map(|(path, format)| {
            Diagnostic::warning(
                *path,
                None,
                format!("rpm database in the {format} format: Cairn does not read it yet, so this image's RPM packages are not inventoried"),
            )
        })
        .collect()
}

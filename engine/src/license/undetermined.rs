//! Why a component's license is not determined: which of its files were looked at and said nothing.
//! Unknown is never read as proprietary; the reason tells a reviewer where to look next.

use crate::inventory::Component;
use crate::tree::file_name;

/// What a file of this name can say about a package's license, when it said nothing.
fn silence(file: &str) -> &'static str {
    let lower = file.to_ascii_lowercase();
    match file {
        "Cargo.lock" | "go.mod" | "go.sum" | "poetry.lock" | "uv.lock" | "pdm.lock" | "Pipfile.lock"
        | "yarn.lock" | "pnpm-lock.yaml" | "Gemfile.lock" | "gradle.lockfile" | "pubspec.lock"
        | "mix.lock" | "Package.resolved" | "conan.lock" | "packages.lock.json" => {
            "the lockfile carries no license data"
        }
        "pyproject.toml" | "Cargo.toml" | "package.json" => {
            "the manifest declares a requirement, not the package's license"
        }
        _ if lower.ends_with(".txt") || lower.ends_with(".in") => {
            "a requirements file carries no license data"
        }
        _ => "no license is stated there",
    }
}

/// The reason a component without a conclusion has none, from the files that declared it.
pub(crate) fn reason(c: &Component) -> String {
    let mut files: Vec<&str> = c.locations.iter().map(|l| file_name(&l.path)).collect();
    files.sort_unstable();
    files.dedup();
    let said: Vec<String> = files.iter().map(|f| format!("{f}: {}", silence(f))).collect();
    let said = if said.is_empty() { "no file states a license".to_owned() } else { said.join("; ") };
    format!("{said}; no license file of the package was found on disk")
}

/// Sets or clears `c.licenses.not_determined` to match its conclusion.
pub(crate) fn explain(c: &mut Component) {
    c.licenses.not_determined = c.licenses.concluded.is_none().then(|| reason(c));
}

#[cfg(test)]
mod tests {
    use crate::inventory::{Ecosystem, Inventory, Location, Package};

    #[test]
    fn a_lockfile_without_license_data_says_so() {
        let p = Package::new(Ecosystem::Cargo, "serde", "1.0.0", Location::new("app/Cargo.lock", Some(3)))
            .expect("p");
        let inv = Inventory::assemble([p], [], Vec::new(), Vec::new());
        let c = &inv.components[0];
        assert_eq!(
            c.licenses.not_determined.as_deref(),
            Some(
                "Cargo.lock: the lockfile carries no license data; no license file of the package was found on disk"
            )
        );
        assert!(c.licenses.categories.is_empty(), "not determined is no category");
        let declared = Package::new(Ecosystem::Npm, "a", "1.0.0", Location::new("package-lock.json", None))
            .expect("p")
            .license("MIT", Location::new("package-lock.json", Some(9)));
        let inv = Inventory::assemble([declared], [], Vec::new(), Vec::new());
        assert_eq!(inv.components[0].licenses.not_determined, None);
    }
}

//! Installed Python distributions: `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`.
//!
//! The core metadata is RFC 822 style headers (`Name:`, `Version:`, continuation lines indented)
//! ending at the first blank line; the body after it is the README and is never read. Whether an
//! installed distribution is direct or transitive is not recorded there.

use super::lines::numbered_lines;
use super::{Catalog, Cataloger};
use crate::inventory::{Ecosystem, Location, Package};
use crate::tree::{Tree, file_name, parent};

/// Reads installed distribution metadata.
pub struct PythonMetadata;

impl Cataloger for PythonMetadata {
    fn name(&self) -> &'static str {
        "python-installed-metadata"
    }

    fn wants(&self, rel: &str) -> bool {
        let dir = file_name(parent(rel));
        match file_name(rel) {
            "METADATA" => dir.ends_with(".dist-info") && dir.len() > ".dist-info".len(),
            "PKG-INFO" => dir.ends_with(".egg-info") && dir.len() > ".egg-info".len(),
            _ => false,
        }
    }

    fn catalog(&self, rel: &str, text: &str, _tree: &dyn Tree) -> Catalog {
        let mut name: Option<(&str, u32)> = None;
        let mut version: Option<&str> = None;
        // License-Expression (PEP 639) wins; else the free-text License; else license classifiers.
        let mut expression: Option<(&str, u32)> = None;
        let mut license: Option<(&str, u32)> = None;
        let mut classifiers: Vec<(&str, u32)> = Vec::new();
        for (n, line) in numbered_lines(text) {
            if line.trim().is_empty() {
                break; // the body (README) starts here
            }
            let Some((key, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            if key.eq_ignore_ascii_case("Name") && name.is_none() {
                name = Some((value, n));
            } else if key.eq_ignore_ascii_case("Version") && version.is_none() {
                version = Some(value);
            } else if key.eq_ignore_ascii_case("License-Expression") && expression.is_none() {
                expression = Some((value, n));
            } else if key.eq_ignore_ascii_case("License") && license.is_none() {
                // Some distributions put the whole license text here, one continuation line after
                // another; only the first line is taken, the rest is the license file's business.
                license =
                    Some((value, n)).filter(|(v, _)| !v.is_empty() && !v.eq_ignore_ascii_case("UNKNOWN"));
            } else if key.eq_ignore_ascii_case("Classifier") && value.starts_with("License ::") {
                classifiers.push((value, n));
            }
        }
        match (name, version) {
            (Some((name, line)), Some(version)) if !name.is_empty() && !version.is_empty() => {
                let declared: Vec<(&str, u32)> = match (expression, license) {
                    (Some(e), _) => vec![e],
                    (None, Some(l)) => vec![l],
                    // "License :: OSI Approved" alone names no license.
                    (None, None) => {
                        classifiers.into_iter().filter(|(c, _)| c.matches("::").count() >= 2).collect()
                    }
                };
                let pkg =
                    Package::new(Ecosystem::PyPI, name, version, Location::new(rel, Some(line))).map(|p| {
                        declared.iter().fold(p, |p, (raw, n)| p.license(raw, Location::new(rel, Some(*n))))
                    });
                let mut out = Catalog::default();
                out.push(rel, pkg);
                out
            }
            _ if text.trim().is_empty() => Catalog::failed(rel, None, "empty distribution metadata"),
            _ => Catalog::failed(rel, None, "distribution metadata without a Name and a Version header"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    fn run(text: &str) -> Catalog {
        PythonMetadata.catalog("lib/site-packages/foo-1.0.dist-info/METADATA", text, &MemTree::new())
    }

    #[test]
    fn wants_only_metadata_in_distribution_dirs() {
        assert!(PythonMetadata.wants("site-packages/foo-1.0.dist-info/METADATA"));
        assert!(PythonMetadata.wants("src/foo.egg-info/PKG-INFO"));
        assert!(!PythonMetadata.wants("foo/METADATA"));
        assert!(!PythonMetadata.wants(".dist-info/METADATA"));
        assert!(!PythonMetadata.wants("foo.dist-info/PKG-INFO"));
        assert!(!PythonMetadata.wants("PKG-INFO"));
    }

    #[test]
    fn headers_until_the_first_blank_line() {
        let c = run(
            "Metadata-Version: 2.1\r\nName: Foo_Bar.baz\r\nVersion: 1.0rc1+local\r\nSummary: x\r\n\r\nName: other\r\nVersion: 9\r\n",
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.packages[0].purl, "pkg:pypi/foo-bar.baz@1.0rc1%2Blocal");
        assert_eq!(c.packages[0].location.line, Some(2));
        assert_eq!(c.packages[0].direct, None);
    }

    #[test]
    fn declared_licenses_by_precedence() {
        let lic = |text: &str| -> Vec<String> {
            run(text).packages[0].licenses.iter().map(|l| l.raw.clone()).collect()
        };
        let head = "Name: foo\nVersion: 1\n";
        assert_eq!(lic(&format!("{head}License: BSD\nLicense-Expression: MIT\n")), ["MIT"]);
        assert_eq!(
            lic(&format!("{head}License: Apache 2.0\nClassifier: License :: OSI Approved :: MIT License\n")),
            ["Apache 2.0"]
        );
        assert_eq!(
            lic(&format!(
                "{head}License: UNKNOWN\nClassifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: MIT License\n"
            )),
            ["License :: OSI Approved :: MIT License"]
        );
        assert!(lic(head).is_empty());
    }

    #[test]
    fn broken_and_empty_files() {
        assert_eq!(run("").diagnostics.len(), 1);
        let c = run("Metadata-Version: 2.1\nName: foo\nVer");
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        let c = run("Name: foo\n\nVersion: 1\n");
        assert!(c.packages.is_empty() && c.diagnostics.len() == 1);
        let c = run("Name: \nVersion: 1\n");
        assert!(c.packages.is_empty() && c.diagnostics.len() == 1);
    }
}

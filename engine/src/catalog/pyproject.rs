//! `pyproject.toml` without a lockfile: the declared dependencies (PEP 621 `[project]` dependencies
//! and optional dependencies, PEP 735 `[dependency-groups]`, Poetry's `[tool.poetry]` dependencies,
//! dev-dependencies and groups) as direct components with their requirements.
//!
//! A `poetry.lock`, `uv.lock`, `pdm.lock` or `Pipfile.lock` beside the manifest (or
//! above it: a uv workspace's lockfile is at its root) wins: its cataloger reports the pinned
//! versions and this one reports nothing.

use super::python_common::{exact_pin, split_name};
use super::unlocked::{covering_lock, in_dependency_dir, no_lockfile};
use super::{Catalog, Cataloger};
use crate::inventory::{Ecosystem, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name};
use toml::Value;

/// Reads `pyproject.toml` files no lockfile covers.
pub struct Pyproject;

const LOCKS: &[&str] = &["poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"];

/// The 1-based line of the first line of `text` containing `needle`.
pub(super) fn line_containing(text: &str, needle: &str) -> Option<u32> {
    text.lines().position(|l| l.contains(needle)).and_then(|i| u32::try_from(i + 1).ok())
}

fn group_scope(group: &str) -> Scope {
    match group.to_ascii_lowercase().as_str() {
        "test" | "tests" | "testing" => Scope::Test,
        _ => Scope::Dev,
    }
}

struct Reader<'a> {
    rel: &'a str,
    text: &'a str,
    out: Catalog,
    declared: usize,
}

impl Reader<'_> {
    fn package(&mut self, name: &str, needle: &str, version: &str, requirement: &str) -> Option<Package> {
        let location = Location::new(self.rel, line_containing(self.text, needle));
        match Package::new(Ecosystem::PyPI, name, version, location) {
            Ok(p) => Some(p.direct(true).constraint(requirement)),
            Err(e) => {
                self.out.diagnostics.push(crate::inventory::Diagnostic::error(self.rel, None, e.to_string()));
                None
            }
        }
    }

    /// A PEP 508 requirement string (`name[extra] >= 1.0; marker`, `name @ https://…`).
    fn pep508(&mut self, req: &str, scope: Scope) {
        let Some((name, rest)) = split_name(req) else {
            self.out.diagnostics.push(crate::inventory::Diagnostic::warning(
                self.rel,
                line_containing(self.text, req),
                format!("requirement {req:?} does not start with a distribution name; ignored"),
            ));
            return;
        };
        if name.eq_ignore_ascii_case("python") {
            return;
        }
        self.declared += 1;
        let spec = rest.split(';').next().unwrap_or("").trim();
        let spec = match spec.strip_prefix('[') {
            Some(r) => r.split_once(']').map_or("", |(_, s)| s).trim(),
            None => spec,
        };
        let (version, source) = match spec.strip_prefix('@') {
            Some(url) => ("", Some(Source::Url { url: url.trim().to_string() })),
            None => (exact_pin(rest).unwrap_or(""), None),
        };
        let requirement = if source.is_some() { "" } else { spec };
        let Some(mut p) = self.package(name, req, version, requirement) else { return };
        p = p.scope(scope);
        if let Some(source) = source {
            match p.source(source) {
                Ok(s) => p = s,
                Err(e) => {
                    self.out.diagnostics.push(crate::inventory::Diagnostic::error(
                        self.rel,
                        None,
                        e.to_string(),
                    ));
                    return;
                }
            }
        }
        self.out.packages.push(p);
    }

    fn pep508_list(&mut self, list: Option<&Value>, scope: Scope) {
        for item in list.and_then(Value::as_array).into_iter().flatten() {
            // PEP 735 `{include-group = "…"}` entries repeat another group's requirements.
            if let Some(req) = item.as_str() {
                self.pep508(req, scope);
            }
        }
    }

    /// One entry of a Poetry dependency table: `name = "^1.2"`, `name = { version = …, optional = …,
    /// git | path | url = … }`, or an array of such tables (per-platform requirements).
    fn poetry(&mut self, name: &str, spec: &Value, scope: Scope) {
        if name.eq_ignore_ascii_case("python") {
            return;
        }
        self.declared += 1;
        let tables: Vec<&Value> = match spec {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        let mut requirements: Vec<&str> = Vec::new();
        let mut source = None;
        let mut optional = false;
        for t in &tables {
            match t {
                Value::String(s) => requirements.push(s),
                Value::Table(t) => {
                    if let Some(v) = t.get("version").and_then(Value::as_str) {
                        requirements.push(v);
                    }
                    optional |= t.get("optional").and_then(Value::as_bool).unwrap_or(false);
                    let text = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
                    if let Some(url) = text("git") {
                        let rev = text("rev").or_else(|| text("tag")).or_else(|| text("branch"));
                        source = Some(Source::Git { url, rev });
                    } else if let Some(path) = text("path") {
                        source = Some(Source::Local { path });
                    } else if let Some(url) = text("url") {
                        source = Some(Source::Url { url });
                    }
                }
                _ => {}
            }
        }
        let requirement = requirements.join(" || ");
        // Poetry reads a bare version (`1.2.3`) as exactly that version.
        let exact = match requirements.as_slice() {
            [one] => {
                let v = one.trim().strip_prefix("==").unwrap_or(one.trim()).trim();
                (!v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')).then_some(v)
            }
            _ => None,
        };
        let scope = if scope == Scope::Required && optional { Scope::Optional } else { scope };
        let needle = format!("{name} ");
        let Some(mut p) = self.package(name, &needle, exact.unwrap_or(""), &requirement) else { return };
        p = p.scope(scope);
        if let Some(source) = source {
            match p.source(source) {
                Ok(s) => p = s,
                Err(e) => {
                    self.out.diagnostics.push(crate::inventory::Diagnostic::error(
                        self.rel,
                        None,
                        e.to_string(),
                    ));
                    return;
                }
            }
        }
        self.out.packages.push(p);
    }

    fn poetry_table(&mut self, table: Option<&Value>, scope: Scope) {
        for (name, spec) in table.and_then(Value::as_table).into_iter().flatten() {
            self.poetry(name, spec, scope);
        }
    }
}

impl Cataloger for Pyproject {
    fn name(&self) -> &'static str {
        "pyproject"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "pyproject.toml" && !in_dependency_dir(rel)
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        if covering_lock(rel, tree, LOCKS, true).is_some() {
            return Catalog::default();
        }
        let doc: toml::Table = match toml::from_str(text) {
            Ok(d) => d,
            Err(e) => return Catalog::failed(rel, None, format!("not valid TOML: {}", e.message())),
        };
        let mut r = Reader { rel, text, out: Catalog::default(), declared: 0 };
        let project = doc.get("project");
        r.pep508_list(project.and_then(|p| p.get("dependencies")), Scope::Required);
        if let Some(extras) = project.and_then(|p| p.get("optional-dependencies")).and_then(Value::as_table) {
            for list in extras.values() {
                r.pep508_list(Some(list), Scope::Optional);
            }
        }
        if let Some(groups) = doc.get("dependency-groups").and_then(Value::as_table) {
            for (group, list) in groups {
                r.pep508_list(Some(list), group_scope(group));
            }
        }
        let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
        r.poetry_table(poetry.and_then(|p| p.get("dependencies")), Scope::Required);
        r.poetry_table(poetry.and_then(|p| p.get("dev-dependencies")), Scope::Dev);
        if let Some(groups) = poetry.and_then(|p| p.get("group")).and_then(Value::as_table) {
            for (group, body) in groups {
                r.poetry_table(body.get("dependencies"), group_scope(group));
            }
        }
        if r.declared > 0 {
            r.out.diagnostics.push(no_lockfile(rel, r.declared, LOCKS));
        }
        r.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    fn run(tree: &MemTree, rel: &str) -> Catalog {
        let text = tree.read(rel).expect("fixture");
        Pyproject.catalog(rel, &text, tree)
    }

    #[test]
    fn pep621_groups_and_poetry() {
        let text = r#"
[project]
name = "app"
dependencies = ["typing_extensions >= 4.0; python_version < '3.11'", "idna==3.7", "pkg @ https://example.com/pkg.whl"]
[project.optional-dependencies]
crypto = ["cryptography>=3.4.0"]
[dependency-groups]
tests = ["pytest>=8.4.2,<9.0.0", {include-group = "x"}]
[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.31"
exact = "1.2.3"
opt = { version = ">=1", optional = true }
gitdep = { git = "https://github.com/a/b", tag = "v1" }
[tool.poetry.group.dev.dependencies]
black = "*"
"#;
        let tree = MemTree::new().with("pyproject.toml", text);
        let c = run(&tree, "pyproject.toml");
        let got: Vec<(&str, &str, Option<&str>, Scope)> = c
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.constraint.as_deref(), p.scope))
            .collect();
        assert!(got.contains(&("typing_extensions", "", Some(">= 4.0"), Scope::Required)), "{got:?}");
        assert!(got.contains(&("idna", "3.7", Some("==3.7"), Scope::Required)));
        assert!(got.contains(&("pkg", "", None, Scope::Required)));
        assert!(got.contains(&("cryptography", "", Some(">=3.4.0"), Scope::Optional)));
        assert!(got.contains(&("pytest", "", Some(">=8.4.2,<9.0.0"), Scope::Test)));
        assert!(got.contains(&("requests", "", Some("^2.31"), Scope::Required)));
        assert!(got.contains(&("exact", "1.2.3", Some("1.2.3"), Scope::Required)));
        assert!(got.contains(&("opt", "", Some(">=1"), Scope::Optional)));
        assert!(got.contains(&("black", "", Some("*"), Scope::Dev)));
        assert_eq!(got.len(), 10, "python itself is not a dependency: {got:?}");
        assert!(c.packages.iter().all(|p| p.direct == Some(true)));
        let git = c.packages.iter().find(|p| p.name == "gitdep").expect("git");
        assert!(matches!(&git.source, Source::Git { rev: Some(r), .. } if r == "v1"));
        let url = c.packages.iter().find(|p| p.name == "pkg").expect("url");
        assert!(matches!(&url.source, Source::Url { .. }));
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
        assert!(c.diagnostics[0].message.contains("no lockfile"), "{:?}", c.diagnostics);
        assert!(c.diagnostics[0].message.contains("10 declared"), "{:?}", c.diagnostics);
        let idna = c.packages.iter().find(|p| p.name == "idna").expect("idna");
        assert_eq!(idna.location.line, Some(4));
    }

    #[test]
    fn a_lockfile_beside_or_above_wins() {
        let text = "[project]\nname = \"a\"\ndependencies = [\"idna>=3\"]\n";
        let beside = MemTree::new().with("p/pyproject.toml", text).with("p/uv.lock", "");
        assert_eq!(run(&beside, "p/pyproject.toml"), Catalog::default());
        let above = MemTree::new().with("p/pyproject.toml", text).with("poetry.lock", "");
        assert_eq!(run(&above, "p/pyproject.toml"), Catalog::default());
        assert!(!Pyproject.wants("venv/lib/site-packages/x/pyproject.toml"));
    }

    #[test]
    fn bad_toml_is_an_error_and_no_dependencies_no_warning() {
        let tree =
            MemTree::new().with("pyproject.toml", "[project\n").with("b/pyproject.toml", "[tool.black]\n");
        let c = run(&tree, "pyproject.toml");
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.packages.is_empty());
        assert_eq!(run(&tree, "b/pyproject.toml"), Catalog::default());
    }
}

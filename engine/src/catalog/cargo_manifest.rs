//! `Cargo.toml` without a `Cargo.lock`: the crate's `[dependencies]`, `[build-dependencies]` and
//! `[dev-dependencies]` (also per `[target.…]`) as direct components with their requirements;
//! `dep.workspace = true` takes the requirement from the workspace root's `[workspace.dependencies]`.
//!
//! A `Cargo.lock` beside the manifest or above it (a workspace's lockfile is at its root) wins: the
//! Cargo.lock cataloger reports the pinned versions and this one reports nothing.

use super::pyproject::line_containing;
use super::unlocked::{covering_lock, in_dependency_dir, no_lockfile};
use super::{Catalog, Cataloger};
use crate::inventory::{Ecosystem, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name, join, parent};
use toml::Value;

/// Reads `Cargo.toml` files no `Cargo.lock` covers.
pub struct CargoManifest;

const LOCKS: &[&str] = &["Cargo.lock"];

/// The version an `=x.y.z` requirement pins, else `None` (a bare `1.2.3` is `^1.2.3` in Cargo).
fn exact(req: &str) -> Option<&str> {
    let v = req.trim().strip_prefix('=')?.trim();
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    (parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
        .then_some(v)
}

/// `[workspace.dependencies]` of the nearest manifest at or above `rel` that declares a workspace.
fn workspace_deps(rel: &str, doc: &Value, tree: &dyn Tree) -> Option<Value> {
    if let Some(d) = doc.get("workspace").and_then(|w| w.get("dependencies")) {
        return Some(d.clone());
    }
    let mut dir = parent(rel);
    while !dir.is_empty() {
        dir = parent(dir);
        let Some(path) = join(dir, "Cargo.toml") else { continue };
        let Some(root) = tree.read(&path).ok().and_then(|t| toml::from_str::<Value>(&t).ok()) else {
            continue;
        };
        if let Some(w) = root.get("workspace") {
            return w.get("dependencies").cloned();
        }
    }
    None
}

impl Cataloger for CargoManifest {
    fn name(&self) -> &'static str {
        "cargo-toml"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "Cargo.toml" && !in_dependency_dir(rel)
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        if covering_lock(rel, tree, LOCKS, true).is_some() {
            return Catalog::default();
        }
        let doc: Value = match toml::from_str(text) {
            Ok(d) => d,
            Err(e) => return Catalog::failed(rel, None, format!("not valid TOML: {}", e.message())),
        };
        // A virtual manifest (`[workspace]` only) declares no dependencies of its own.
        if doc.get("package").is_none() {
            return Catalog::default();
        }
        let inherited = workspace_deps(rel, &doc, tree);
        let mut out = Catalog::default();
        let mut declared = 0;
        let mut tables: Vec<(&Value, Scope)> = Vec::new();
        let targets = doc.get("target").and_then(Value::as_table).into_iter().flat_map(|t| t.values());
        for t in std::iter::once(&doc).chain(targets) {
            for (key, scope) in [
                ("dependencies", Scope::Required),
                ("build-dependencies", Scope::Required),
                ("dev-dependencies", Scope::Dev),
            ] {
                if let Some(table) = t.get(key) {
                    tables.push((table, scope));
                }
            }
        }
        for (table, kind) in tables {
            for (key, spec) in table.as_table().into_iter().flatten() {
                declared += 1;
                let from_workspace = spec.get("workspace").and_then(Value::as_bool) == Some(true);
                let base =
                    if from_workspace { inherited.as_ref().and_then(|w| w.get(key)) } else { Some(spec) };
                fn text_of<'v>(v: Option<&'v Value>, k: &str) -> Option<&'v str> {
                    v.and_then(|v| v.get(k)).and_then(Value::as_str)
                }
                let requirement = match base {
                    Some(Value::String(s)) => Some(s.as_str()),
                    other => text_of(other, "version"),
                };
                let name = text_of(base, "package").or_else(|| text_of(Some(spec), "package")).unwrap_or(key);
                let optional = spec.get("optional").and_then(Value::as_bool).unwrap_or(false)
                    || base.and_then(|b| b.get("optional")).and_then(Value::as_bool).unwrap_or(false);
                let scope = if kind == Scope::Required && optional { Scope::Optional } else { kind };
                let source = if let Some(path) = text_of(base, "path") {
                    Some(Source::Local { path: path.to_string() })
                } else if let Some(url) = text_of(base, "git") {
                    let rev = text_of(base, "rev")
                        .or_else(|| text_of(base, "tag"))
                        .or_else(|| text_of(base, "branch"));
                    Some(Source::Git { url: url.to_string(), rev: rev.map(str::to_string) })
                } else {
                    text_of(base, "registry").map(|r| Source::AltRegistry { url: r.to_string() })
                };
                let location = Location::new(
                    rel,
                    line_containing(text, &format!("{key} ")).or_else(|| line_containing(text, key)),
                );
                let version = requirement.and_then(exact).unwrap_or("");
                let pkg = Package::new(Ecosystem::Cargo, name, version, location).and_then(|p| {
                    let p = p.direct(true).scope(scope).constraint(requirement.unwrap_or(""));
                    match source {
                        Some(s) => p.source(s),
                        None => Ok(p),
                    }
                });
                out.push(rel, pkg);
            }
        }
        if declared > 0 {
            out.diagnostics.push(no_lockfile(rel, declared, LOCKS));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    const MEMBER: &str = r#"[package]
name = "app"
version = "0.1.0"

[dependencies]
serde = { version = "1.0", features = ["derive"] }
ring = "=0.17.8"
tok = { package = "tokio", version = "1", optional = true }
local = { path = "../local" }
anyhow.workspace = true

[dev-dependencies]
insta = "1"

[target.'cfg(unix)'.build-dependencies]
cc = "1.1"
"#;

    #[test]
    fn declared_crates_with_requirements_and_workspace_inheritance() {
        let root = "[workspace]\nmembers = [\"app\"]\n[workspace.dependencies]\nanyhow = \"1.0.86\"\n";
        let tree = MemTree::new().with("Cargo.toml", root).with("app/Cargo.toml", MEMBER);
        let c = CargoManifest.catalog("app/Cargo.toml", MEMBER, &tree);
        let got: Vec<(&str, &str, Option<&str>, Scope)> = c
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.constraint.as_deref(), p.scope))
            .collect();
        assert!(got.contains(&("serde", "", Some("1.0"), Scope::Required)), "{got:?}");
        assert!(got.contains(&("ring", "0.17.8", Some("=0.17.8"), Scope::Required)));
        assert!(got.contains(&("tokio", "", Some("1"), Scope::Optional)));
        assert!(got.contains(&("anyhow", "", Some("1.0.86"), Scope::Required)));
        assert!(got.contains(&("insta", "", Some("1"), Scope::Dev)));
        assert!(got.contains(&("cc", "", Some("1.1"), Scope::Required)));
        assert!(c.packages.iter().find(|p| p.name == "local").is_some_and(|p| p.source.is_local()));
        assert_eq!(c.packages.len(), 7);
        assert_eq!(c.packages.iter().find(|p| p.name == "ring").and_then(|p| p.location.line), Some(7));
        assert!(c.diagnostics[0].message.contains("Cargo.lock"), "{:?}", c.diagnostics);
        // The virtual root declares nothing itself.
        assert_eq!(CargoManifest.catalog("Cargo.toml", root, &tree), Catalog::default());
    }

    #[test]
    fn a_cargo_lock_above_wins() {
        let tree = MemTree::new().with("Cargo.lock", "").with("app/Cargo.toml", MEMBER);
        assert_eq!(CargoManifest.catalog("app/Cargo.toml", MEMBER, &tree), Catalog::default());
        assert!(!CargoManifest.wants("target/package/x/Cargo.toml"));
    }
}

//! `Cargo.toml` of crates in the tree, consulted (not cataloged) to tell a workspace's dev-dependencies
//! from its normal ones (`Cargo.lock` records every dependency of a member without its kind) and to
//! read the `license` each crate in the tree declares (workspace members, vendored crates).

use crate::inventory::{Location, Scope};
use crate::tree::{Tree, file_name, parent};
use std::collections::HashMap;
use toml::Value;

/// What one crate's manifest says about its dependencies: crate name → the strongest scope any
/// declaration gives it (normal → required, optional → optional, build → required, dev → dev).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CrateManifest {
    pub name: String,
    /// `[package] version`, with `version.workspace = true` resolved when the root says it.
    pub version: Option<String>,
    /// `[package] license` as written, with `license.workspace = true` resolved, and its place.
    pub license: Option<(String, Location)>,
    pub deps: HashMap<String, Scope>,
}

/// A `[package]` field: its value, or inherited from `[workspace.package]`.
fn field(package: &Value, key: &str, workspace: Option<&Value>) -> Option<String> {
    match package.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Table(t) if t.get("workspace").and_then(Value::as_bool) == Some(true) => {
            workspace?.get(key)?.as_str().map(str::to_string)
        }
        _ => None,
    }
}

/// The 1-based line of `key = …` or `key.workspace = …` inside table `[table]` of a TOML text.
fn key_line(text: &str, table: &str, key: &str) -> Option<u32> {
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t.trim_start_matches('[').trim_end_matches(']').trim() == table;
            continue;
        }
        let Some(rest) = t.strip_prefix(key) else { continue };
        if inside && (rest.trim_start().starts_with('=') || rest.starts_with(".workspace")) {
            return u32::try_from(i + 1).ok();
        }
    }
    None
}

fn add_table(out: &mut HashMap<String, Scope>, table: Option<&Value>, kind: Scope) {
    let Some(table) = table.and_then(Value::as_table) else { return };
    for (key, spec) in table {
        // `foo = { package = "bar" }` depends on crate bar under the name foo.
        let name = spec.get("package").and_then(Value::as_str).unwrap_or(key);
        let optional = spec.get("optional").and_then(Value::as_bool).unwrap_or(false);
        let scope = if kind == Scope::Required && optional { Scope::Optional } else { kind };
        let slot = out.entry(name.to_string()).or_insert(scope);
        *slot = (*slot).min(scope);
    }
}

/// Parses a `Cargo.toml`; `None` when it is not TOML or declares no `[package]`.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Option<CrateManifest> {
    parse_at("Cargo.toml", text, None)
}

/// Parses the `Cargo.toml` at `rel`, inheriting from the workspace root's `[workspace.package]`.
fn parse_at(rel: &str, text: &str, workspace: Option<&Value>) -> Option<CrateManifest> {
    let doc: Value = toml::from_str(text).ok()?;
    let package = doc.get("package")?;
    let name = package.get("name")?.as_str()?.to_string();
    // A member's own [workspace.package] (a workspace root that is also a crate) counts too.
    let own = doc.get("workspace").and_then(|w| w.get("package"));
    let workspace = own.or(workspace);
    let version = field(package, "version", workspace);
    let license = field(package, "license", workspace)
        .map(|l| (l, Location::new(rel, key_line(text, "package", "license"))));
    let mut deps = HashMap::new();
    let mut scan = |t: &Value| {
        add_table(&mut deps, t.get("dependencies"), Scope::Required);
        add_table(&mut deps, t.get("build-dependencies"), Scope::Required);
        add_table(&mut deps, t.get("dev-dependencies"), Scope::Dev);
    };
    scan(&doc);
    if let Some(targets) = doc.get("target").and_then(Value::as_table) {
        targets.values().for_each(&mut scan);
    }
    Some(CrateManifest { name, version, license, deps })
}

/// The manifests of the crates at or below the directory of `lock` (a `Cargo.lock`), in path order.
pub(crate) fn manifests_under(lock: &str, tree: &dyn Tree) -> Vec<CrateManifest> {
    let dir = parent(lock);
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    // The workspace root sits beside the lockfile; its [workspace.package] is what members inherit.
    let root: Option<Value> =
        tree.read(&format!("{prefix}Cargo.toml")).ok().and_then(|t| toml::from_str(&t).ok());
    let workspace = root.as_ref().and_then(|r| r.get("workspace")).and_then(|w| w.get("package"));
    let mut out = Vec::new();
    for f in tree.files() {
        if file_name(f) != "Cargo.toml" || !f.starts_with(&prefix) {
            continue;
        }
        if let Some(m) = tree.read(f).ok().and_then(|text| parse_at(f, &text, workspace)) {
            out.push(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_renames_targets_and_optional() {
        let m = parse(
            r#"
[package]
name = "app"
[dependencies]
serde = "1"
tok = { package = "tokio", version = "1", optional = true }
[dev-dependencies]
serde = "1"
insta = "1"
[build-dependencies]
cc = "1"
[target.'cfg(unix)'.dev-dependencies]
nix = "0.29"
"#,
        )
        .expect("manifest");
        assert_eq!(m.name, "app");
        assert_eq!(m.deps.get("serde"), Some(&Scope::Required), "normal wins over dev");
        assert_eq!(m.deps.get("tokio"), Some(&Scope::Optional));
        assert_eq!(m.deps.get("insta"), Some(&Scope::Dev));
        assert_eq!(m.deps.get("cc"), Some(&Scope::Required));
        assert_eq!(m.deps.get("nix"), Some(&Scope::Dev));
        assert_eq!(parse("[workspace]\nmembers = []"), None);
        assert_eq!(m.license, None);
        assert_eq!(parse("not toml ["), None);
    }

    #[test]
    fn licenses_own_and_inherited() {
        let root = toml::from_str::<Value>(
            "[workspace.package]\nlicense = \"MIT OR Apache-2.0\"\nversion = \"1.2.0\"",
        )
        .expect("toml");
        let ws = root.get("workspace").and_then(|w| w.get("package"));
        let text = "[package]\nname = \"a\"\nversion.workspace = true\nlicense.workspace = true\n[dependencies]\nlicense = \"1\"\n";
        let m = parse_at("crates/a/Cargo.toml", text, ws).expect("manifest");
        assert_eq!(m.version.as_deref(), Some("1.2.0"));
        assert_eq!(
            m.license,
            Some(("MIT OR Apache-2.0".to_string(), Location::new("crates/a/Cargo.toml", Some(4))))
        );
        let own = parse_at(
            "v/b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\nlicense = \"Apache-2.0/MIT\"\n",
            ws,
        )
        .expect("manifest");
        assert_eq!(own.license.map(|l| l.0).as_deref(), Some("Apache-2.0/MIT"));
        let none =
            parse_at("c/Cargo.toml", "[package]\nname = \"c\"\nlicense.workspace = true\n", None).expect("m");
        assert_eq!(none.license, None, "nothing to inherit from");
    }
}

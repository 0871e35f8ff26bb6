//! `Cargo.toml` of crates in the tree, consulted (not cataloged) to tell a workspace's dev-dependencies
//! from its normal ones: `Cargo.lock` records every dependency of a member without its kind.

use crate::inventory::Scope;
use crate::tree::{Tree, file_name, parent};
use std::collections::HashMap;
use toml::Value;

/// What one crate's manifest says about its dependencies: crate name → the strongest scope any
/// declaration gives it (normal → required, optional → optional, build → required, dev → dev).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CrateManifest {
    pub name: String,
    pub deps: HashMap<String, Scope>,
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
pub(crate) fn parse(text: &str) -> Option<CrateManifest> {
    let doc: Value = toml::from_str(text).ok()?;
    let name = doc.get("package")?.get("name")?.as_str()?.to_string();
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
    Some(CrateManifest { name, deps })
}

/// The manifests of the crates at or below the directory of `lock` (a `Cargo.lock`), by crate name.
pub(crate) fn manifests_under(lock: &str, tree: &dyn Tree) -> HashMap<String, CrateManifest> {
    let dir = parent(lock);
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    let mut out = HashMap::new();
    for f in tree.files() {
        if file_name(f) != "Cargo.toml" || !f.starts_with(&prefix) {
            continue;
        }
        if let Some(m) = tree.read(f).ok().as_deref().and_then(parse) {
            out.entry(m.name.clone()).or_insert(m);
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
        assert_eq!(parse("not toml ["), None);
    }
}

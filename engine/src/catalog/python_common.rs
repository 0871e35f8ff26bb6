//! Helpers shared by the Python catalogers: PEP 503 name normalisation, PEP 508 requirement
//! names, `algo:hex` hashes, and the direct dependencies a sibling `pyproject.toml` or `Pipfile`
//! declares.

use crate::inventory::{Hash, Scope};
use crate::tree::{Tree, join, parent};
use std::collections::BTreeMap;

/// PEP 503 normalisation: lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// True for characters allowed in a PEP 508 distribution name.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Splits a PEP 508 requirement into its leading name and the rest (extras, specifiers, marker).
/// `None` when it does not start with a valid name (one starting and ending with a letter or digit).
pub fn split_name(req: &str) -> Option<(&str, &str)> {
    let req = req.trim_start();
    let end = req.find(|c: char| !is_name_char(c)).unwrap_or(req.len());
    let name = req.get(..end)?;
    let ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok(name.chars().next()) || !ok(name.chars().last()) {
        return None;
    }
    Some((name, req.get(end..).unwrap_or("")))
}

/// The pinned version of a PEP 508 requirement when it pins exactly one (`==X` or `===X`,
/// possibly in parentheses), else `None`.
pub fn exact_pin(rest: &str) -> Option<&str> {
    let rest = rest.split(';').next().unwrap_or("").trim();
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once(']')?.1.trim(),
        None => rest,
    };
    let rest = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')).unwrap_or(rest).trim();
    let v = rest.strip_prefix("===").or_else(|| rest.strip_prefix("=="))?.trim();
    (!v.is_empty() && !v.contains([',', '*', ' ', '<', '>', '!', '~'])).then_some(v)
}

/// A distribution hash written `algo:hex` (`sha256:…`), with the algorithm in CycloneDX spelling.
pub fn parse_hash(raw: &str) -> Option<Hash> {
    let (algo, value) = raw.trim().split_once([':', '='])?;
    let algorithm = match algo.to_ascii_lowercase().as_str() {
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        "sha1" => "SHA-1",
        "md5" => "MD5",
        "blake2b" | "blake2b_256" => "BLAKE2b-256",
        _ => return None,
    };
    let value = value.trim();
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(Hash::new(algorithm, value.to_ascii_lowercase()))
}

/// Direct dependencies a manifest declares: normalised name → strongest scope.
pub type DirectDeps = BTreeMap<String, Scope>;

fn add(out: &mut DirectDeps, name: &str, scope: Scope) {
    let key = normalize(name);
    if key.is_empty() || key == "python" {
        return;
    }
    let e = out.entry(key).or_insert(scope);
    if scope < *e {
        *e = scope;
    }
}

fn add_pep508_list(out: &mut DirectDeps, list: Option<&toml::Value>, scope: Scope) {
    for item in list.and_then(toml::Value::as_array).into_iter().flatten() {
        if let Some((name, _)) = item.as_str().and_then(split_name) {
            add(out, name, scope);
        }
    }
}

fn add_table_keys(out: &mut DirectDeps, table: Option<&toml::Value>, scope: Scope) {
    for name in table.and_then(toml::Value::as_table).into_iter().flat_map(|t| t.keys()) {
        add(out, name, scope);
    }
}

fn group_scope(group: &str) -> Scope {
    match normalize(group).as_str() {
        "test" | "tests" | "testing" => Scope::Test,
        _ => Scope::Dev,
    }
}

/// Reads the direct dependencies from the `pyproject.toml` beside `rel`, if there is one:
/// `[project]` dependencies and optional dependencies, `[dependency-groups]`, Poetry's
/// `[tool.poetry.dependencies]`, `dev-dependencies` and `group.*.dependencies`, and PDM's
/// `[tool.pdm.dev-dependencies]`. `None` when the file is absent or unreadable.
pub fn pyproject_direct(rel: &str, tree: &dyn Tree) -> Option<DirectDeps> {
    let path = join(parent(rel), "pyproject.toml")?;
    let doc: toml::Table = toml::from_str(&tree.read(&path).ok()?).ok()?;
    let mut out = DirectDeps::new();
    let project = doc.get("project");
    add_pep508_list(&mut out, project.and_then(|p| p.get("dependencies")), Scope::Required);
    if let Some(extras) = project.and_then(|p| p.get("optional-dependencies")).and_then(|v| v.as_table()) {
        for list in extras.values() {
            add_pep508_list(&mut out, Some(list), Scope::Optional);
        }
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(|v| v.as_table()) {
        for (group, list) in groups {
            add_pep508_list(&mut out, Some(list), group_scope(group));
        }
    }
    let tool = doc.get("tool");
    let poetry = tool.and_then(|t| t.get("poetry"));
    add_table_keys(&mut out, poetry.and_then(|p| p.get("dependencies")), Scope::Required);
    add_table_keys(&mut out, poetry.and_then(|p| p.get("dev-dependencies")), Scope::Dev);
    if let Some(groups) = poetry.and_then(|p| p.get("group")).and_then(|v| v.as_table()) {
        for (group, body) in groups {
            add_table_keys(&mut out, body.get("dependencies"), group_scope(group));
        }
    }
    if let Some(groups) =
        tool.and_then(|t| t.get("pdm")).and_then(|p| p.get("dev-dependencies")).and_then(|v| v.as_table())
    {
        for (group, list) in groups {
            add_pep508_list(&mut out, Some(list), group_scope(group));
        }
    }
    Some(out)
}

/// Reads the direct dependencies from the `Pipfile` beside `rel`, if there is one.
pub fn pipfile_direct(rel: &str, tree: &dyn Tree) -> Option<DirectDeps> {
    let path = join(parent(rel), "Pipfile")?;
    let doc: toml::Table = toml::from_str(&tree.read(&path).ok()?).ok()?;
    let mut out = DirectDeps::new();
    add_table_keys(&mut out, doc.get("packages"), Scope::Required);
    add_table_keys(&mut out, doc.get("dev-packages"), Scope::Dev);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    #[test]
    fn names_normalise_per_pep_503() {
        assert_eq!(normalize("Foo_Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize("a--_.b"), "a-b");
        assert_eq!(split_name("Foo_Bar[x]==1"), Some(("Foo_Bar", "[x]==1")));
        assert_eq!(split_name("-e ."), None);
        assert_eq!(split_name("foo-"), None);
        assert_eq!(exact_pin("[a,b] == 1.0rc1 ; python_version<'3'"), Some("1.0rc1"));
        assert_eq!(exact_pin(" (==1.0+local)"), Some("1.0+local"));
        assert_eq!(exact_pin(">=1"), None);
        assert_eq!(exact_pin("==1.*"), None);
        assert_eq!(parse_hash("sha256:AB12"), Some(Hash::new("SHA-256", "ab12")));
        assert_eq!(parse_hash("sha256:zz"), None);
    }

    #[test]
    fn pyproject_direct_reads_every_table() {
        let tree = MemTree::new().with(
            "p/pyproject.toml",
            "[project]\ndependencies = [\"Req_A>=1\", \"b[x] ; python_version<'3'\"]\n\
             [project.optional-dependencies]\nfast = [\"c\"]\n[dependency-groups]\ntest = [\"d\"]\n\
             [tool.poetry.dependencies]\npython = \"^3.8\"\ne = \"*\"\n[tool.poetry.group.lint.dependencies]\nf = \"*\"\n",
        );
        let d = pyproject_direct("p/poetry.lock", &tree).unwrap_or_default();
        let want: Vec<(&str, Scope)> = vec![
            ("b", Scope::Required),
            ("c", Scope::Optional),
            ("d", Scope::Test),
            ("e", Scope::Required),
            ("f", Scope::Dev),
            ("req-a", Scope::Required),
        ];
        assert_eq!(d.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), want);
        assert!(pyproject_direct("poetry.lock", &tree).is_none());
    }
}

#[cfg(test)]
mod truncation {
    use crate::catalog::Cataloger;
    use crate::tree::MemTree;

    /// Every Python cataloger, fed every prefix of a small file of its format, must not panic.
    #[test]
    fn every_prefix_is_read_without_panicking() {
        let samples: [(&dyn Cataloger, &str, &str); 6] = [
            (
                &super::super::pip_requirements::PipRequirements,
                "requirements.txt",
                "a[x]==1.0 ; python_version<'3' \\\r\n  --hash=sha256:ab\r\n    # via\r\n    #   -r r.in\r\n-r other.txt\r\nb>=1\r\n",
            ),
            (
                &super::super::poetry_lock::PoetryLock,
                "poetry.lock",
                "[[package]]\nname = \"a\"\nversion = \"1\"\ngroups = [\"main\"]\nfiles = [{file = \"a\", hash = \"sha256:ab\"}]\n[package.dependencies]\nb = \"*\"\n[[package]]\nname = \"b\"\nversion = \"2\"\n",
            ),
            (
                &super::super::pipfile_lock::PipfileLock,
                "Pipfile.lock",
                "{\"default\": {\"a\": {\"hashes\": [\"sha256:ab\"], \"version\": \"==1\"}}, \"develop\": {\"b\": {\"git\": \"u\", \"ref\": \"r\"}}}",
            ),
            (
                &super::super::uv_lock::UvLock,
                "uv.lock",
                "version = 1\n[[package]]\nname = \"r\"\nsource = { virtual = \".\" }\ndependencies = [{ name = \"a\" }]\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = { registry = \"https://pypi.org/simple\" }\nsdist = { hash = \"sha256:ab\" }\n",
            ),
            (
                &super::super::pdm_lock::PdmLock,
                "pdm.lock",
                "[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"b>=1\"]\n[[package]]\nname = \"b\"\nversion = \"2\"\n",
            ),
            (
                &super::super::python_metadata::PythonMetadata,
                "a-1.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: a\nVersion: 1\n\nbody\n",
            ),
        ];
        let tree = MemTree::new();
        for (cataloger, rel, text) in samples {
            for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let _ = cataloger.catalog(rel, &text[..end], &tree);
            }
            let full = cataloger.catalog(rel, text, &tree);
            assert!(!full.packages.is_empty(), "{rel}");
        }
    }
}

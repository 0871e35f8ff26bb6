//! `*.gemspec` files in the tree, consulted (not cataloged) for the licenses gems declare: the
//! gemspec of a `PATH` gem (`<path>/<name>.gemspec`) and the installed specifications of vendored
//! gems (`…/specifications/<name>-<version>[-<platform>].gemspec`, as `bundle install --path`
//! writes them). A gemspec is Ruby; Cairn never runs it and reads only literal
//! `.license = "X"` / `.licenses = ["X", "Y"]` (or `%w[X Y]`) assignments, one string per license.

use crate::inventory::Location;
use crate::tree::{Tree, file_name, join, parent};

/// True for files listed for this reader.
pub(crate) fn listed(rel: &str) -> bool {
    file_name(rel).ends_with(".gemspec")
}

/// The literal licenses a gemspec assigns, each with its line.
pub(crate) fn licenses(rel: &str, text: &str) -> Vec<(String, Location)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let Some(at) = t.find(".license") else { continue };
        let rest = t[at + ".license".len()..].trim_start_matches('s').trim_start();
        let Some(value) = rest.strip_prefix('=') else { continue };
        let value = value.trim();
        let location = Location::new(rel, u32::try_from(i + 1).ok());
        let words: Vec<String> = if let Some(w) = value.strip_prefix("%w") {
            // %w[MIT Apache-2.0], any bracket pair.
            w.get(1..)
                .unwrap_or("")
                .trim_end_matches([']', ')', '}', '>'])
                .split_whitespace()
                .map(str::to_string)
                .collect()
        } else {
            quoted(value)
        };
        out.extend(words.into_iter().filter(|w| !w.is_empty()).map(|w| (w, location.clone())));
    }
    out
}

/// The string literals of a Ruby expression (`"MIT".freeze`, `["A", 'B']`).
fn quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let lit: String = chars.by_ref().take_while(|&x| x != c).collect();
            out.push(lit);
        } else if c == '#' {
            break; // a comment
        }
    }
    out
}

/// The installed specifications (`…/specifications/*.gemspec`) at or below the directory of `lock`.
pub(crate) fn installed<'a>(lock: &str, tree: &'a dyn Tree) -> Vec<&'a str> {
    let dir = parent(lock);
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    tree.files()
        .iter()
        .filter(|f| f.starts_with(&prefix) && listed(f) && file_name(parent(f)) == "specifications")
        .map(String::as_str)
        .collect()
}

/// The licenses of gem `name` `version` as a gemspec in the tree states them: a `PATH` gem's own
/// gemspec under `path` (relative to the directory of `lock`), else one of the `installed`
/// specifications.
pub(crate) fn find(
    lock: &str,
    tree: &dyn Tree,
    installed: &[&str],
    name: &str,
    version: &str,
    path: Option<&str>,
) -> Vec<(String, Location)> {
    if let Some(p) = path {
        let Some(gem_dir) = join(parent(lock), p) else { return Vec::new() };
        let Some(spec) = join(&gem_dir, &format!("{name}.gemspec")) else { return Vec::new() };
        return tree.read(&spec).map(|t| licenses(&spec, &t)).unwrap_or_default();
    }
    let exact = format!("{name}-{version}.gemspec");
    let platform = format!("{name}-{version}-");
    installed
        .iter()
        .find(|f| {
            let n = file_name(f);
            n == exact || (n.starts_with(&platform) && n.ends_with(".gemspec"))
        })
        .and_then(|f| tree.read(f).ok().map(|t| licenses(f, &t)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemTree;

    #[test]
    fn literal_assignments_only() {
        let text =
            "Gem::Specification.new do |s|\n  s.name = \"a\"\n  s.licenses = [\"MIT\".freeze, 'Ruby']\nend\n";
        let got: Vec<(String, Option<u32>)> =
            licenses("a.gemspec", text).into_iter().map(|(l, at)| (l, at.line)).collect();
        assert_eq!(got, [("MIT".to_string(), Some(3)), ("Ruby".to_string(), Some(3))]);
        let one = licenses("b.gemspec", "  spec.license = \"Apache-2.0\" # see LICENSE\n");
        assert_eq!(one.iter().map(|l| l.0.as_str()).collect::<Vec<_>>(), ["Apache-2.0"]);
        let w = licenses("c.gemspec", "  spec.licenses = %w[MIT GPL-2.0]\n");
        assert_eq!(w.iter().map(|l| l.0.as_str()).collect::<Vec<_>>(), ["MIT", "GPL-2.0"]);
        assert!(licenses("d.gemspec", "  spec.license_file = 'x'\n  spec.licenses = LICENSES\n").is_empty());
    }

    #[test]
    fn path_gems_and_installed_specifications() {
        let tree = MemTree::new()
            .with("app/engines/mine/mine.gemspec", "s.license = 'MIT'\n")
            .with(
                "app/vendor/bundle/ruby/3.3.0/specifications/rack-3.0.8.gemspec",
                "s.licenses = [\"MIT\".freeze]\n",
            )
            .with(
                "app/vendor/bundle/ruby/3.3.0/specifications/nokogiri-1.15.0-x86_64-linux.gemspec",
                "s.licenses = [\"MIT\".freeze]\n",
            );
        let first = |v: Vec<(String, Location)>| v.into_iter().next().map(|(l, at)| (l, at.path));
        let specs = installed("app/Gemfile.lock", &tree);
        assert_eq!(specs.len(), 2);
        let find = |lock: &str, tree: &MemTree, name: &str, version: &str, path: Option<&str>| {
            find(lock, tree, &specs, name, version, path)
        };
        assert_eq!(
            first(find("app/Gemfile.lock", &tree, "mine", "0.1.0", Some("engines/mine"))),
            Some(("MIT".into(), "app/engines/mine/mine.gemspec".into()))
        );
        assert!(first(find("app/Gemfile.lock", &tree, "rack", "3.0.8", None)).is_some());
        assert!(
            first(find("app/Gemfile.lock", &tree, "nokogiri", "1.15.0", None)).is_some(),
            "platform build"
        );
        assert!(find("app/Gemfile.lock", &tree, "rack", "3.0.9", None).is_empty(), "another version");
        assert!(find("app/Gemfile.lock", &tree, "x", "1", Some("../../outside")).is_empty());
    }
}

//! `Gemfile.lock` (Bundler).
//!
//! Sources are top-level sections: `GEM` (a gem server: `remote:` lines, then `specs:`), `GIT`
//! (`remote:` and `revision:`) and `PATH` (`remote:` is a local directory: the project's own gems).
//! Under `specs:` each gem is a 4-space `name (version)` line, the version possibly suffixed with a
//! platform (`nokogiri (1.15.0-x86_64-linux)`); the 6-space lines below it are its dependencies.
//! Builds of one version for several platforms are one package. `DEPENDENCIES` lists what the
//! Gemfile asks for (direct; a `!` suffix marks a gem pinned to a GIT or PATH source). Bundler 2.5+
//! writes a `CHECKSUMS` section of `name (version[-platform]) sha256=hex` lines. `PLATFORMS`,
//! `RUBY VERSION` and `BUNDLED WITH` carry no packages. Gemfile groups are not in the lockfile, so
//! every gem is required. Licenses come from gemspecs in the tree (`gemspec.rs`): a `PATH` gem's own,
//! or a vendored gem's installed specification; the lockfile records none.

use super::lines::numbered_lines;
use super::{Catalog, Cataloger, gemspec};
use crate::inventory::{Diagnostic, Ecosystem, Hash, Location, Package, Source};
use crate::tree::{Tree, file_name};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Reads `Gemfile.lock` (and `gems.locked`, its newer name).
pub struct GemfileLock;

const RUBYGEMS: [&str; 4] =
    ["https://rubygems.org/", "https://rubygems.org", "http://rubygems.org/", "http://rubygems.org"];

#[derive(Default)]
struct Section {
    kind: String,
    remotes: Vec<String>,
    revision: Option<String>,
}

impl Section {
    fn source(&self) -> Source {
        let remote = self.remotes.first().cloned().unwrap_or_default();
        match self.kind.as_str() {
            "GIT" => Source::Git { url: remote, rev: self.revision.clone() },
            "PATH" => Source::Local { path: remote },
            _ if self.remotes.is_empty() || self.remotes.iter().any(|r| RUBYGEMS.contains(&r.as_str())) => {
                Source::Registry
            }
            _ => Source::AltRegistry { url: remote },
        }
    }
}

struct Spec {
    name: String,
    version: String,
    source: Source,
    line: u32,
    deps: BTreeSet<String>,
}

/// Splits `name (inner)` into the name and the text in parentheses.
fn name_and_paren(s: &str) -> Option<(&str, Option<&str>)> {
    match s.split_once(" (") {
        Some((name, rest)) => Some((name.trim(), Some(rest.strip_suffix(')')?.trim()))),
        None => Some((s.trim(), None)),
    }
}

/// Splits a spec version into the version and the platform, if any. Rubygems versions never hold
/// a `-` (Bundler writes prerelease versions as `1.0.0.pre.rc1`), so the first one starts the platform.
fn split_platform(v: &str) -> (&str, Option<&str>) {
    match v.split_once('-') {
        Some((ver, platform)) => (ver, Some(platform)),
        None => (v, None),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(char::is_whitespace)
}

impl Cataloger for GemfileLock {
    fn name(&self) -> &'static str {
        "gemfile-lock"
    }

    fn wants(&self, rel: &str) -> bool {
        matches!(file_name(rel), "Gemfile.lock" | "gems.locked")
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let mut out = Catalog::default();
        let mut specs: Vec<Spec> = Vec::new();
        // (name, version, source) -> index in specs: platform builds collapse into one.
        let mut seen: HashMap<(String, String, Source), usize> = HashMap::new();
        let mut direct: BTreeSet<String> = BTreeSet::new();
        let mut checksums: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        let mut section: Option<Section> = None;
        let mut header = String::new();
        let mut in_specs = false;
        let mut current: Option<usize> = None;
        let mut saw_dependencies = false;
        let mut saw_any = false;

        for (n, line) in numbered_lines(text) {
            if line.trim().is_empty() {
                continue;
            }
            let indent = line.len() - line.trim_start_matches(' ').len();
            let body = line.trim();
            if indent == 0 {
                saw_any = true;
                header = body.to_string();
                in_specs = false;
                current = None;
                section = matches!(body, "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE")
                    .then(|| Section { kind: body.to_string(), ..Section::default() });
                if body == "DEPENDENCIES" {
                    saw_dependencies = true;
                }
                continue;
            }
            if let Some(sec) = section.as_mut() {
                if indent == 2 {
                    current = None;
                    in_specs = body == "specs:";
                    if let Some(r) = body.strip_prefix("remote:") {
                        sec.remotes.push(r.trim().to_string());
                    } else if let Some(r) = body.strip_prefix("revision:") {
                        sec.revision = Some(r.trim().to_string());
                    }
                    continue;
                }
                if !in_specs || sec.kind == "PLUGIN SOURCE" {
                    continue;
                }
                if indent == 4 {
                    let parsed = name_and_paren(body).and_then(|(name, v)| Some((name, v?)));
                    let Some((name, raw_version)) =
                        parsed.filter(|(name, v)| valid_name(name) && !v.is_empty())
                    else {
                        out.diagnostics.push(Diagnostic::error(
                            rel,
                            Some(n),
                            format!("cannot read gem spec {body:?}: expected `name (version)`"),
                        ));
                        current = None;
                        continue;
                    };
                    let (version, _platform) = split_platform(raw_version);
                    let source = sec.source();
                    let key = (name.to_string(), version.to_string(), source.clone());
                    let idx = *seen.entry(key).or_insert_with(|| {
                        specs.push(Spec {
                            name: name.to_string(),
                            version: version.to_string(),
                            source,
                            line: n,
                            deps: BTreeSet::new(),
                        });
                        specs.len() - 1
                    });
                    current = Some(idx);
                } else if indent == 6 {
                    match (current, name_and_paren(body)) {
                        (Some(i), Some((dep, _))) if valid_name(dep) => {
                            if let Some(s) = specs.get_mut(i) {
                                s.deps.insert(dep.to_string());
                            }
                        }
                        (Some(_), _) => out.diagnostics.push(Diagnostic::error(
                            rel,
                            Some(n),
                            format!("cannot read gem dependency {body:?}"),
                        )),
                        (None, _) => {}
                    }
                }
                continue;
            }
            match header.as_str() {
                "DEPENDENCIES" if indent == 2 => match name_and_paren(body.trim_end_matches('!')) {
                    Some((name, _)) if valid_name(name.trim_end_matches('!')) => {
                        direct.insert(name.trim_end_matches('!').to_string());
                    }
                    _ => out.diagnostics.push(Diagnostic::error(
                        rel,
                        Some(n),
                        format!("cannot read dependency {body:?}"),
                    )),
                },
                "CHECKSUMS" if indent == 2 => {
                    let (spec, sums) = match body.rsplit_once(") ") {
                        Some((spec, sums)) => (format!("{spec})"), sums),
                        None => (body.to_string(), ""),
                    };
                    let Some((name, Some(raw))) = name_and_paren(&spec) else {
                        out.diagnostics.push(Diagnostic::error(
                            rel,
                            Some(n),
                            format!("cannot read checksum line {body:?}"),
                        ));
                        continue;
                    };
                    let (version, _) = split_platform(raw);
                    for sum in sums.split(',') {
                        if let Some(hex) = sum.trim().strip_prefix("sha256=") {
                            checksums
                                .entry((name.to_string(), version.to_string()))
                                .or_default()
                                .push(hex.to_ascii_lowercase());
                        }
                    }
                }
                _ => {}
            }
        }

        if !saw_any {
            return Catalog::failed(
                rel,
                None,
                "empty Gemfile.lock: no GEM, GIT, PATH or DEPENDENCIES section",
            );
        }
        if !saw_dependencies {
            out.diagnostics.push(Diagnostic::error(
                rel,
                None,
                "Gemfile.lock has no DEPENDENCIES section (truncated?): direct dependencies are unknown",
            ));
        }

        let installed = gemspec::installed(rel, tree);
        let mut purl_of: HashMap<String, String> = HashMap::new();
        let mut purls: Vec<Option<String>> = Vec::with_capacity(specs.len());
        for s in &specs {
            let local = s.source.is_local();
            let key = (s.name.clone(), s.version.clone());
            let pkg =
                Package::new(Ecosystem::RubyGems, &s.name, &s.version, Location::new(rel, Some(s.line)))
                    .and_then(|mut p| {
                        if saw_dependencies {
                            p = p.direct(direct.contains(&s.name));
                        }
                        if !local {
                            for hex in checksums.get(&key).into_iter().flatten() {
                                if !p.hashes.iter().any(|h| &h.value == hex) {
                                    p = p.hash(Hash::new("SHA-256", hex.clone()));
                                }
                            }
                        }
                        // The lockfile records no license; a gemspec in the tree may.
                        let path = match &s.source {
                            Source::Local { path } => Some(path.as_str()),
                            _ => None,
                        };
                        for (raw, at) in gemspec::find(rel, tree, &installed, &s.name, &s.version, path) {
                            p = p.license(&raw, at);
                        }
                        p.source(s.source.clone())
                    });
            let purl = out.push(rel, pkg).map(|p| p.purl.clone());
            if let Some(purl) = &purl {
                purl_of.entry(s.name.clone()).or_insert_with(|| purl.clone());
            }
            purls.push(purl);
        }
        for (s, from) in specs.iter().zip(&purls) {
            let Some(from) = from else { continue };
            for dep in &s.deps {
                match purl_of.get(dep) {
                    Some(to) => out.edge(from.clone(), to.clone()),
                    // Gems that come with Ruby itself (default gems) may be left out of the lockfile.
                    None => out.diagnostics.push(Diagnostic::info(
                        rel,
                        Some(s.line),
                        format!(
                            "{} {} depends on {dep}, which the lockfile does not list",
                            s.name, s.version
                        ),
                    )),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Edge, Scope, Severity};
    use crate::tree::MemTree;

    fn run(text: &str) -> Catalog {
        GemfileLock.catalog("app/Gemfile.lock", text, &MemTree::new())
    }

    const LOCK: &str = "GIT
  remote: https://github.com/o/canonical-rails.git
  revision: 97bcb28b910b08ce4dc0169eae55a8cd3d4f26ff
  ref: bump
  specs:
    canonical-rails (0.2.17)
      actionview (>= 4.1, < 8.2)

PATH
  remote: engines/mine
  specs:
    mine (0.1.0)
      rack

GEM
  remote: https://rubygems.org/
  specs:
    actionview (8.0.0.rc1)
      rack (~> 3.0)
    nokogiri (1.15.0-arm64-darwin)
      racc (~> 1.4)
    nokogiri (1.15.0-x86_64-linux)
      racc (~> 1.4)
    rack (3.0.1)
    rack (2.2.8)
    racc (1.7.1)

GEM
  remote: https://gems.example.com/
  specs:
    private-gem (2.0.0)

PLATFORMS
  arm64-darwin
  x86_64-linux

DEPENDENCIES
  canonical-rails!
  mine!
  nokogiri (~> 1.15)
  private-gem (>= 1, < 3)!

CHECKSUMS
  nokogiri (1.15.0-arm64-darwin) sha256=AA11
  nokogiri (1.15.0-x86_64-linux) sha256=bb22
  rack (3.0.1) sha256=cc33
  canonical-rails (0.2.17)

RUBY VERSION
   ruby 3.3.0p0

BUNDLED WITH
   2.5.3
";

    #[test]
    fn licenses_from_gemspecs_in_the_tree() {
        let tree = MemTree::new().with(
            "app/engines/mine/mine.gemspec",
            "Gem::Specification.new do |s|\n  s.license = \"MIT\"\nend\n",
        );
        let c = GemfileLock.catalog("app/Gemfile.lock", LOCK, &tree);
        let mine = c.packages.iter().find(|p| p.name == "mine").expect("mine");
        let got: Vec<(&str, &str, Option<u32>)> = mine
            .licenses
            .iter()
            .map(|l| (l.raw.as_str(), l.location.path.as_str(), l.location.line))
            .collect();
        assert_eq!(got, [("MIT", "app/engines/mine/mine.gemspec", Some(2))]);
        assert!(run(LOCK).packages.iter().all(|p| p.licenses.is_empty()), "the lockfile itself has none");
    }

    #[test]
    fn sections_platforms_checksums_and_edges() {
        let c = run(LOCK);
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.severity != Severity::Info).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:gem/canonical-rails@0.2.17?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fcanonical-rails.git%4097bcb28b910b08ce4dc0169eae55a8cd3d4f26ff",
                "pkg:gem/mine@0.1.0",
                "pkg:gem/actionview@8.0.0.rc1",
                "pkg:gem/nokogiri@1.15.0",
                "pkg:gem/rack@3.0.1",
                "pkg:gem/rack@2.2.8",
                "pkg:gem/racc@1.7.1",
                "pkg:gem/private-gem@2.0.0?repository_url=https:%2F%2Fgems.example.com%2F",
            ]
        );
        let by = |purl: &str| c.packages.iter().find(|p| p.purl.starts_with(purl)).expect(purl);
        let noko = by("pkg:gem/nokogiri@");
        assert_eq!(noko.hashes, vec![Hash::new("SHA-256", "aa11"), Hash::new("SHA-256", "bb22")]);
        assert_eq!(noko.direct, Some(true));
        assert_eq!(noko.location.line, Some(20));
        assert_eq!(noko.scope, Scope::Required);
        assert_eq!(by("pkg:gem/rack@3.0.1").hashes, vec![Hash::new("SHA-256", "cc33")]);
        assert_eq!(by("pkg:gem/rack@3.0.1").direct, Some(false));
        assert_eq!(by("pkg:gem/mine@").source, Source::Local { path: "engines/mine".into() });
        assert_eq!(by("pkg:gem/canonical-rails@").direct, Some(true));
        assert_eq!(by("pkg:gem/private-gem@").direct, Some(true));
        assert!(
            matches!(&by("pkg:gem/canonical-rails@").source, Source::Git { rev: Some(r), .. } if r.starts_with("97bc"))
        );
        assert!(c.edges.contains(&Edge::new("pkg:gem/nokogiri@1.15.0", "pkg:gem/racc@1.7.1")));
        assert!(c.edges.contains(&Edge::new("pkg:gem/actionview@8.0.0.rc1", "pkg:gem/rack@3.0.1")));
        // Two platform builds depending on racc give one edge.
        assert_eq!(c.edges.iter().filter(|e| e.from == "pkg:gem/nokogiri@1.15.0").count(), 1);
    }

    #[test]
    fn crlf_gives_the_same_result() {
        let lf = run(LOCK);
        let crlf = run(&LOCK.replace('\n', "\r\n"));
        assert_eq!(lf, crlf);
    }

    #[test]
    fn empty_and_truncated() {
        let c = run("");
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        let cut = &LOCK[..LOCK.find("nokogiri (1.15.0-x86").expect("cut") + 14];
        let c = run(cut);
        assert!(
            c.diagnostics.iter().any(|d| d.severity == Severity::Error && d.line == Some(22)),
            "{:?}",
            c.diagnostics
        );
        assert!(c.diagnostics.iter().any(|d| d.message.contains("DEPENDENCIES")));
        assert_eq!(c.packages.len(), 4);
        assert!(c.packages.iter().all(|p| p.direct.is_none()));
    }

    #[test]
    fn wants_only_lockfiles() {
        assert!(GemfileLock.wants("a/Gemfile.lock"));
        assert!(GemfileLock.wants("gems.locked"));
        assert!(!GemfileLock.wants("Gemfile"));
        assert!(!GemfileLock.wants("x/Gemfile.lock.bak"));
    }
}

//! Maven `pom.xml`.
//!
//! Packages are the POM's declared `<dependencies>` (all direct: a POM names no transitives) and the
//! `import`-scoped BOMs of its `<dependencyManagement>`. Versions come from the dependency itself or,
//! when it has none, from `<dependencyManagement>` (the POM's own, then its parents'); `${…}`
//! placeholders are resolved from `<properties>` (the POM's, then its parents') and the built-in
//! `project.*` values, recursively. Parents are looked up in the scanned tree only — through
//! `<relativePath>` (default `../pom.xml`), then by searching every `pom.xml` of the tree for the
//! parent's coordinates; Cairn never downloads a POM.
//!
//! What cannot be known stays out: a parent outside the tree is a warning (its properties and managed
//! versions are unknown), and a dependency whose version stays unresolved is a warning, never a
//! package with a made-up version. Version ranges (`[1.0,2.0)`) are not pins and are reported likewise.
//!
//! Scopes: `compile` (the default) and `runtime` → Required; `provided` and `system` → Optional (the
//! container or the machine supplies them; they are not shipped with the artifact); `test` → Test;
//! `<optional>true</optional>` → Optional. An imported BOM is never on a classpath — it only supplies
//! versions at build time — so it is a Dev package (reported, not silent).
//!
//! The project itself, and dependencies on other modules whose `pom.xml` is in the tree (siblings of a
//! reactor build), are local. Edges go from the project to each dependency. Not read: `<profiles>`
//! (their dependencies are conditional), `<build>` plugins and their dependencies (build tooling,
//! not dependencies), dependencies inherited from a parent (the parent's own `pom.xml`, cataloged on
//! its own, reports them).

use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Location, Package, Scope, Source};
use crate::tree::{Tree, file_name, join, parent};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::{HashMap, HashSet};

/// Reads `pom.xml`.
pub struct PomXml;

/// How deep elements may nest before the file is refused (keeps memory and drop recursion bounded).
const MAX_DEPTH: usize = 256;
/// How many parents up the chain are followed.
const MAX_PARENTS: usize = 16;
/// How deep `${…}` references may nest.
const MAX_INTERPOLATION_DEPTH: usize = 32;
/// How many `pom.xml` files of the tree are examined when searching for a parent or sibling.
const MAX_SEARCHED_POMS: usize = 5000;

// ------------------------------------------------------------------------------------------ XML

/// A minimal element tree: local names, text and children, with the byte offset of the start tag.
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
    pos: usize,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of a child element, when present.
    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string())
    }
}

/// Parses XML into an [`Element`] tree; on failure, the byte offset and a message.
fn parse_xml(text: &str) -> Result<Element, (usize, String)> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| (usize::try_from(reader.error_position()).unwrap_or(before), e.to_string()))?;
        let local = |name: &[u8]| String::from_utf8_lossy(name).into_owned();
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((before, format!("elements nest deeper than {MAX_DEPTH} levels")));
                }
                stack.push(Element {
                    name: local(e.local_name().as_ref()),
                    pos: before,
                    ..Element::default()
                });
            }
            Event::Empty(e) => {
                let el = Element { name: local(e.local_name().as_ref()), pos: before, ..Element::default() };
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err((before, "more than one root element".into())),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err((before, "closing tag without an opening tag".into()));
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err((before, "more than one root element".into())),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.decode().map_err(|e| (before, e.to_string()))?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.decode().map_err(|e| (before, e.to_string()))?);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    match r.decode().map_err(|e| (before, e.to_string()))?.as_ref() {
                        "amp" => Some("&".into()),
                        "lt" => Some("<".into()),
                        "gt" => Some(">".into()),
                        "quot" => Some("\"".into()),
                        "apos" => Some("'".into()),
                        _ => None,
                    }
                };
                let Some(s) = resolved else {
                    return Err((before, "unknown entity or character reference".into()));
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&s);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err((open.pos, format!("<{}> is never closed: the file looks truncated", open.name)));
    }
    root.ok_or((0, "no root element".into()))
}

// ------------------------------------------------------------------------------------ POM model

/// A `<dependency>` as written (nothing interpolated).
#[derive(Debug, Clone)]
struct Dep {
    group: String,
    artifact: String,
    version: Option<String>,
    scope: Option<String>,
    optional: Option<String>,
    pos: usize,
}

/// `<parent>` as written.
#[derive(Debug, Clone)]
struct ParentRef {
    group: String,
    artifact: String,
    version: String,
    /// `None`: the default `../pom.xml`; `Some("")`: explicitly no lookup.
    relative_path: Option<String>,
    pos: usize,
}

/// What Cairn reads from one POM.
#[derive(Debug)]
struct Pom {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    artifact_pos: usize,
    parent: Option<ParentRef>,
    properties: Vec<(String, String)>,
    managed: Vec<Dep>,
    deps: Vec<Dep>,
    /// `<licenses><license>`: the `<name>`, or the `<url>` when it has no name, with its offset.
    licenses: Vec<(String, usize)>,
}

fn deps_of(list: Option<&Element>) -> Vec<Dep> {
    list.map(|l| {
        l.children("dependency")
            .map(|d| Dep {
                group: d.text_of("groupId").unwrap_or_default(),
                artifact: d.text_of("artifactId").unwrap_or_default(),
                version: d.text_of("version").filter(|v| !v.is_empty()),
                scope: d.text_of("scope").filter(|v| !v.is_empty()),
                optional: d.text_of("optional"),
                pos: d.pos,
            })
            .collect()
    })
    .unwrap_or_default()
}

fn read_pom(text: &str) -> Result<Pom, (usize, String)> {
    let root = parse_xml(text)?;
    if root.name != "project" {
        return Err((root.pos, format!("root element is <{}>, not <project>", root.name)));
    }
    let parent = root.child("parent").map(|p| ParentRef {
        group: p.text_of("groupId").unwrap_or_default(),
        artifact: p.text_of("artifactId").unwrap_or_default(),
        version: p.text_of("version").unwrap_or_default(),
        relative_path: p.text_of("relativePath"),
        pos: p.pos,
    });
    let properties = root
        .child("properties")
        .map(|p| p.children.iter().map(|c| (c.name.clone(), c.text.trim().to_string())).collect())
        .unwrap_or_default();
    Ok(Pom {
        group: root.text_of("groupId"),
        artifact: root.text_of("artifactId"),
        version: root.text_of("version"),
        artifact_pos: root.child("artifactId").map_or(root.pos, |a| a.pos),
        parent,
        properties,
        managed: deps_of(root.child("dependencyManagement").and_then(|m| m.child("dependencies"))),
        deps: deps_of(root.child("dependencies")),
        licenses: root
            .child("licenses")
            .map(|l| {
                l.children("license")
                    .filter_map(|x| {
                        let text =
                            x.text_of("name").filter(|n| !n.is_empty()).or_else(|| x.text_of("url"))?;
                        (!text.is_empty()).then_some((text, x.pos))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

impl Pom {
    /// groupId, inherited from the parent when absent.
    fn group_id(&self) -> Option<&str> {
        self.group.as_deref().or(self.parent.as_ref().map(|p| p.group.as_str()))
    }

    /// version, inherited from the parent when absent.
    fn version_id(&self) -> Option<&str> {
        self.version.as_deref().or(self.parent.as_ref().map(|p| p.version.as_str()))
    }
}

// ---------------------------------------------------------------------------- interpolation

/// Why a `${…}` placeholder could not be resolved.
#[derive(Debug, PartialEq, Eq)]
enum Unresolved {
    Missing(String),
    Cycle(String),
    TooDeep,
}

impl Unresolved {
    fn describe(&self) -> String {
        match self {
            Unresolved::Missing(p) => format!("property ${{{p}}} is not defined"),
            Unresolved::Cycle(p) => format!("cyclic property reference through ${{{p}}}"),
            Unresolved::TooDeep => format!("properties nest deeper than {MAX_INTERPOLATION_DEPTH} levels"),
        }
    }
}

/// Properties in scope: built-ins, then the POM's and its ancestors' `<properties>` (nearest wins).
struct Props {
    values: HashMap<String, String>,
}

impl Props {
    fn resolve(&self, s: &str) -> Result<String, Unresolved> {
        self.expand(s, &mut Vec::new())
    }

    fn expand(&self, s: &str, stack: &mut Vec<String>) -> Result<String, Unresolved> {
        if stack.len() > MAX_INTERPOLATION_DEPTH {
            return Err(Unresolved::TooDeep);
        }
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                // No closing brace: literal text.
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = after[..end].trim();
            if stack.iter().any(|n| n == name) {
                return Err(Unresolved::Cycle(name.to_string()));
            }
            let raw = self.values.get(name).ok_or_else(|| Unresolved::Missing(name.to_string()))?;
            stack.push(name.to_string());
            let value = self.expand(raw, stack)?;
            stack.pop();
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

// ------------------------------------------------------------------------------------ lookups

/// True when `candidate` (a parsed POM) has the coordinates the `<parent>` element names.
fn matches_parent(candidate: &Pom, wanted: &ParentRef) -> bool {
    let literal = |v: &str| !v.contains("${") && !v.is_empty();
    candidate.artifact.as_deref() == Some(wanted.artifact.as_str())
        && candidate.group_id() == Some(wanted.group.as_str())
        && match candidate.version_id() {
            Some(v) if literal(v) && literal(&wanted.version) => v == wanted.version,
            _ => true,
        }
}

/// Finds the parent POM in the tree: by relativePath first, then by searching for its coordinates.
fn find_parent(
    rel: &str,
    wanted: &ParentRef,
    tree: &dyn Tree,
    seen: &HashSet<String>,
) -> Option<(String, Pom)> {
    let by_path = match wanted.relative_path.as_deref() {
        Some("") => None,
        Some(p) => Some(p.to_string()),
        None => Some("../pom.xml".to_string()),
    };
    if let Some(p) = by_path {
        let p = if p.ends_with(".xml") { p } else { format!("{}/pom.xml", p.trim_end_matches('/')) };
        if let Some(path) = join(parent(rel), &p).filter(|p| !seen.contains(p))
            && let Some(pom) = tree.read(&path).ok().and_then(|t| read_pom(&t).ok())
            && matches_parent(&pom, wanted)
        {
            return Some((path, pom));
        }
    }
    let needle = format!(">{}<", wanted.artifact);
    tree.files()
        .iter()
        .filter(|f| file_name(f) == "pom.xml" && !seen.contains(f.as_str()) && f.as_str() != rel)
        .take(MAX_SEARCHED_POMS)
        .find_map(|f| {
            let text = tree.read(f).ok().filter(|t| t.contains(&needle))?;
            let pom = read_pom(&text).ok()?;
            matches_parent(&pom, wanted).then(|| (f.clone(), pom))
        })
}

/// Other modules of the tree: `groupId:artifactId` → directory, for the candidate artifacts only.
fn sibling_modules(rel: &str, tree: &dyn Tree, artifacts: &HashSet<&str>) -> HashMap<String, String> {
    let mut found = HashMap::new();
    if artifacts.is_empty() {
        return found;
    }
    for f in
        tree.files().iter().filter(|f| file_name(f) == "pom.xml" && f.as_str() != rel).take(MAX_SEARCHED_POMS)
    {
        let Ok(text) = tree.read(f) else { continue };
        if !artifacts.iter().any(|a| text.contains(&format!(">{a}<"))) {
            continue;
        }
        let Ok(pom) = read_pom(&text) else { continue };
        if let (Some(g), Some(a)) = (pom.group_id(), pom.artifact.as_deref()) {
            found.insert(format!("{g}:{a}"), parent(f).to_string());
        }
    }
    found
}

fn scope_of(scope: &str, optional: bool) -> Scope {
    let base = match scope {
        "test" => Scope::Test,
        "provided" | "system" => Scope::Optional,
        "import" => Scope::Dev,
        _ => Scope::Required,
    };
    if optional { base.max(Scope::Optional) } else { base }
}

impl Cataloger for PomXml {
    fn name(&self) -> &'static str {
        "maven-pom"
    }

    fn wants(&self, rel: &str) -> bool {
        file_name(rel) == "pom.xml"
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        let index = LineIndex::new(text);
        if text.trim().is_empty() {
            return Catalog::failed(rel, None, "empty pom.xml");
        }
        let pom = match read_pom(text) {
            Ok(p) => p,
            Err((at, msg)) => {
                return Catalog::failed(rel, Some(index.line(at)), format!("not a valid pom.xml: {msg}"));
            }
        };
        let mut out = Catalog::default();
        let line = |pos: usize| Some(index.line(pos));

        // The parent chain, nearest first.
        let mut ancestors: Vec<Pom> = Vec::new();
        let mut ancestor_paths: Vec<(String, LineIndex)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::from([rel.to_string()]);
        let mut child_rel = rel.to_string();
        let mut next = pom.parent.clone();
        while let Some(wanted) = next.take() {
            if ancestors.len() >= MAX_PARENTS {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    None,
                    format!("parent chain longer than {MAX_PARENTS} POMs; the rest is ignored"),
                ));
                break;
            }
            match find_parent(&child_rel, &wanted, tree, &seen) {
                Some((path, found)) => {
                    seen.insert(path.clone());
                    let index = tree.read(&path).map(|t| LineIndex::new(&t)).unwrap_or_else(|_| LineIndex::new(""));
                    ancestor_paths.push((path.clone(), index));
                    child_rel = path;
                    next = found.parent.clone();
                    ancestors.push(found);
                }
                None => out.diagnostics.push(Diagnostic::warning(
                    rel,
                    line(pom.parent.as_ref().map_or(0, |p| p.pos)),
                    format!(
                        "parent POM {}:{}:{} is not in the scanned tree; its properties and managed versions are unknown",
                        wanted.group, wanted.artifact, wanted.version
                    ),
                )),
            }
        }

        // Properties: farthest ancestor first, so nearer POMs override.
        let mut values: HashMap<String, String> = HashMap::new();
        for p in ancestors.iter().rev().chain(std::iter::once(&pom)) {
            values.extend(p.properties.iter().cloned());
        }
        let mut builtin = |keys: &[&str], v: Option<&str>| {
            if let Some(v) = v {
                for k in keys {
                    values.insert((*k).to_string(), v.to_string());
                }
            }
        };
        builtin(&["project.groupId", "pom.groupId"], pom.group_id());
        builtin(&["project.artifactId", "pom.artifactId"], pom.artifact.as_deref());
        builtin(&["project.version", "pom.version"], pom.version_id());
        let pr = pom.parent.as_ref();
        builtin(&["project.parent.groupId"], pr.map(|p| p.group.as_str()));
        builtin(&["project.parent.artifactId"], pr.map(|p| p.artifact.as_str()));
        builtin(&["project.parent.version"], pr.map(|p| p.version.as_str()));
        let props = Props { values };

        // Managed versions and scopes: the POM's own first, then its ancestors'.
        let mut managed: HashMap<(String, String), (Option<String>, Option<String>)> = HashMap::new();
        for d in pom.managed.iter().chain(ancestors.iter().flat_map(|a| a.managed.iter())) {
            if d.scope.as_deref() == Some("import") {
                continue;
            }
            let (Ok(g), Ok(a)) = (props.resolve(&d.group), props.resolve(&d.artifact)) else { continue };
            managed.entry((g, a)).or_insert_with(|| (d.version.clone(), d.scope.clone()));
        }
        let imports_bom = pom
            .managed
            .iter()
            .chain(ancestors.iter().flat_map(|a| a.managed.iter()))
            .any(|d| d.scope.as_deref() == Some("import"));

        // The project itself.
        let own_group = pom.group_id().and_then(|g| props.resolve(g).ok());
        let own_artifact = pom.artifact.as_deref().and_then(|a| props.resolve(a).ok());
        let own_version = pom.version_id().and_then(|v| props.resolve(v).ok()).unwrap_or_default();
        let project_purl = match (&own_group, &own_artifact) {
            (Some(g), Some(a)) => {
                let pkg = Package::new(
                    Ecosystem::Maven,
                    format!("{g}:{a}"),
                    &own_version,
                    Location::new(rel, line(pom.artifact_pos)),
                )
                .and_then(|p| p.source(Source::Local { path: parent(rel).to_string() }));
                // The project's licenses: its own, else the nearest parent's (Maven inherits them).
                let own = (!pom.licenses.is_empty()).then_some((rel, &index, &pom.licenses));
                let inherited = ancestors
                    .iter()
                    .zip(&ancestor_paths)
                    .find(|(a, _)| !a.licenses.is_empty())
                    .map(|(a, (path, idx))| (path.as_str(), idx, &a.licenses));
                let pkg = pkg.map(|mut p| {
                    if let Some((path, idx, licenses)) = own.or(inherited) {
                        for (raw, pos) in licenses {
                            let raw = props.resolve(raw).unwrap_or_else(|_| raw.clone());
                            p = p.license(&raw, Location::new(path, Some(idx.line(*pos))));
                        }
                    }
                    p
                });
                out.push(rel, pkg).map(|p| p.purl.clone())
            }
            _ => {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    None,
                    "the project has no resolvable groupId and artifactId",
                ));
                None
            }
        };

        // Siblings: only dependencies that could be modules of this build are looked up.
        let candidates: Vec<(String, String)> = pom
            .deps
            .iter()
            .filter_map(|d| Some((props.resolve(&d.group).ok()?, props.resolve(&d.artifact).ok()?)))
            .collect();
        let artifacts: HashSet<&str> = candidates
            .iter()
            .filter(|(g, _)| own_group.as_deref().is_some_and(|o| g == o || g.starts_with(&format!("{o}."))))
            .map(|(_, a)| a.as_str())
            .collect();
        let siblings = sibling_modules(rel, tree, &artifacts);

        // Imported BOMs of the POM's own dependencyManagement.
        for d in pom.managed.iter().filter(|d| d.scope.as_deref() == Some("import")) {
            self.emit(
                rel,
                &mut out,
                &props,
                d,
                d.version.clone(),
                "import",
                &siblings,
                None,
                false,
                line(d.pos),
            );
        }

        // Whether versions may be managed somewhere Cairn cannot see.
        let parent_missing = pom.parent.is_some() && ancestors.last().is_none_or(|a| a.parent.is_some());
        let unknown_management = imports_bom || parent_missing;

        // Declared dependencies.
        for d in &pom.deps {
            let key =
                (props.resolve(&d.group).unwrap_or_default(), props.resolve(&d.artifact).unwrap_or_default());
            let from_management = managed.get(&key);
            let version = d.version.clone().or_else(|| from_management.and_then(|m| m.0.clone()));
            let scope_raw = d
                .scope
                .clone()
                .or_else(|| from_management.and_then(|m| m.1.clone()))
                .unwrap_or_else(|| "compile".into());
            let scope_raw = props.resolve(&scope_raw).unwrap_or(scope_raw);
            self.emit(
                rel,
                &mut out,
                &props,
                d,
                version,
                &scope_raw,
                &siblings,
                project_purl.as_deref(),
                unknown_management,
                line(d.pos),
            );
        }
        out
    }
}

impl PomXml {
    /// Adds one dependency (or imported BOM) as a package, or a warning when its coordinates or
    /// version cannot be resolved.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &self,
        rel: &str,
        out: &mut Catalog,
        props: &Props,
        d: &Dep,
        version: Option<String>,
        scope: &str,
        siblings: &HashMap<String, String>,
        project: Option<&str>,
        unknown_management: bool,
        line: Option<u32>,
    ) {
        let coords = format!("{}:{}", d.group, d.artifact);
        let (g, a) = match (props.resolve(&d.group), props.resolve(&d.artifact)) {
            (Ok(g), Ok(a)) if !g.is_empty() && !a.is_empty() => (g, a),
            (Err(e), _) | (_, Err(e)) => {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    line,
                    format!("dependency {coords} skipped: {}", e.describe()),
                ));
                return;
            }
            _ => {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    line,
                    "dependency without groupId or artifactId",
                ));
                return;
            }
        };
        let name = format!("{g}:{a}");
        let version = match version.as_deref().map(|v| props.resolve(v)) {
            Some(Ok(v)) if v.starts_with('[') || v.starts_with('(') => {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    line,
                    format!("dependency {name}: version unresolved: {v} is a version range, not a pin"),
                ));
                return;
            }
            Some(Ok(v)) if !v.is_empty() => v,
            Some(Ok(_)) | None => {
                let why = if unknown_management {
                    "no version here; it is managed by a parent POM or BOM outside the scanned tree"
                } else {
                    "no version and no dependencyManagement entry for it"
                };
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    line,
                    format!("dependency {name}: version unresolved ({why})"),
                ));
                return;
            }
            Some(Err(e @ Unresolved::Missing(_))) => {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    line,
                    format!("dependency {name}: version unresolved ({})", e.describe()),
                ));
                return;
            }
            Some(Err(e)) => {
                out.diagnostics.push(Diagnostic::error(
                    rel,
                    line,
                    format!("dependency {name}: version unresolved ({})", e.describe()),
                ));
                return;
            }
        };
        let optional =
            d.optional.as_deref().is_some_and(|o| props.resolve(o).is_ok_and(|o| o.trim() == "true"));
        let mut pkg = Package::new(Ecosystem::Maven, &name, &version, Location::new(rel, line))
            .map(|p| p.scope(scope_of(scope, optional)).direct(true));
        if let Some(dir) = siblings.get(&name) {
            pkg = pkg.and_then(|p| p.source(Source::Local { path: dir.clone() }));
        }
        let Some(to) = out.push(rel, pkg).map(|p| p.purl.clone()) else { return };
        if let Some(from) = project {
            out.edge(from, to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Edge, Severity};
    use crate::tree::MemTree;

    fn warnings(c: &Catalog) -> Vec<&str> {
        c.diagnostics.iter().filter(|d| d.severity == Severity::Warning).map(|d| d.message.as_str()).collect()
    }

    fn errors(c: &Catalog) -> Vec<&Diagnostic> {
        c.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
    }

    const PARENT: &str = r#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>org.acme</groupId>
  <artifactId>acme-parent</artifactId>
  <version>2.0.0</version>
  <packaging>pom</packaging>
  <modules><module>app</module><module>lib</module></modules>
  <properties>
    <guava.version>33.0.0-jre</guava.version>
    <junit.version>5.10.1</junit.version>
    <shared.version>${base.version}.1</shared.version>
    <base.version>1.2</base.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.google.guava</groupId>
        <artifactId>guava</artifactId>
        <version>${guava.version}</version>
      </dependency>
      <dependency>
        <groupId>org.junit.jupiter</groupId>
        <artifactId>junit-jupiter</artifactId>
        <version>${junit.version}</version>
        <scope>test</scope>
      </dependency>
      <dependency>
        <groupId>org.springframework</groupId>
        <artifactId>spring-framework-bom</artifactId>
        <version>6.1.0</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
"#;

    const APP: &str = r#"<project>
  <parent>
    <groupId>org.acme</groupId>
    <artifactId>acme-parent</artifactId>
    <version>2.0.0</version>
  </parent>
  <artifactId>app</artifactId>
  <properties>
    <guava.version>32.1.3-jre</guava.version>
    <servlet.version>6.0.0</servlet.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
    </dependency>
    <dependency>
      <groupId>jakarta.servlet</groupId>
      <artifactId>jakarta.servlet-api</artifactId>
      <version>${servlet.version}</version>
      <scope>provided</scope>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>lib</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>org.acme</groupId>
      <artifactId>other</artifactId>
      <version>${project.parent.version}</version>
      <optional>true</optional>
    </dependency>
    <dependency>
      <groupId>com.example</groupId>
      <artifactId>nested</artifactId>
      <version>${shared.version}-beta+build.7</version>
      <scope>system</scope>
    </dependency>
    <dependency>
      <groupId>org.springframework</groupId>
      <artifactId>spring-core</artifactId>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.2.2</version>
        <dependencies>
          <dependency><groupId>x</groupId><artifactId>plugin-dep</artifactId><version>1</version></dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>
</project>
"#;

    const LIB: &str = "<project><parent><groupId>org.acme</groupId><artifactId>acme-parent</artifactId>\
<version>2.0.0</version></parent><artifactId>lib</artifactId></project>";

    fn reactor() -> MemTree {
        MemTree::new().with("pom.xml", PARENT).with("app/pom.xml", APP).with("lib/pom.xml", LIB)
    }

    #[test]
    fn parent_inheritance_properties_and_management() {
        let tree = reactor();
        let c = PomXml.catalog("app/pom.xml", APP, &tree);
        assert!(errors(&c).is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(&str, &str, Scope, Option<u32>)> = c
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.scope, p.location.line))
            .collect();
        assert_eq!(
            got,
            [
                ("org.acme:app", "2.0.0", Scope::Required, Some(7)),
                // The child's property overrides the parent's in the parent's managed version.
                ("com.google.guava:guava", "32.1.3-jre", Scope::Required, Some(13)),
                // Scope from dependencyManagement.
                ("org.junit.jupiter:junit-jupiter", "5.10.1", Scope::Test, Some(17)),
                ("jakarta.servlet:jakarta.servlet-api", "6.0.0", Scope::Optional, Some(21)),
                ("org.acme:lib", "2.0.0", Scope::Required, Some(27)),
                ("org.acme:other", "2.0.0", Scope::Optional, Some(32)),
                ("com.example:nested", "1.2.1-beta+build.7", Scope::Optional, Some(38)),
            ]
        );
        assert_eq!(c.packages[0].source, Source::Local { path: "app".into() });
        assert_eq!(c.packages[4].source, Source::Local { path: "lib".into() }, "sibling module is local");
        assert!(!c.packages[5].source.is_local(), "not in the tree: a package");
        assert_eq!(c.packages[6].purl, "pkg:maven/com.example/nested@1.2.1-beta%2Bbuild.7");
        assert!(c.packages.iter().skip(1).all(|p| p.direct == Some(true)));
        // spring-core is managed by the imported BOM, which is outside the tree.
        assert_eq!(warnings(&c).len(), 1);
        assert!(warnings(&c)[0].contains("spring-core") && warnings(&c)[0].contains("version unresolved"));
        assert_eq!(c.edges.len(), 6);
        assert!(c.edges.contains(&Edge::new(
            "pkg:maven/org.acme/app@2.0.0",
            "pkg:maven/com.google.guava/guava@32.1.3-jre"
        )));
        // Plugin dependencies are not dependencies.
        assert!(!c.packages.iter().any(|p| p.name.contains("plugin")));
    }

    #[test]
    fn licenses_own_or_inherited_from_the_parent() {
        let licensed = PARENT.replace(
            "</project>",
            "<licenses><license><name>Apache License, Version 2.0</name></license>\
             <license><url>https://opensource.org/licenses/MIT</url></license></licenses></project>",
        );
        assert_ne!(licensed, PARENT);
        let tree = MemTree::new().with("pom.xml", licensed.as_str()).with("app/pom.xml", APP);
        let project = |c: &Catalog| {
            c.packages.iter().find(|p| p.source.is_local()).map(|p| {
                p.licenses.iter().map(|l| (l.raw.clone(), l.location.path.clone())).collect::<Vec<_>>()
            })
        };
        let c = PomXml.catalog("pom.xml", &licensed, &tree);
        let own = [
            ("Apache License, Version 2.0".to_string(), "pom.xml".to_string()),
            ("https://opensource.org/licenses/MIT".to_string(), "pom.xml".to_string()),
        ];
        assert_eq!(project(&c), Some(own.to_vec()));
        let c = PomXml.catalog("app/pom.xml", APP, &tree);
        assert_eq!(project(&c), Some(own.to_vec()), "inherited, at the parent's file");
        let c = PomXml.catalog("app/pom.xml", APP, &MemTree::new().with("app/pom.xml", APP));
        assert_eq!(project(&c), Some(vec![]));
        assert!(c.packages.iter().all(|p| p.licenses.is_empty()), "dependencies declare none in a POM");
    }

    #[test]
    fn imported_boms_are_dev_packages() {
        let c = PomXml.catalog("pom.xml", PARENT, &reactor());
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages.len(), 2);
        assert_eq!(c.packages[1].purl, "pkg:maven/org.springframework/spring-framework-bom@6.1.0");
        assert_eq!(c.packages[1].scope, Scope::Dev);
        assert!(c.edges.is_empty());
    }

    #[test]
    fn parent_found_by_search_when_relative_path_misses() {
        let tree = MemTree::new().with("build/parent/pom.xml", PARENT).with("app/pom.xml", APP);
        let c = PomXml.catalog("app/pom.xml", APP, &tree);
        assert_eq!(c.packages[1].version, "32.1.3-jre");
        let explicit = APP.replace("</parent>", "<relativePath>../build/parent</relativePath></parent>");
        let c = PomXml.catalog("app/pom.xml", &explicit, &tree);
        assert_eq!(c.packages[2].version, "5.10.1");
    }

    #[test]
    fn parent_outside_the_tree_and_missing_properties() {
        let c = PomXml.catalog("app/pom.xml", APP, &MemTree::new());
        assert!(errors(&c).is_empty());
        let w = warnings(&c);
        assert!(w[0].contains("parent POM org.acme:acme-parent:2.0.0 is not in the scanned tree"), "{w:?}");
        assert_eq!(c.diagnostics[0].line, Some(2));
        // guava, junit, spring-core: no version; nested: ${shared.version} undefined.
        assert_eq!(w.iter().filter(|m| m.contains("version unresolved")).count(), 4, "{w:?}");
        assert!(w.iter().any(|m| m.contains("${shared.version} is not defined")));
        let names: Vec<&str> = c.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["org.acme:app", "jakarta.servlet:jakarta.servlet-api", "org.acme:lib", "org.acme:other"]
        );
        assert!(c.packages.iter().all(|p| !p.version.contains("${")));
    }

    #[test]
    fn cyclic_properties_and_ranges_are_diagnostics() {
        let pom = "<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version>\r\n\
<properties><a>${b}</a><b>${a}</b><deep>${deep}</deep></properties>\r\n<dependencies>\r\n\
<dependency><groupId>x</groupId><artifactId>cyc</artifactId><version>${a}</version></dependency>\r\n\
<dependency><groupId>x</groupId><artifactId>range</artifactId><version>[1.0,2.0)</version></dependency>\r\n\
<dependency><groupId>x</groupId><artifactId>ok</artifactId><version>1.0.0-SNAPSHOT</version><scope>runtime</scope></dependency>\r\n\
<dependency><groupId>x</groupId><artifactId>ok</artifactId><version>2.0.0-rc1</version><scope>test</scope></dependency>\r\n\
</dependencies></project>\r\n";
        let c = PomXml.catalog("pom.xml", pom, &MemTree::new());
        assert_eq!(errors(&c).len(), 1);
        assert!(errors(&c)[0].message.contains("cyclic"));
        assert_eq!(errors(&c)[0].line, Some(4));
        assert!(warnings(&c)[0].contains("range"));
        let got: Vec<(&str, Scope)> =
            c.packages.iter().skip(1).map(|p| (p.version.as_str(), p.scope)).collect();
        assert_eq!(got, [("1.0.0-SNAPSHOT", Scope::Required), ("2.0.0-rc1", Scope::Test)]);
        assert_eq!(c.packages[2].location.line, Some(7));
    }

    #[test]
    fn entities_cdata_and_namespaces() {
        let pom = "<p:project xmlns:p=\"http://maven.apache.org/POM/4.0.0\"><p:groupId>g</p:groupId>\
<p:artifactId>a</p:artifactId><p:version>1</p:version><p:dependencies><p:dependency>\
<p:groupId>com.x&amp;y</p:groupId><p:artifactId><![CDATA[art]]></p:artifactId><p:version>1&#46;0</p:version>\
</p:dependency></p:dependencies></p:project>";
        let c = PomXml.catalog("pom.xml", pom, &MemTree::new());
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.packages[1].name, "com.x&y:art");
        assert_eq!(c.packages[1].version, "1.0");
    }

    #[test]
    fn empty_truncated_and_malformed() {
        for (text, line) in [
            ("", None),
            ("   \n", None),
            ("<project><dependencies><dependency><groupId>a</groupId>", Some(1)),
            ("<project>\n<a></b>\n</project>", Some(2)),
            ("<notpom/>", Some(1)),
            ("<project>&bogus;</project>", Some(1)),
        ] {
            let c = PomXml.catalog("pom.xml", text, &MemTree::new());
            assert!(c.packages.is_empty(), "{text:?}");
            assert_eq!(c.diagnostics.len(), 1, "{text:?}");
            assert_eq!(c.diagnostics[0].severity, Severity::Error);
            assert_eq!(c.diagnostics[0].line, line, "{text:?}");
        }
        // Truncated in the middle of a real POM.
        let cut = &APP[..APP.len() / 2];
        let c = PomXml.catalog("app/pom.xml", cut, &reactor());
        assert_eq!(errors(&c).len(), 1);
        // Deep nesting is refused, not a stack overflow.
        let deep = format!("<project>{}", "<a>".repeat(10_000));
        assert_eq!(errors(&PomXml.catalog("pom.xml", &deep, &MemTree::new())).len(), 1);
    }

    #[test]
    fn parent_cycles_terminate() {
        let a = "<project><parent><groupId>g</groupId><artifactId>b</artifactId><version>1</version>\
<relativePath>b/pom.xml</relativePath></parent><artifactId>a</artifactId></project>";
        let b = "<project><parent><groupId>g</groupId><artifactId>a</artifactId><version>1</version>\
<relativePath>../pom.xml</relativePath></parent><artifactId>b</artifactId></project>";
        let tree = MemTree::new().with("pom.xml", a).with("b/pom.xml", b);
        let c = PomXml.catalog("pom.xml", a, &tree);
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.packages[0].purl, "pkg:maven/g/a@1");
    }

    #[test]
    fn wants_only_pom_xml() {
        assert!(PomXml.wants("pom.xml"));
        assert!(PomXml.wants("a/b/pom.xml"));
        assert!(!PomXml.wants("a/pom.xml.bak"));
        assert!(!PomXml.wants("a/my-pom.xml"));
    }
}

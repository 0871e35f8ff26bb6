//! .NET project files: `*.csproj`, `*.fsproj`, `*.vbproj` (SDK-style `PackageReference` items).
//!
//! Each `<PackageReference Include="X" Version="1.2.3" />` (or `Update="X"`, the version as an
//! attribute or a `<Version>` child) is a direct dependency. A version given as a bare number or an
//! exact range `[1.2.3]` is the pinned version; floating versions (`1.*`) and ranges
//! (`[1.0,2.0)`) are not pinned, so they give a warning and no package (the lockfile beside the
//! project, if any, has the resolved version). Versions using MSBuild properties (`$(X)`) cannot
//! be resolved without evaluating MSBuild: warning, no package. With central package management
//! the version comes from `VersionOverride`, else from `<PackageVersion Include= Version=>` in the
//! nearest `Directory.Packages.props` in this or an ancestor directory (through the tree; an
//! `<Import>` of a parent `Directory.Packages.props` continues the search upward, nearer files
//! winning). `PrivateAssets="all"` marks a development-only dependency (analyzers, build tools):
//! scope Dev. `ProjectReference` items are the solution's own projects and are not packages.
//! `Condition` attributes are not evaluated: every reference counts.

use super::{Catalog, Cataloger, LineIndex};
use crate::inventory::{Diagnostic, Ecosystem, Location, Package, Scope};
use crate::tree::{Tree, file_name, join, parent};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;

/// Reads .NET SDK-style project files.
pub struct NugetProject;

/// A `PackageReference` or `PackageVersion` item.
#[derive(Debug, Default, Clone)]
struct Item {
    name: String,
    version: Option<String>,
    version_override: Option<String>,
    private_assets: Option<String>,
    line: u32,
}

/// What an MSBuild file declares.
#[derive(Debug, Default)]
struct Items {
    items: Vec<Item>,
    /// True when the file imports another `Directory.Packages.props`.
    imports_parent_props: bool,
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref().eq_ignore_ascii_case(key.as_bytes()))
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.trim().to_string())
        })
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn item_from(e: &BytesStart<'_>, line: u32) -> Item {
    Item {
        name: attr(e, "Include").or_else(|| attr(e, "Update")).unwrap_or_default(),
        version: attr(e, "Version"),
        version_override: attr(e, "VersionOverride"),
        private_assets: attr(e, "PrivateAssets"),
        line,
    }
}

/// Reads the items named `element` from an MSBuild file; fails with a line and message.
fn read_items(text: &str, element: &str) -> Result<Items, (Option<u32>, String)> {
    let index = LineIndex::new(text);
    let line_at = |pos: u64| index.line(usize::try_from(pos).unwrap_or(usize::MAX));
    let mut reader = Reader::from_str(text);
    let mut out = Items::default();
    let mut current: Option<Item> = None;
    let mut child: Option<String> = None;
    let mut depth: usize = 0;
    let mut saw_root = false;
    loop {
        let pos = reader.buffer_position();
        match reader.read_event() {
            Err(e) => return Err((Some(line_at(reader.error_position())), e.to_string())),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                depth += 1;
                saw_root = true;
                let name = local(&e);
                if name == element {
                    current = Some(item_from(&e, line_at(pos)));
                } else if current.is_some() {
                    child = Some(name);
                }
            }
            Ok(Event::Empty(e)) => {
                saw_root = true;
                let name = local(&e);
                if name == element {
                    out.items.push(item_from(&e, line_at(pos)));
                } else if name == "Import"
                    && attr(&e, "Project").is_some_and(|p| p.contains("Directory.Packages.props"))
                {
                    out.imports_parent_props = true;
                }
            }
            Ok(Event::Text(t)) => {
                if let (Some(item), Some(child)) = (current.as_mut(), child.as_deref()) {
                    let value = t.decode().map(|v| v.trim().to_string()).unwrap_or_default();
                    match child {
                        "Version" => item.version = Some(value),
                        "VersionOverride" => item.version_override = Some(value),
                        "PrivateAssets" => item.private_assets = Some(value),
                        _ => {}
                    }
                }
            }
            Ok(Event::End(e)) => {
                depth = depth.saturating_sub(1);
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == element {
                    out.items.extend(current.take());
                    child = None;
                } else if child.as_deref() == Some(name.as_str()) {
                    child = None;
                }
            }
            Ok(_) => {}
        }
    }
    if depth > 0 {
        return Err((Some(index.line(text.len())), "the file ends inside an element (truncated?)".into()));
    }
    if !saw_root {
        return Err((None, "no XML element".into()));
    }
    Ok(out)
}

/// The exact version a NuGet version string pins, or why it pins none.
fn exact_version(v: &str) -> Result<String, &'static str> {
    let v = v.trim();
    if v.is_empty() {
        return Err("an empty version");
    }
    if v.contains("$(") {
        return Err("a version from an MSBuild property, which Cairn does not evaluate");
    }
    if v.contains('*') {
        return Err("a floating version");
    }
    if let Some(inner) = v.strip_prefix('[').and_then(|r| r.strip_suffix(']'))
        && !inner.contains(',')
        && !inner.trim().is_empty()
    {
        return Ok(inner.trim().to_string());
    }
    if v.starts_with('[') || v.starts_with('(') || v.contains(',') {
        return Err("a version range");
    }
    Ok(v.to_string())
}

/// Central package versions (lowercased name → version) for a project at `rel`.
fn central_versions(rel: &str, tree: &dyn Tree, out: &mut Catalog) -> HashMap<String, String> {
    let mut versions = HashMap::new();
    let mut dir = parent(rel).to_string();
    loop {
        if let Some(path) = join(&dir, "Directory.Packages.props")
            && let Ok(text) = tree.read(&path)
        {
            match read_items(&text, "PackageVersion") {
                Ok(items) => {
                    for it in items.items {
                        if let Some(v) = it.version {
                            versions.entry(it.name.to_ascii_lowercase()).or_insert(v);
                        }
                    }
                    if !items.imports_parent_props {
                        break;
                    }
                }
                Err((line, msg)) => {
                    out.diagnostics.push(Diagnostic::warning(
                        path,
                        line,
                        format!("cannot read central package versions: {msg}"),
                    ));
                    break;
                }
            }
        }
        if dir.is_empty() {
            break;
        }
        dir = parent(&dir).to_string();
    }
    versions
}

impl Cataloger for NugetProject {
    fn name(&self) -> &'static str {
        "nuget-project"
    }

    fn wants(&self, rel: &str) -> bool {
        let name = file_name(rel);
        [".csproj", ".fsproj", ".vbproj"].iter().any(|ext| name.len() > ext.len() && name.ends_with(ext))
    }

    fn catalog(&self, rel: &str, text: &str, tree: &dyn Tree) -> Catalog {
        if text.trim().is_empty() {
            return Catalog::failed(rel, None, "empty project file");
        }
        let items = match read_items(text, "PackageReference") {
            Ok(items) => items,
            Err((line, msg)) => {
                return Catalog::failed(rel, line, format!("not a valid project file: {msg}"));
            }
        };
        let mut out = Catalog::default();
        let central = if items.items.iter().any(|i| i.version.is_none() && i.version_override.is_none()) {
            central_versions(rel, tree, &mut out)
        } else {
            HashMap::new()
        };
        for it in items.items {
            if it.name.is_empty() {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    Some(it.line),
                    "PackageReference without Include or Update",
                ));
                continue;
            }
            let raw = it
                .version_override
                .clone()
                .or_else(|| it.version.clone())
                .or_else(|| central.get(&it.name.to_ascii_lowercase()).cloned());
            let Some(raw) = raw else {
                out.diagnostics.push(Diagnostic::warning(
                    rel,
                    Some(it.line),
                    format!("{} has no version here or in a Directory.Packages.props; not listed", it.name),
                ));
                continue;
            };
            let version = match exact_version(&raw) {
                Ok(v) => v,
                Err(why) => {
                    out.diagnostics.push(Diagnostic::warning(
                        rel,
                        Some(it.line),
                        format!("{} {raw:?} is {why}, not a pinned version; not listed", it.name),
                    ));
                    continue;
                }
            };
            let dev = it.private_assets.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("all"));
            let pkg = Package::new(Ecosystem::NuGet, &it.name, version, Location::new(rel, Some(it.line)))
                .map(|p| p.direct(true).scope(if dev { Scope::Dev } else { Scope::Required }));
            out.push(rel, pkg);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Severity;
    use crate::tree::MemTree;

    const PROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <ProjectReference Include="..\Core\Core.csproj" />
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
    <PackageReference Include="Serilog" Version="[3.1.0-dev-02078]" />
    <PackageReference Include="StyleCop.Analyzers" Version="1.2.0-beta.556+build.1" PrivateAssets="all" />
    <PackageReference Include="Dapper">
      <Version>2.1.28</Version>
      <PrivateAssets>All</PrivateAssets>
    </PackageReference>
    <PackageReference Update="Microsoft.NET.Test.Sdk" Version="17.9.0" />
    <PackageReference Include="Floating" Version="1.*" />
    <PackageReference Include="Ranged" Version="[1.0,2.0)" />
    <PackageReference Include="FromProp" Version="$(XVersion)" />
    <PackageReference Include="Central" />
  </ItemGroup>
</Project>
"#;

    fn run(rel: &str, text: &str, tree: &MemTree) -> Catalog {
        NugetProject.catalog(rel, text, tree)
    }

    #[test]
    fn references_versions_and_scopes() {
        let c = run("src/App/App.csproj", PROJ, &MemTree::new());
        let got: Vec<(&str, Scope, Option<u32>)> =
            c.packages.iter().map(|p| (p.purl.as_str(), p.scope, p.location.line)).collect();
        assert_eq!(
            got,
            [
                ("pkg:nuget/Newtonsoft.Json@13.0.3", Scope::Required, Some(4)),
                ("pkg:nuget/Serilog@3.1.0-dev-02078", Scope::Required, Some(5)),
                ("pkg:nuget/StyleCop.Analyzers@1.2.0-beta.556%2Bbuild.1", Scope::Dev, Some(6)),
                ("pkg:nuget/Dapper@2.1.28", Scope::Dev, Some(7)),
                ("pkg:nuget/Microsoft.NET.Test.Sdk@17.9.0", Scope::Required, Some(11)),
            ]
        );
        assert!(c.packages.iter().all(|p| p.direct == Some(true)));
        let warnings: Vec<(Option<u32>, &str)> =
            c.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        assert!(warnings[0].1.contains("floating") && warnings[0].0 == Some(12));
        assert!(warnings[1].1.contains("range"));
        assert!(warnings[2].1.contains("MSBuild property"));
        assert!(warnings[3].1.contains("Central has no version"));
        assert!(c.diagnostics.iter().all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn central_package_management_from_ancestors() {
        let tree = MemTree::new()
            .with(
                "Directory.Packages.props",
                r#"<Project><ItemGroup><PackageVersion Include="Central" Version="4.0.0" /><PackageVersion Include="Other" Version="9.9.9" /></ItemGroup></Project>"#,
            )
            .with(
                "src/Directory.Packages.props",
                "<Project>\r\n  <Import Project=\"$([MSBuild]::GetPathOfFileAbove(Directory.Packages.props, $(MSBuildThisFileDirectory)..))\" />\r\n  <ItemGroup>\r\n    <PackageVersion Include=\"central\" Version=\"5.0.0-rc.1\" />\r\n  </ItemGroup>\r\n</Project>",
            );
        let proj = "<Project>\r\n<ItemGroup>\r\n<PackageReference Include=\"Central\" />\r\n<PackageReference Include=\"Other\" />\r\n<PackageReference Include=\"Pinned\" VersionOverride=\"2.0.0\" />\r\n</ItemGroup>\r\n</Project>\r\n";
        let c = run("src/App/App.csproj", proj, &tree);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            ["pkg:nuget/Central@5.0.0-rc.1", "pkg:nuget/Other@9.9.9", "pkg:nuget/Pinned@2.0.0"]
        );
        assert_eq!(c.packages[1].location.line, Some(4));
        // Without the import the nearest file is the only one read.
        let tree = MemTree::new()
            .with(
                "Directory.Packages.props",
                r#"<Project><ItemGroup><PackageVersion Include="Other" Version="9.9.9" /></ItemGroup></Project>"#,
            )
            .with(
                "src/Directory.Packages.props",
                r#"<Project><ItemGroup><PackageVersion Include="Central" Version="1.0.0" /></ItemGroup></Project>"#,
            );
        let c = run("src/App/App.fsproj", proj, &tree);
        assert_eq!(c.packages.len(), 2);
        assert_eq!(c.diagnostics.len(), 1);
    }

    #[test]
    fn empty_truncated_and_wants() {
        let t = MemTree::new();
        assert_eq!(run("a.csproj", "", &t).diagnostics.len(), 1);
        let c = run("a.csproj", &PROJ[..PROJ.len() / 2], &t);
        assert!(c.packages.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].severity, Severity::Error);
        assert!(c.diagnostics[0].line.is_some());
        assert_eq!(run("a.csproj", "<Project><ItemGroup><Package", &t).diagnostics.len(), 1);
        assert!(NugetProject.wants("src/A/A.csproj"));
        assert!(NugetProject.wants("B.vbproj") && NugetProject.wants("c.fsproj"));
        assert!(!NugetProject.wants(".csproj") && !NugetProject.wants("a.csproj.user"));
        assert!(!NugetProject.wants("Directory.Packages.props"));
        assert_eq!(exact_version("[1.0]"), Ok("1.0".into()));
        assert!(exact_version("(,2.0]").is_err() && exact_version("[1.0, )").is_err());
    }
}

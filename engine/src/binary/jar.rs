//! Java archives (JAR, WAR, EAR): the Maven coordinates in `META-INF/maven/*/*/pom.properties`,
//! else `META-INF/MANIFEST.MF`'s vendor id, title and version; nested archives
//! (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, an EAR's modules) read in memory, bounded in depth,
//! entry count and bytes.

use crate::catalog::Catalog;
use crate::inventory::{Diagnostic, Ecosystem, Location, Package};
use std::io::{Cursor, Read};

/// Archives inside archives, at most this deep.
const MAX_DEPTH: usize = 3;
/// Entries of one archive looked at.
const MAX_ENTRIES: usize = 100_000;
/// Largest metadata file read.
const MAX_METADATA: u64 = 1024 * 1024;

/// True for the archive names Java uses.
pub fn wanted(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".jar", ".war", ".ear"].iter().any(|e| lower.ends_with(e))
}

/// The Maven packages of the archive at `path` and of the archives it nests; `max_nested` bounds
/// the bytes of one nested archive read into memory.
pub fn catalog(path: &str, bytes: &[u8], max_nested: u64) -> Catalog {
    let mut out = Catalog::default();
    read(path, bytes, max_nested, 0, &mut out);
    out
}

fn read(path: &str, bytes: &[u8], max_nested: u64, depth: usize, out: &mut Catalog) {
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                path,
                None,
                format!("not a readable Java archive: {e}"),
            ));
            return;
        }
    };
    if zip.len() > MAX_ENTRIES {
        out.diagnostics.push(Diagnostic::warning(
            path,
            None,
            format!("{} entries, over the {MAX_ENTRIES} read from one archive: not read", zip.len()),
        ));
        return;
    }
    let mut found_pom = false;
    let mut manifest: Option<String> = None;
    let mut nested: Vec<String> = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else { continue };
        let Ok(name) = entry.name().map(|n| n.into_owned()) else { continue };
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            if let Some(text) = small_text(&mut entry) {
                let at = format!("{path}!/{name}");
                if let Some(p) = pom_properties(&text, &at) {
                    found_pom = true;
                    out.push(&at, p);
                }
            }
        } else if name == "META-INF/MANIFEST.MF" {
            manifest = small_text(&mut entry);
        } else if wanted(&name) && !entry.is_dir() {
            nested.push(name);
        }
    }
    if !found_pom {
        let at = format!("{path}!/META-INF/MANIFEST.MF");
        match manifest.as_deref().and_then(|m| from_manifest(m, &at)) {
            Some(p) => {
                out.push(&at, p);
            }
            None => out.diagnostics.push(Diagnostic::info(
                path,
                None,
                "Java archive without pom.properties or a manifest naming its vendor id, title and version: not identified",
            )),
        }
    }
    for name in nested {
        let inner_path = format!("{path}!/{name}");
        if depth + 1 > MAX_DEPTH {
            out.diagnostics.push(Diagnostic::warning(
                inner_path.as_str(),
                None,
                format!("nested over {MAX_DEPTH} archives deep: not read"),
            ));
            continue;
        }
        let Ok(entry) = zip.by_name(&name) else { continue };
        if entry.size() > max_nested {
            out.diagnostics.push(Diagnostic::warning(
                inner_path.as_str(),
                None,
                format!(
                    "{} bytes, over the {max_nested}-byte limit for a nested archive: not read",
                    entry.size()
                ),
            ));
            continue;
        }
        let mut inner = Vec::new();
        // `take` bounds the bytes whatever the entry's declared size says.
        if entry.take(max_nested).read_to_end(&mut inner).is_ok() {
            read(&inner_path, &inner, max_nested, depth + 1, out);
        }
    }
}

fn small_text(entry: &mut impl Read) -> Option<String> {
    let mut s = String::new();
    entry.take(MAX_METADATA).read_to_string(&mut s).ok()?;
    Some(s)
}

fn pom_properties(text: &str, at: &str) -> Option<Result<Package, crate::inventory::PurlError>> {
    let get = |k: &str| {
        text.lines().find_map(|l| {
            let (key, v) = l.split_once('=')?;
            (key.trim() == k).then(|| v.trim().to_owned())
        })
    };
    let (g, a, v) = (get("groupId")?, get("artifactId")?, get("version")?);
    Some(Package::new(Ecosystem::Maven, format!("{g}:{a}"), v, Location::new(at, None)))
}

/// A manifest's main attributes (continuation lines joined).
fn from_manifest(text: &str, at: &str) -> Option<Result<Package, crate::inventory::PurlError>> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some(last) = attrs.last_mut() {
                last.1.push_str(rest);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            attrs.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let get = |k: &str| attrs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let group = get("Implementation-Vendor-Id")?;
    let artifact = get("Implementation-Title")?;
    let version = get("Implementation-Version")?;
    Some(Package::new(Ecosystem::Maven, format!("{group}:{artifact}"), version, Location::new(at, None)))
}

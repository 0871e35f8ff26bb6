//! Go binaries' embedded build information (Go 1.18+): the Go version, the main module and every
//! dependency module with its version, as `go version -m` prints them. Found by the
//! `\xff Go buildinf:` header the linker writes into the binary's data.

use crate::catalog::Catalog;
use crate::inventory::{Ecosystem, Location, Package};
use regex::bytes::Regex;
use std::sync::LazyLock;

const MAGIC: &[u8] = b"\xff Go buildinf:";
/// The header: magic (14), pointer size (1), flags (1), then two pointers or padding; 32 bytes.
const HEADER: usize = 32;
/// Flag bit: version and module info follow the header as length-prefixed strings (Go 1.18+).
const INLINE_STRINGS: u8 = 2;

/// A module as the build information records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The module path.
    pub path: String,
    /// Its version (`(devel)` for a main module built from a checkout).
    pub version: String,
    /// Its go.sum hash (`h1:…`), when recorded.
    pub sum: Option<String>,
}

/// What a Go binary says about how it was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain, `go1.22.1`.
    pub go_version: String,
    /// The main package's import path.
    pub path: Option<String>,
    /// The main module.
    pub main: Option<Module>,
    /// Dependency modules (replacements applied).
    pub deps: Vec<Module>,
}

/// Reads the build information of a Go binary: `None` when `bytes` carry none (not a Go binary),
/// `Some(Err(reason))` when they carry some Cairn cannot read.
pub fn read(bytes: &[u8]) -> Option<Result<BuildInfo, String>> {
    static MAGIC_RE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?-u)\xff Go buildinf:").ok());
    let at = MAGIC_RE.as_ref()?.find(bytes)?.start();
    let header = bytes.get(at..at + HEADER)?;
    let flags = header[MAGIC.len() + 1];
    if flags & INLINE_STRINGS == 0 {
        return Some(Err(
            "Go build information in the pre-Go 1.18 pointer format, which Cairn does not read".into(),
        ));
    }
    let mut rest = &bytes[at + HEADER..];
    let version = string(&mut rest);
    let modinfo = string(&mut rest);
    let (Some(version), Some(modinfo)) = (version, modinfo) else {
        return Some(Err("truncated Go build information".into()));
    };
    let modinfo = strip_sentinels(modinfo);
    let go_version = String::from_utf8_lossy(version).into_owned();
    Some(Ok(parse_modinfo(go_version, &String::from_utf8_lossy(modinfo))))
}

/// A uvarint-length-prefixed string.
fn string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let (&b, tail) = rest.split_first()?;
        *rest = tail;
        len |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let len = usize::try_from(len).ok()?;
    let (s, tail) = (rest.get(..len)?, rest.get(len..)?);
    *rest = tail;
    Some(s)
}

/// The module information is wrapped in 16-byte sentinels, as `debug/buildinfo` strips them.
fn strip_sentinels(m: &[u8]) -> &[u8] {
    if m.len() >= 33 && m[m.len() - 17] == b'\n' { &m[16..m.len() - 16] } else { m }
}

fn module(fields: &[&str]) -> Option<Module> {
    let path = fields.first()?.to_string();
    Some(Module {
        path,
        version: fields.get(1).map(|v| v.to_string()).unwrap_or_default(),
        sum: fields.get(2).map(|s| s.to_string()),
    })
}

/// Parses the `path`/`mod`/`dep`/`=>` lines.
pub fn parse_modinfo(go_version: String, text: &str) -> BuildInfo {
    let mut info = BuildInfo { go_version, path: None, main: None, deps: Vec::new() };
    let mut last_dep = false;
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["path", p, ..] => info.path = Some((*p).to_owned()),
            ["mod", rest @ ..] => {
                info.main = module(rest);
                last_dep = false;
            }
            ["dep", rest @ ..] => {
                if let Some(m) = module(rest) {
                    info.deps.push(m);
                    last_dep = true;
                }
            }
            ["=>", rest @ ..] => {
                let Some(m) = module(rest) else { continue };
                // A replacement applies to the line before it; a local path replacement has no version.
                if last_dep {
                    if let Some(d) = info.deps.last_mut() {
                        *d = m;
                    }
                } else if let Some(main) = info.main.as_mut() {
                    *main = m;
                }
            }
            _ => {}
        }
    }
    info
}

/// The packages of one binary at `path`: the main module, its dependencies and the Go standard
/// library it was built with (`pkg:golang/stdlib@go1.22.1`).
pub fn catalog(path: &str, info: &BuildInfo) -> Catalog {
    let mut out = Catalog::default();
    let loc = || Location::new(path, None);
    let version = |v: &str| if v == "(devel)" { String::new() } else { v.to_owned() };
    let main_purl = info.main.as_ref().filter(|m| !m.path.is_empty()).and_then(|m| {
        out.push(
            path,
            Package::new(Ecosystem::Go, &m.path, version(&m.version), loc()).map(|p| p.direct(true)),
        )
        .map(|p| p.purl.clone())
    });
    for d in &info.deps {
        let pushed = out.push(path, Package::new(Ecosystem::Go, &d.path, version(&d.version), loc()));
        if let (Some(from), Some(to)) = (&main_purl, pushed.map(|p| p.purl.clone())) {
            out.edge(from.clone(), to);
        }
    }
    if !info.go_version.is_empty() {
        let stdlib = out.push(path, Package::new(Ecosystem::Go, "stdlib", &info.go_version, loc()));
        if let (Some(from), Some(to)) = (&main_purl, stdlib.map(|p| p.purl.clone())) {
            out.edge(from.clone(), to);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut b = b"junk before".to_vec();
        b.extend_from_slice(MAGIC);
        b.push(8);
        b.push(INLINE_STRINGS);
        b.extend_from_slice(&[0; HEADER - 16]);
        for s in [version.as_bytes(), modinfo.as_bytes()] {
            let mut n = s.len();
            while n >= 0x80 {
                b.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
            b.push(n as u8);
            b.extend_from_slice(s);
        }
        b
    }

    #[test]
    fn reads_inline_build_info_with_replacements() {
        let sentinel = "0123456789abcdef";
        let modinfo = format!(
            "{sentinel}path\texample.com/cmd/x\nmod\texample.com\tv1.2.3\th1:abc=\ndep\tgolang.org/x/sys\tv0.1.0\th1:x=\ndep\tgithub.com/a/b\tv1.0.0\th1:y=\n=>\tgithub.com/fork/b\tv1.0.1\th1:z=\nbuild\t-compiler=gc\n{sentinel}"
        );
        let info = read(&blob("go1.22.1", &modinfo)).expect("go").expect("reads");
        assert_eq!(info.go_version, "go1.22.1");
        assert_eq!(info.path.as_deref(), Some("example.com/cmd/x"));
        assert_eq!(info.main.as_ref().map(|m| m.version.as_str()), Some("v1.2.3"));
        let deps: Vec<(&str, &str)> =
            info.deps.iter().map(|d| (d.path.as_str(), d.version.as_str())).collect();
        assert_eq!(deps, [("golang.org/x/sys", "v0.1.0"), ("github.com/fork/b", "v1.0.1")]);
        let c = catalog("usr/bin/x", &info);
        let purls: Vec<&str> = c.packages.iter().map(|p| p.purl.as_str()).collect();
        assert!(purls.contains(&"pkg:golang/stdlib@go1.22.1"), "{purls:?}");
        assert!(purls.contains(&"pkg:golang/github.com/fork/b@v1.0.1"), "{purls:?}");
    }

    #[test]
    fn not_go_and_old_format() {
        assert!(read(b"\x7fELF nothing here").is_none());
        let mut old = MAGIC.to_vec();
        old.extend_from_slice(&[8, 0]);
        old.extend_from_slice(&[0; 16]);
        assert!(matches!(read(&old), Some(Err(_))));
    }
}

//! os-release (`/etc/os-release`, else `/usr/lib/os-release`): which distribution and release an
//! image is, for purls (`distro=debian-12`) and advisories (`Debian:12`).

use crate::inventory::Ecosystem;
use crate::tree::{ReadError, Tree};
use serde::{Deserialize, Serialize};

/// Where os-release lives, in the order systemd reads them.
pub const PATHS: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// The fields of os-release Cairn uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    /// `ID`: `debian`, `ubuntu`, `alpine`, …
    pub id: String,
    /// `ID_LIKE`, split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    /// `VERSION_ID`: `12`, `22.04`, `3.19.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `VERSION`: `12 (bookworm)`, `22.04.4 LTS (Jammy Jellyfish)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `VERSION_CODENAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
}

/// Reads the image's os-release: `None` when it has none, `Err` with the path when one is there
/// but unreadable.
pub fn read(tree: &dyn Tree) -> Option<Result<OsRelease, (String, ReadError)>> {
    for path in PATHS {
        match tree.read(path) {
            Ok(text) => return Some(Ok(parse(&text))),
            Err(ReadError::NotFound) => continue,
            Err(e) => return Some(Err((path.to_owned(), e))),
        }
    }
    None
}

/// Parses os-release's shell-like `KEY=value` lines (quoted or not).
pub fn parse(text: &str) -> OsRelease {
    let mut r = OsRelease::default();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else { continue };
        let value = unquote(value.trim());
        let value = (!value.is_empty()).then_some(value);
        match key.trim() {
            "ID" => r.id = value.unwrap_or_default().to_ascii_lowercase(),
            "ID_LIKE" => {
                r.id_like = value.unwrap_or_default().split_whitespace().map(str::to_owned).collect()
            }
            "VERSION_ID" => r.version_id = value,
            "VERSION" => r.version = value,
            "VERSION_CODENAME" => r.codename = value,
            "PRETTY_NAME" => r.pretty_name = value,
            _ => {}
        }
    }
    r
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

impl OsRelease {
    /// The distribution ecosystem whose advisories apply, for the distributions Cairn matches.
    pub fn ecosystem(&self) -> Option<Ecosystem> {
        match self.id.as_str() {
            "debian" => Some(Ecosystem::Debian),
            "ubuntu" => Some(Ecosystem::Ubuntu),
            "alpine" => Some(Ecosystem::Alpine),
            _ => None,
        }
    }

    /// The release as OSV's ecosystem suffix spells it: `Debian:12`'s `12`, `Ubuntu:22.04:LTS`'s
    /// `22.04:LTS`, `Alpine:v3.19`'s `v3.19`. `None` when os-release does not say.
    pub fn osv_release(&self) -> Option<String> {
        let v = self.version_id.as_deref()?;
        match self.ecosystem()? {
            Ecosystem::Debian => Some(v.split('.').next().unwrap_or(v).to_owned()),
            Ecosystem::Ubuntu => {
                let lts = self.version.as_deref().is_some_and(|s| s.contains("LTS"));
                Some(if lts { format!("{v}:LTS") } else { v.to_owned() })
            }
            Ecosystem::Alpine => {
                let mut parts = v.split('.');
                Some(format!("v{}.{}", parts.next()?, parts.next()?))
            }
            _ => None,
        }
    }

    /// The purl `distro` qualifier: `debian-12`, `alpine-3.19.1`.
    pub fn distro_qualifier(&self) -> Option<String> {
        Some(format!("{}-{}", self.id, self.version_id.as_deref()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_in_osv_spelling() {
        let debian = parse("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
        assert_eq!(debian.osv_release().as_deref(), Some("12"));
        assert_eq!(debian.distro_qualifier().as_deref(), Some("debian-12"));
        let ubuntu = parse("ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\n");
        assert_eq!(ubuntu.osv_release().as_deref(), Some("22.04:LTS"));
        let alpine = parse("ID=alpine\nVERSION_ID=3.19.1\n");
        assert_eq!(alpine.osv_release().as_deref(), Some("v3.19"));
        assert_eq!(parse("ID=fedora\nVERSION_ID=40").osv_release(), None);
    }
}

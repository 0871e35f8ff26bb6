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

    /// The OSV ecosystem of an rpm distribution's packages, whole (each rpm distribution is its
    /// own OSV ecosystem): `AlmaLinux:9` and `Rocky Linux:9` (major release: ALSA and RLSA
    /// records name `AlmaLinux:9` for 9.4), `Azure Linux:2` (CBL-Mariner 2.0, whose `ID` is
    /// `mariner`: OSV files CBL-Mariner's advisories under Azure Linux, by major release),
    /// `openSUSE:Leap 15.5`. A distribution without an OSV ecosystem Cairn matches (Fedora, RHEL,
    /// Amazon Linux, SLES) gets `<ID>:<VERSION_ID>` (`fedora:40`), which names no OSV ecosystem,
    /// so coverage says what it is and that nothing matched it. `None` without `ID` and
    /// `VERSION_ID`: the release is unknown.
    pub fn rpm_ecosystem(&self) -> Option<String> {
        let v = self.version_id.as_deref().filter(|v| !v.is_empty())?;
        let major = v.split('.').next().unwrap_or(v);
        Some(match self.id.as_str() {
            "" => return None,
            "almalinux" => format!("AlmaLinux:{major}"),
            "rocky" => format!("Rocky Linux:{major}"),
            "mariner" | "azurelinux" => format!("Azure Linux:{major}"),
            "opensuse-leap" => format!("openSUSE:Leap {v}"),
            other => format!("{other}:{v}"),
        })
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

    /// os-release of real images (AlmaLinux 9.2 as Azathothas/Distropacks records it, CBL-Mariner
    /// 2.0 and Azure Linux 3.0 as their images ship it) against the ecosystem strings of OSV's
    /// records: `AlmaLinux:9` (ALSA files), `Rocky Linux:9` (RLSA), `Azure Linux:2`/`:3` (AZL: by
    /// major release, CBL-Mariner filed under Azure Linux), `openSUSE:Leap 15.5`.
    #[test]
    fn rpm_distributions_in_osv_spelling() {
        for (text, want) in [
            (
                "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.2\"\n",
                Some("AlmaLinux:9"),
            ),
            ("NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n", Some("Rocky Linux:9")),
            (
                "NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20240609\"\nID=mariner\nVERSION_ID=\"2.0\"\n",
                Some("Azure Linux:2"),
            ),
            (
                "NAME=\"Microsoft Azure Linux\"\nVERSION=\"3.0.20240727\"\nID=azurelinux\nVERSION_ID=\"3.0\"\n",
                Some("Azure Linux:3"),
            ),
            (
                "NAME=\"openSUSE Leap\"\nID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\n",
                Some("openSUSE:Leap 15.5"),
            ),
            ("ID=fedora\nVERSION_ID=40\n", Some("fedora:40")),
            ("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n", Some("rhel:9.4")),
            ("ID=almalinux\n", None),
            ("VERSION_ID=9\n", None),
        ] {
            assert_eq!(parse(text).rpm_ecosystem().as_deref(), want, "{text}");
        }
    }
}

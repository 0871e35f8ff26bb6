//! Platforms (`linux/amd64`, `linux/arm64/v8`) as OCI indexes and image configurations name them:
//! the engine reads images for one, the registry client (cairn-sdk) pulls for one, the daemon and
//! the CLI take one from the user.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An operating system, architecture and optional variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Platform {
    /// `linux`, `windows`, …
    pub os: String,
    /// `amd64`, `arm64`, …
    pub architecture: String,
    /// `v7`, `v8`, … when the architecture has variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Default for Platform {
    /// `linux/amd64`, what Cairn scans when no platform is asked for.
    fn default() -> Self {
        Platform { os: "linux".into(), architecture: "amd64".into(), variant: None }
    }
}

impl Platform {
    /// True when `self` (what was asked for) accepts `other` (what an image is): same os and
    /// architecture, and the same variant when one was asked for (arm64's `v8` is its default).
    pub fn accepts(&self, other: &Platform) -> bool {
        let variant = |p: &Platform| match (p.architecture.as_str(), p.variant.as_deref()) {
            ("arm64", None) => Some("v8".to_owned()),
            (_, v) => v.map(str::to_owned),
        };
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || variant(self) == variant(other))
    }
}

/// A platform that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformError(pub String);

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "platform {:?} is not os/arch or os/arch/variant (e.g. linux/amd64, linux/arm64/v8)",
            self.0
        )
    }
}

impl std::error::Error for PlatformError {}

impl FromStr for Platform {
    type Err = PlatformError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        match parts.as_slice() {
            [os, arch] if ok(os) && ok(arch) => {
                Ok(Platform { os: (*os).to_owned(), architecture: (*arch).to_owned(), variant: None })
            }
            [os, arch, v] if ok(os) && ok(arch) && ok(v) => Ok(Platform {
                os: (*os).to_owned(),
                architecture: (*arch).to_owned(),
                variant: Some((*v).to_owned()),
            }),
            _ => Err(PlatformError(s.to_owned())),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let p: Platform = "linux/arm64".parse().expect("parses");
        assert!(p.accepts(&"linux/arm64/v8".parse().expect("parses")));
        assert!(!p.accepts(&Platform::default()));
        let v7: Platform = "linux/arm/v7".parse().expect("parses");
        assert!(!v7.accepts(&"linux/arm/v6".parse().expect("parses")));
        assert_eq!(v7.to_string(), "linux/arm/v7");
        for bad in ["linux", "", "linux/", "linux/amd64/v1/x", "../x"] {
            assert!(bad.parse::<Platform>().is_err(), "{bad}");
        }
    }
}

//! Image references as `docker pull` takes them: `[registry/]repository[:tag][@sha256:…]`, with
//! Docker Hub's defaults (`debian` is `docker.io/library/debian:latest`).

use std::fmt;

/// The registry a reference without one names.
pub const DOCKER_HUB: &str = "docker.io";
/// Where Docker Hub's Distribution API answers.
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// A reference that does not parse, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("image reference {reference:?}: {reason}")]
pub struct ReferenceError {
    /// The text given.
    pub reference: String,
    /// What is wrong with it.
    pub reason: String,
}

impl ImageReference {
    /// Parses `registry/repo:tag`, `registry/repo@sha256:<hex>`, `repo:tag`, `repo`.
    pub fn parse(text: &str) -> Result<ImageReference, ReferenceError> {
        let fail = |reason: &str| ReferenceError { reference: text.to_owned(), reason: reason.to_owned() };
        if text.is_empty() || text.len() > 1024 {
            return Err(fail("must be 1 to 1024 characters"));
        }
        if text.contains("://") {
            return Err(fail("a reference has no scheme (registry.example.com/repo:tag)"));
        }
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) => {
                let hex =
                    d.strip_prefix("sha256:").ok_or_else(|| fail("the digest must be sha256:<64 hex>"))?;
                if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                    return Err(fail("the digest must be sha256:<64 lower-case hex digits>"));
                }
                (r, Some(d.to_owned()))
            }
            None => (text, None),
        };
        // A tag follows the last ':' after the last '/' (a ':' before it is the registry's port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(rest[last_slash + i + 1..].to_owned())),
            None => (rest, None),
        };
        if let Some(t) = &tag
            && !valid_tag(t)
        {
            return Err(fail("the tag must be [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_owned(), path.to_owned())
            }
            _ => (DOCKER_HUB.to_owned(), name.to_owned()),
        };
        if !valid_host(&registry) {
            return Err(fail("the registry must be host[:port]"));
        }
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if !repository.split('/').all(valid_component) {
            return Err(fail(
                "the repository must be lower-case path components of [a-z0-9] joined by '.', '_', '__' or '-'",
            ));
        }
        let tag = if tag.is_none() && digest.is_none() { Some("latest".to_owned()) } else { tag };
        Ok(ImageReference { registry, repository, tag, digest })
    }

    /// The registry as written (`host[:port]`), `docker.io` by default.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host the Distribution API answers on (Docker Hub's differs from its name).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB { DOCKER_HUB_API } else { &self.registry }
    }

    /// The repository (`library/debian`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, when one was given (or `latest` when neither tag nor digest was).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, when one was given.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// What the manifest is fetched by: the digest when given, else the tag.
    pub fn manifest_reference(&self) -> &str {
        self.digest.as_deref().or(self.tag.as_deref()).unwrap_or("latest")
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: &u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    !b.is_empty()
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter().all(|x| alnum(x) || matches!(x, b'.' | b'_' | b'-'))
        && !c.contains("..")
}

fn valid_host(h: &str) -> bool {
    let (host, port) = match h.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || h.starts_with('[') => (host, Some(port)),
        _ => (h, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        v6.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        host.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    host_ok && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_defaults_and_explicit_registries() {
        let r = ImageReference::parse("debian").expect("parses");
        assert_eq!(
            (r.registry(), r.api_host(), r.repository(), r.tag()),
            ("docker.io", "registry-1.docker.io", "library/debian", Some("latest"))
        );
        let r = ImageReference::parse("127.0.0.1:5000/cairn/debian:12").expect("parses");
        assert_eq!(
            (r.api_host(), r.repository(), r.manifest_reference()),
            ("127.0.0.1:5000", "cairn/debian", "12")
        );
        let d = format!("sha256:{}", "ab".repeat(32));
        let r = ImageReference::parse(&format!("ghcr.io/o/r:v1@{d}")).expect("parses");
        assert_eq!((r.tag(), r.manifest_reference()), (Some("v1"), d.as_str()));
        assert_eq!(r.to_string(), format!("ghcr.io/o/r:v1@{d}"));
        let r = ImageReference::parse("localhost/x").expect("parses");
        assert_eq!(r.registry(), "localhost");
    }

    #[test]
    fn bad_references_say_why() {
        for bad in [
            "",
            "https://ghcr.io/o/r",
            "Debian",
            "ghcr.io/o/r:",
            "ghcr.io/o/r@sha256:abc",
            "ghcr.io/o/r@md5:abc",
            "ghcr.io/../r",
            "ghcr.io:0/r",
            "ghcr.io/o/r:-x",
            "-h/o/r",
            "./dir:1",
            "../dir:1",
        ] {
            assert!(ImageReference::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}

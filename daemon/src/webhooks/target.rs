//! Where a webhook may send: an `http(s)` URL whose host resolves only to public addresses
//! (the rule of `sources::url::forbidden`), unless private targets are allowed. The addresses
//! checked are the ones connected to (see `send`), so a second DNS answer cannot differ.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Why a target is refused.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Not an absolute http(s) URL with a host.
    #[error("{0}")]
    Invalid(String),
    /// It resolves to an address that is not public.
    #[error(
        "{host} is a {why} address ({ip}); private, loopback and link-local targets are refused unless \
         webhooks.allow_private_targets is set"
    )]
    Private {
        /// The host as written.
        host: String,
        /// The address class.
        why: &'static str,
        /// The address.
        ip: IpAddr,
    },
    /// It does not resolve.
    #[error("cannot resolve {host}: {message}")]
    Unresolved {
        /// The host.
        host: String,
        /// Why.
        message: String,
    },
}

/// A checked URL and the addresses to connect to.
#[derive(Debug, Clone)]
pub struct Pinned {
    /// The URL.
    pub url: url::Url,
    /// Its host as reqwest looks it up (a domain; empty for an IP literal, which needs no pin).
    pub domain: Option<String>,
    /// The checked addresses.
    pub addrs: Vec<SocketAddr>,
}

/// Parses `raw` as a webhook URL (no resolution).
pub fn parse(raw: &str) -> Result<url::Url, TargetError> {
    let url = url::Url::parse(raw).map_err(|e| TargetError::Invalid(format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::Invalid("must be an http:// or https:// URL".into()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::Invalid("must name a host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Invalid(
            "must not carry credentials (the body is signed; the receiver checks the signature)".into(),
        ));
    }
    if url.fragment().is_some() {
        return Err(TargetError::Invalid("must not have a #fragment".into()));
    }
    if raw.len() > 2048 {
        return Err(TargetError::Invalid("must be at most 2048 characters".into()));
    }
    Ok(url)
}

/// Resolves `url`'s host once and checks every address.
pub async fn resolve(url: &url::Url, allow_private: bool, timeout: Duration) -> Result<Pinned, TargetError> {
    let port = url.port_or_known_default().unwrap_or(443);
    let (domain, addrs) = match url.host() {
        Some(url::Host::Ipv4(ip)) => (None, vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(url::Host::Ipv6(ip)) => (None, vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(url::Host::Domain(host)) => {
            let unresolved = |message: String| TargetError::Unresolved { host: host.to_owned(), message };
            let addrs: Vec<SocketAddr> = tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)))
                .await
                .map_err(|_| unresolved("timed out".into()))?
                .map_err(|e| unresolved(e.to_string()))?
                .collect();
            if addrs.is_empty() {
                return Err(unresolved("no address".into()));
            }
            (Some(host.to_owned()), addrs)
        }
        None => return Err(TargetError::Invalid("must name a host".into())),
    };
    if !allow_private {
        for addr in &addrs {
            if let Some(why) = crate::sources::url::forbidden(addr.ip()) {
                let host = url.host_str().unwrap_or_default().to_owned();
                return Err(TargetError::Private { host, why, ip: addr.ip() });
            }
        }
    }
    Ok(Pinned { url: url.clone(), domain, addrs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        let t = Duration::from_secs(5);
        for raw in
            ["http://169.254.169.254/latest", "http://127.0.0.1:9/", "http://[::1]/", "http://10.1.2.3/"]
        {
            let url = parse(raw).expect("parses");
            assert!(matches!(resolve(&url, false, t).await, Err(TargetError::Private { .. })), "{raw}");
            assert!(resolve(&url, true, t).await.is_ok(), "{raw}");
        }
        // A name is judged by what it resolves to.
        let url = parse("http://localhost:9/hook").expect("parses");
        let err = resolve(&url, false, t).await.expect_err("refused");
        assert!(err.to_string().contains("loopback"), "{err}");
        let pinned = resolve(&url, true, t).await.expect("allowed");
        assert_eq!(pinned.domain.as_deref(), Some("localhost"));
        assert!(pinned.addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 9));
        for bad in ["ftp://example.com/", "http://user:pw@example.com/", "not a url", "http://example.com/#x"]
        {
            assert!(matches!(parse(bad), Err(TargetError::Invalid(_))), "{bad}");
        }
    }
}

//! A tenant's git credential once opened: what git is given for a clone, and which stored
//! credential applies to a host (the longest matching pattern).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The user name sent with a token when none is given (GitHub's and Gitea's convention).
pub const DEFAULT_USERNAME: &str = "x-access-token";
/// Largest secret accepted (an ssh key with a long comment fits easily).
pub const MAX_SECRET_BYTES: usize = 16 * 1024;

/// The secret part, as sealed in the store (serialised, then encrypted).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GitSecret {
    /// HTTP basic authentication with a token.
    Token {
        /// User name.
        username: String,
        /// The token.
        token: String,
    },
    /// An OpenSSH private key.
    SshKey {
        /// PEM text.
        private_key: String,
    },
}

// Secrets never reach a log through Debug.
impl std::fmt::Debug for GitSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token { username, .. } => {
                write!(f, "Token {{ username: {username:?}, token: <redacted> }}")
            }
            Self::SshKey { .. } => f.write_str("SshKey(<redacted>)"),
        }
    }
}

impl GitSecret {
    /// The `http.extraHeader` value for a token: basic authentication, so the token is in
    /// neither the URL nor git's argument list.
    pub fn basic_auth_header(&self) -> Option<String> {
        match self {
            Self::Token { username, token } => {
                Some(format!("Authorization: Basic {}", STANDARD.encode(format!("{username}:{token}"))))
            }
            Self::SshKey { .. } => None,
        }
    }
}

/// A valid host pattern, lower-cased: an exact host (name or address) or `*.` and a domain.
pub fn check_host_pattern(pattern: &str) -> Result<String, &'static str> {
    let lower = pattern.trim().to_ascii_lowercase();
    let host = lower.strip_prefix("*.").unwrap_or(&lower);
    if host.is_empty() || host.len() > 253 {
        return Err("must be a host name or address, or *.domain");
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return if lower.starts_with("*.") {
            Err("a wildcard needs a domain name, not an address")
        } else {
            Ok(lower)
        };
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !host.split('.').all(label_ok) {
        return Err(
            "must be a host name (letters, digits, '-' and '.'), an address, or *.domain; no scheme, port or path",
        );
    }
    Ok(lower)
}

/// Whether `pattern` (as [`check_host_pattern`] returns it) covers `host`. `*.example.com`
/// covers every subdomain of example.com, not example.com itself.
pub fn matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(domain) => host.len() > domain.len() + 1 && host.ends_with(&format!(".{domain}")),
        None => pattern == host,
    }
}

/// The pattern among `patterns` that applies to `host`: the longest that matches.
pub fn best_match<'a>(patterns: impl IntoIterator<Item = &'a str>, host: &str) -> Option<&'a str> {
    patterns.into_iter().filter(|p| matches(p, host)).max_by_key(|p| p.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_patterns() {
        assert_eq!(check_host_pattern("Git.Example.com").as_deref(), Ok("git.example.com"));
        assert_eq!(check_host_pattern("*.example.com").as_deref(), Ok("*.example.com"));
        assert_eq!(check_host_pattern("127.0.0.1").as_deref(), Ok("127.0.0.1"));
        for bad in [
            "",
            "*.",
            "https://github.com",
            "github.com:443",
            "a b",
            "*.127.0.0.1",
            "*",
            "gi*t.com",
            "-a.com",
        ] {
            assert!(check_host_pattern(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_longest_matching_pattern_wins() {
        let patterns = ["*.example.com", "*.git.example.com", "git.example.com", "other.org"];
        assert_eq!(best_match(patterns, "a.git.example.com"), Some("*.git.example.com"));
        assert_eq!(best_match(patterns, "git.example.com"), Some("git.example.com"));
        assert_eq!(best_match(patterns, "x.example.com"), Some("*.example.com"));
        assert_eq!(best_match(patterns, "example.com"), None);
        assert_eq!(best_match(patterns, "evilexample.com"), None);
        assert_eq!(best_match(patterns, "other.org.evil.net"), None);
    }

    #[test]
    fn tokens_become_a_basic_auth_header_and_never_debug_output() {
        let secret = GitSecret::Token { username: "bot".into(), token: "ghp_x".into() };
        assert_eq!(secret.basic_auth_header().as_deref(), Some("Authorization: Basic Ym90OmdocF94"));
        assert!(!format!("{secret:?}").contains("ghp_x"));
        let key = GitSecret::SshKey { private_key: "-----BEGIN OPENSSH PRIVATE KEY-----".into() };
        assert!(key.basic_auth_header().is_none() && !format!("{key:?}").contains("BEGIN"));
    }
}

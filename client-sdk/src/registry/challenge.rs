//! `WWW-Authenticate` challenges of a registry's 401 (RFC 7235): `Basic realm="…"` or
//! `Bearer realm="…",service="…",scope="…"` (the Docker token protocol).

use std::collections::BTreeMap;

/// What a registry asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// HTTP basic authentication on every request.
    Basic,
    /// A token from `realm`, for `service` and `scope`.
    Bearer {
        /// The token endpoint (an absolute URL).
        realm: String,
        /// The `service` parameter to send back.
        service: Option<String>,
        /// The `scope` parameter to send back (`repository:o/r:pull`).
        scope: Option<String>,
    },
}

/// Parses the first challenge Cairn can answer; `None` when there is none.
pub fn parse(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, params) = header.split_once(char::is_whitespace).unwrap_or((header, ""));
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => Some(Challenge::Basic),
        "bearer" => {
            let mut p = params_of(params);
            Some(Challenge::Bearer {
                realm: p.remove("realm")?,
                service: p.remove("service"),
                scope: p.remove("scope"),
            })
        }
        _ => None,
    }
}

/// `key="quoted, value",key=token` pairs, keys lower-cased.
fn params_of(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else { break };
        let key = key.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(q) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            value.push(e);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => value.push(c),
                }
            }
            (value, &q[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.insert(key, value);
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_and_ghcr_challenges() {
        let hub = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull""#;
        assert_eq!(
            parse(hub),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/debian:pull".into()),
            })
        );
        let ghcr =
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push""#;
        let Some(Challenge::Bearer { scope, .. }) = parse(ghcr) else { panic!("bearer") };
        assert_eq!(scope.as_deref(), Some("repository:a/b:pull,push"));
        assert_eq!(parse(r#"Basic realm="Registry Realm""#), Some(Challenge::Basic));
        assert_eq!(parse("Bearer service=x"), None, "a bearer challenge without a realm");
        assert_eq!(parse("Negotiate"), None);
    }
}

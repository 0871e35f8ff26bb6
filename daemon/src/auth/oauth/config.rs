//! `[oauth]` settings: the public URL, the redirect allow-list and the `[[oauth.providers]]` list.

use serde::Deserialize;

/// What kind of provider, which decides the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Any OpenID Connect provider (discovery from `issuer`).
    Oidc,
    /// GitHub or GitHub Enterprise (an OAuth app; identity from the REST API).
    Github,
    /// GitLab.com or a self-managed GitLab (OIDC with `base_url` as the issuer).
    Gitlab,
}

/// One configured provider (its `Debug` leaves the secret out).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The `{provider}` path segment, e.g. `github` or `corp-sso`.
    pub name: String,
    /// Protocol.
    pub kind: ProviderKind,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret (or use `client_secret_env`).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Environment variable holding the client secret; read when the configuration loads.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// OIDC issuer (kind `oidc`), e.g. `https://accounts.example.com`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Web base URL: GitHub `https://github.com` or `https://ghe.example.com`; GitLab
    /// `https://gitlab.com` or the instance (it is the issuer).
    #[serde(default)]
    pub base_url: Option<String>,
    /// GitHub REST API base: `https://api.github.com` or `https://ghe.example.com/api/v3`.
    #[serde(default)]
    pub api_url: Option<String>,
    /// Scopes to request; unset = `openid email profile` (OIDC, GitLab) or `read:user user:email` (GitHub).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// The callback URL registered at the provider; unset = `{public_url}/api/v1/auth/oauth/{name}/callback`.
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// If set, only verified emails of these domains may log in through this provider.
    #[serde(default)]
    pub allowed_email_domains: Vec<String>,
    /// Whether a first login creates an account (still subject to `registration`).
    #[serde(default)]
    pub allow_signup: bool,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("client_secret_env", &self.client_secret_env)
            .field("issuer", &self.issuer)
            .field("base_url", &self.base_url)
            .field("api_url", &self.api_url)
            .field("redirect_url", &self.redirect_url)
            .field("allow_signup", &self.allow_signup)
            .finish_non_exhaustive()
    }
}

/// The `[oauth]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OAuthConfig {
    /// The daemon's external origin, e.g. `https://cairn.example.com` (callback URLs and the
    /// same-origin rule of `redirect_to` derive from it).
    pub public_url: Option<String>,
    /// Besides the daemon's own origin, where a login may send its one-time code: URL prefixes.
    /// An entry on a loopback host without a port (`http://127.0.0.1/cairn-login`) matches any
    /// port, for the CLI's temporary listener (RFC 8252 §7.3).
    pub redirect_allow_list: Vec<String>,
    /// Allow `http://` provider URLs on loopback hosts (tests, local development). Off by
    /// default: provider URLs must be `https://`.
    pub allow_insecure_loopback: bool,
    /// The providers.
    pub providers: Vec<ProviderConfig>,
}

impl OAuthConfig {
    /// Checks the providers and resolves `client_secret_env` through `env`.
    pub fn finish(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        if let Some(url) = &self.public_url {
            check_url("oauth.public_url", url, self.allow_insecure_loopback)?;
        }
        for entry in &self.redirect_allow_list {
            let parsed = reqwest::Url::parse(entry)
                .map_err(|e| format!("oauth.redirect_allow_list: {entry:?}: {e}"))?;
            if parsed.host_str().is_none() {
                return Err(format!("oauth.redirect_allow_list: {entry:?} has no host"));
            }
        }
        let insecure = self.allow_insecure_loopback;
        let mut names = std::collections::BTreeSet::new();
        for p in &mut self.providers {
            let at = format!("oauth.providers[{}]", p.name);
            if p.name.is_empty()
                || p.name.len() > 64
                || !p
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                return Err(format!("{at}: name must be 1-64 of a-z, 0-9, - and _"));
            }
            if !names.insert(p.name.clone()) {
                return Err(format!("{at}: the name is used twice"));
            }
            if p.client_id.is_empty() {
                return Err(format!("{at}: client_id is empty"));
            }
            match (&p.client_secret, &p.client_secret_env) {
                (Some(_), Some(_)) => {
                    return Err(format!("{at}: set client_secret or client_secret_env, not both"));
                }
                (None, Some(var)) => {
                    let secret =
                        env(var).ok_or_else(|| format!("{at}: environment variable {var} is not set"))?;
                    p.client_secret = Some(secret);
                }
                (None, None) => {
                    return Err(format!("{at}: client_secret (or client_secret_env) is required"));
                }
                (Some(_), None) => {}
            }
            match p.kind {
                ProviderKind::Oidc => {
                    let issuer =
                        p.issuer.as_deref().ok_or_else(|| format!("{at}: kind oidc needs issuer"))?;
                    check_url(&format!("{at}.issuer"), issuer, insecure)?;
                }
                ProviderKind::Github | ProviderKind::Gitlab => {
                    if p.issuer.is_some() {
                        return Err(format!("{at}: issuer is for kind oidc; use base_url"));
                    }
                }
            }
            for (key, value) in [("base_url", &p.base_url), ("api_url", &p.api_url)] {
                if let Some(url) = value {
                    check_url(&format!("{at}.{key}"), url, insecure)?;
                }
            }
            match &p.redirect_url {
                Some(url) => check_url(&format!("{at}.redirect_url"), url, insecure)?,
                None if self.public_url.is_none() => {
                    return Err(format!("{at}: set redirect_url, or oauth.public_url to derive it"));
                }
                None => {}
            }
            for d in &mut p.allowed_email_domains {
                *d = d.trim().trim_start_matches('@').to_ascii_lowercase();
            }
        }
        Ok(())
    }

    /// Checks where a finished login may send its one-time code: the daemon's own origin
    /// (`public_url`) or a `redirect_allow_list` prefix.
    pub fn redirect_target(&self, target: &str) -> Result<reqwest::Url, String> {
        let url = reqwest::Url::parse(target).map_err(|e| format!("not an absolute URL: {e}"))?;
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err("must not carry credentials or a fragment".into());
        }
        if let Some(base) = self.public_url.as_deref().and_then(|b| reqwest::Url::parse(b).ok())
            && base.origin() == url.origin()
        {
            return Ok(url);
        }
        for entry in self.redirect_allow_list.iter().filter_map(|e| reqwest::Url::parse(e).ok()) {
            let same_host = entry.scheme() == url.scheme() && entry.host_str() == url.host_str();
            // A loopback entry without a port matches any port: the CLI listens on a free one.
            let port_ok = entry.port() == url.port() || (entry.port().is_none() && is_loopback(&entry));
            if same_host && port_ok && url.path().starts_with(entry.path()) {
                return Ok(url);
            }
        }
        Err("must be on this server's origin (oauth.public_url) or match oauth.redirect_allow_list".into())
    }

    /// Where a CLI login (one with a PKCE challenge) may send its code: the daemon's allowed
    /// targets, or a loopback redirect on any port (RFC 8252 §7.3: `http://127.0.0.1:PORT/…` or
    /// `http://[::1]:PORT/…`; an IP literal, never the name `localhost`, which may resolve
    /// elsewhere). The code is useless there without the challenge's verifier.
    pub fn cli_redirect_target(&self, target: &str) -> Result<reqwest::Url, String> {
        if let Ok(url) = self.redirect_target(target) {
            return Ok(url);
        }
        let url = reqwest::Url::parse(target).map_err(|e| format!("not an absolute URL: {e}"))?;
        if url.scheme() == "http"
            && is_loopback_ip(&url)
            && url.port().is_some()
            && url.username().is_empty()
            && url.password().is_none()
            && url.fragment().is_none()
        {
            return Ok(url);
        }
        Err("a CLI login's redirect_to must be http://127.0.0.1:PORT/… or http://[::1]:PORT/…, or an allowed target"
            .into())
    }

    /// The provider named `name`.
    pub fn provider(&self, name: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.name == name)
    }
}

/// `https://` URLs, or `http://` on a loopback host when allowed.
pub fn url_allowed(url: &reqwest::Url, insecure_loopback: bool) -> bool {
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => insecure_loopback && is_loopback(url),
        _ => false,
    }
}

/// Whether the URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    is_loopback_ip(url)
        || matches!(url.host(), Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost"))
}

/// Whether the URL's host is a loopback IP literal (never a name, which may resolve elsewhere).
fn is_loopback_ip(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(_)) | None => false,
    }
}

fn check_url(key: &str, url: &str, insecure: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{key}: {url:?}: {e}"))?;
    if !url_allowed(&parsed, insecure) {
        return Err(format!(
            "{key}: {url:?} must be https:// (http:// only on loopback with oauth.allow_insecure_loopback)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> OAuthConfig {
        OAuthConfig {
            public_url: Some("https://cairn.example.com".into()),
            redirect_allow_list: vec![
                "http://127.0.0.1/cairn-login".into(),
                "https://ci.example.com:8443/cb".into(),
            ],
            ..OAuthConfig::default()
        }
    }

    #[test]
    fn redirect_targets_are_own_origin_or_allow_listed() {
        let c = cfg();
        assert!(c.redirect_target("https://cairn.example.com/ui/after-login").is_ok());
        assert!(c.redirect_target("http://127.0.0.1:49152/cairn-login").is_ok());
        assert!(c.redirect_target("http://127.0.0.1/cairn-login/x").is_ok());
        assert!(c.redirect_target("https://ci.example.com:8443/cb").is_ok());
        for bad in [
            "https://evil.example.com/",
            "https://cairn.example.com.evil.com/",
            "http://cairn.example.com/",
            "https://ci.example.com/cb",
            "http://127.0.0.1:49152/other",
            "http://localhost:49152/cairn-login",
            "https://user:pw@cairn.example.com/",
            "https://cairn.example.com/#frag",
            "/relative",
            "javascript:alert(1)",
        ] {
            assert!(c.redirect_target(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn providers_are_checked_and_secrets_read_from_the_environment() {
        let mut c: OAuthConfig = toml::from_str(
            "public_url = \"https://cairn.example.com\"\n[[providers]]\nname = \"corp\"\nkind = \"oidc\"\n\
             client_id = \"c\"\nclient_secret_env = \"S\"\nissuer = \"https://id.example.com\"\n",
        )
        .expect("toml");
        assert!(c.clone().finish(|_| None).is_err());
        c.finish(|k| (k == "S").then(|| "secret".to_string())).expect("valid");
        assert_eq!(c.providers[0].client_secret.as_deref(), Some("secret"));
        assert!(!format!("{c:?}").contains("secret\""), "Debug shows no secret");
        let mut insecure: OAuthConfig = toml::from_str(
            "public_url = \"https://cairn.example.com\"\n[[providers]]\nname = \"corp\"\nkind = \"oidc\"\n\
             client_id = \"c\"\nclient_secret = \"s\"\nissuer = \"http://id.example.com\"\n",
        )
        .expect("toml");
        assert!(insecure.finish(|_| None).is_err());
    }
}

//! OpenID Connect (generic providers and GitLab): discovery, the authorization code flow with
//! PKCE, and ID token verification against the provider's JWKS.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::{
    ExternalIdentity, OAuthConfig, OAuthError, Pending, ProviderConfig, ProviderKind, client, clip,
    default_scopes, endpoint, send_json,
};

/// The part of `/.well-known/openid-configuration` Cairn uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
}

/// Signature algorithms accepted on ID tokens (asymmetric only: never `none`, never HMAC).
const ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

fn issuer_of(p: &ProviderConfig) -> String {
    let issuer = match p.kind {
        ProviderKind::Gitlab => p.base_url.as_deref().unwrap_or("https://gitlab.com"),
        _ => p.issuer.as_deref().unwrap_or_default(),
    };
    issuer.trim_end_matches('/').to_owned()
}

/// Fetches the provider's metadata; its `issuer` must be the configured one (OIDC Discovery §4.3).
pub async fn discover(cfg: &OAuthConfig, p: &ProviderConfig) -> Result<Discovery, OAuthError> {
    let issuer = issuer_of(p);
    let url = endpoint(cfg, "issuer", &format!("{issuer}/.well-known/openid-configuration"))?;
    let fetch = || async { send_json::<Discovery>(client()?.get(url.clone()), "OIDC discovery").await };
    let d = super::cache::discovery().get(url.as_str(), fetch).await?;
    if d.issuer.trim_end_matches('/') != issuer {
        return Err(OAuthError::Provider(format!(
            "OIDC discovery: the document names issuer {:?}, configured is {issuer:?}",
            clip(&d.issuer)
        )));
    }
    Ok(d)
}

/// The authorization request URL.
pub fn authorize_url(
    d: &Discovery,
    p: &ProviderConfig,
    redirect: &str,
    pending: &Pending,
    challenge: &str,
) -> Result<String, OAuthError> {
    let mut url = reqwest::Url::parse(&d.authorization_endpoint)
        .map_err(|e| OAuthError::Provider(format!("the provider's authorization_endpoint: {e}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &p.client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", &default_scopes(p, &["openid", "email", "profile"]))
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    id_token: Option<String>,
}

/// Redeems the code and verifies the ID token.
pub async fn exchange(
    cfg: &OAuthConfig,
    p: &ProviderConfig,
    d: &Discovery,
    code: &str,
    verifier: &str,
    nonce: &str,
    redirect: &str,
) -> Result<ExternalIdentity, OAuthError> {
    let http = client()?;
    let token_url = endpoint(cfg, "token_endpoint", &d.token_endpoint)?;
    let secret = p.client_secret.as_deref().unwrap_or_default();
    let tokens: TokenResponse = send_json(
        http.post(token_url).header("accept", "application/json").form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("client_id", p.client_id.as_str()),
            ("client_secret", secret),
            ("code_verifier", verifier),
        ]),
        "token request",
    )
    .await?;
    let id_token = tokens
        .id_token
        .ok_or_else(|| OAuthError::Provider("token request: the provider sent no id_token".into()))?;
    let jwks_url = endpoint(cfg, "jwks_uri", &d.jwks_uri)?;
    let fetch = || async { send_json::<serde_json::Value>(http.get(jwks_url.clone()), "JWKS").await };
    let cache = super::cache::jwks();
    let mut jwks = cache.get(jwks_url.as_str(), fetch).await?;
    // A key id the cached set lacks: the provider may have rotated its keys since.
    if let Some(kid) = unknown_kid(&id_token, &jwks)
        && let Some(fresh) = cache.refresh_for(jwks_url.as_str(), &kid, fetch).await?
    {
        jwks = fresh;
    }
    let claims = verify_id_token(&id_token, &jwks, &issuer_of(p), &p.client_id, nonce)?;
    let mut identity = ExternalIdentity {
        subject: claims.sub.clone(),
        email: claims.email.clone(),
        email_verified: truthy(claims.email_verified.as_ref()),
        name: claims.name.clone().or(claims.preferred_username.clone()),
    };
    // Providers may keep the email out of the ID token; the userinfo endpoint has it then.
    if identity.email.is_none()
        && let Some(u) = &d.userinfo_endpoint
    {
        let url = endpoint(cfg, "userinfo_endpoint", u)?;
        let info: Claims = send_json(http.get(url).bearer_auth(&tokens.access_token), "userinfo").await?;
        if info.sub != claims.sub {
            return Err(OAuthError::Provider("userinfo: the subject differs from the ID token's".into()));
        }
        identity.email = info.email;
        identity.email_verified = truthy(info.email_verified.as_ref());
        if identity.name.is_none() {
            identity.name = info.name.or(info.preferred_username);
        }
    }
    Ok(identity)
}

/// The ID token (and userinfo) claims Cairn reads.
#[derive(Debug, Deserialize)]
pub struct Claims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    email: Option<String>,
    /// A boolean, though some providers send the string `"true"`.
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    /// The party the token was issued to; when present it must be this client.
    #[serde(default)]
    azp: Option<String>,
}

fn truthy(v: Option<&serde_json::Value>) -> bool {
    match v {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The `kid` the token's header names when `jwks` holds no key with it.
fn unknown_kid(token: &str, jwks: &serde_json::Value) -> Option<String> {
    let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
    let known = jwks["keys"]
        .as_array()
        .is_some_and(|keys| keys.iter().any(|k| k["kid"].as_str() == Some(kid.as_str())));
    (!known).then_some(kid)
}

/// Verifies signature (against `jwks`), `iss`, `aud`, `azp` (when present), `exp` and `nonce`.
pub fn verify_id_token(
    token: &str,
    jwks: &serde_json::Value,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<Claims, OAuthError> {
    let bad = |m: String| OAuthError::IdToken(format!("the ID token {m}"));
    let header = jsonwebtoken::decode_header(token).map_err(|e| bad(format!("is malformed: {e}")))?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(bad(format!("uses algorithm {:?}, which Cairn does not accept", header.alg)));
    }
    // One bad key (an unsupported type) must not hide the others: parse keys one by one.
    let keys: Vec<Jwk> = jwks["keys"]
        .as_array()
        .map(|a| a.iter().filter_map(|k| serde_json::from_value(k.clone()).ok()).collect())
        .unwrap_or_default();
    let candidates: Vec<&Jwk> = match &header.kid {
        Some(kid) => keys.iter().filter(|k| k.common.key_id.as_deref() == Some(kid.as_str())).collect(),
        None => keys.iter().collect(),
    };
    let [jwk] = candidates.as_slice() else {
        return Err(bad(match &header.kid {
            Some(kid) => format!("names key {:?}, which the provider's JWKS does not hold once", clip(kid)),
            None => "names no key and the provider's JWKS does not hold exactly one".into(),
        }));
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| bad(format!("names an unusable key: {e}")))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer, &format!("{issuer}/")]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind as K;
        bad(match e.kind() {
            K::InvalidSignature => "signature does not verify".into(),
            K::ExpiredSignature => "has expired".into(),
            K::InvalidAudience => "is for another client (aud)".into(),
            K::InvalidIssuer => "is from another issuer (iss)".into(),
            K::ImmatureSignature => "is not valid yet".into(),
            _ => format!("is invalid: {e}"),
        })
    })?;
    if data.claims.nonce.as_deref() != Some(nonce) {
        return Err(bad("does not carry this login's nonce".into()));
    }
    // With several audiences, `aud` alone would accept a token minted for another client that
    // merely lists this one (OIDC Core 3.1.3.7).
    if data.claims.azp.as_deref().is_some_and(|azp| azp != client_id) {
        return Err(bad("was issued to another party (azp)".into()));
    }
    Ok(data.claims)
}

//! GitHub and GitHub Enterprise: an OAuth app (authorize, access token with PKCE), the identity
//! from the REST API (`/user`, `/user/emails`).

use serde::Deserialize;

use super::{
    ExternalIdentity, OAuthConfig, OAuthError, ProviderConfig, client, clip, default_scopes, endpoint,
    send_json,
};

fn base(p: &ProviderConfig) -> &str {
    p.base_url.as_deref().unwrap_or("https://github.com").trim_end_matches('/')
}

fn api(p: &ProviderConfig) -> &str {
    p.api_url.as_deref().unwrap_or("https://api.github.com").trim_end_matches('/')
}

/// The authorization request URL.
pub fn authorize_url(p: &ProviderConfig, redirect: &str, state: &str, challenge: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &p.client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", &default_scopes(p, &["read:user", "user:email"]))
        .append_pair("state", state)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("allow_signup", "false")
        .finish();
    format!("{}/login/oauth/authorize?{query}", base(p))
}

/// GitHub answers token errors with 200 and an `error` field.
#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct GithubUser {
    id: i64,
    login: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct GithubEmail {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

/// Redeems the code, then reads the account and its verified primary email.
pub async fn exchange(
    cfg: &OAuthConfig,
    p: &ProviderConfig,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> Result<ExternalIdentity, OAuthError> {
    let http = client()?;
    let token_url = endpoint(cfg, "token URL", &format!("{}/login/oauth/access_token", base(p)))?;
    let secret = p.client_secret.as_deref().unwrap_or_default();
    let tokens: TokenResponse = send_json(
        http.post(token_url).header("accept", "application/json").form(&[
            ("client_id", p.client_id.as_str()),
            ("client_secret", secret),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ]),
        "token request",
    )
    .await?;
    let access = match (tokens.access_token, tokens.error) {
        (Some(t), None) => t,
        (_, Some(e)) => {
            let detail = tokens.error_description.map(|d| format!(": {}", clip(&d))).unwrap_or_default();
            return Err(OAuthError::Provider(format!("token request: {}{detail}", clip(&e))));
        }
        (None, None) => return Err(OAuthError::Provider("token request: no access_token".into())),
    };
    let get = |path: &str| -> Result<reqwest::RequestBuilder, OAuthError> {
        let url = endpoint(cfg, "API URL", &format!("{}{path}", api(p)))?;
        Ok(http
            .get(url)
            .bearer_auth(&access)
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28"))
    };
    let user: GithubUser = send_json(get("/user")?, "GitHub /user").await?;
    let emails: Vec<GithubEmail> = send_json(get("/user/emails")?, "GitHub /user/emails").await?;
    let chosen =
        emails.iter().find(|e| e.primary && e.verified).or_else(|| emails.iter().find(|e| e.verified));
    Ok(ExternalIdentity {
        subject: user.id.to_string(),
        email: chosen.map(|e| e.email.clone()),
        email_verified: chosen.is_some(),
        name: user.name.or(Some(user.login)),
    })
}

//! A fake identity provider on 127.0.0.1 for the OAuth tests: OIDC discovery, JWKS (a real RSA
//! and a real P-256 key from tests/fixtures/oauth), authorize, a token endpoint that checks the
//! client secret, redirect URI and PKCE verifier, userinfo; and GitHub-shaped endpoints.
//!
//! Knobs let a test make the provider misbehave (tampered or mis-addressed ID tokens).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "cairn-test";
pub const CLIENT_SECRET: &str = "s3cret-for-tests";

const RSA_DER: &[u8] = include_bytes!("../fixtures/oauth/rsa-pkcs1.der");
const EC_DER: &[u8] = include_bytes!("../fixtures/oauth/ec-pkcs8.der");

/// How the next ID tokens are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdToken {
    /// RS256, correct in every way.
    Good,
    /// ES256, correct in every way.
    GoodEs256,
    /// A signature byte changed.
    TamperedSignature,
    /// `aud` is another client.
    WrongAudience,
    /// `aud` lists this client and another, `azp` names the other.
    ForeignAzp,
    /// `aud` lists this client and another, `azp` names this client.
    OwnAzp,
    /// `nonce` is not the login's.
    WrongNonce,
    /// Expired an hour ago.
    Expired,
    /// HS256 keyed with the client secret (the algorithm-confusion attack).
    Hs256,
    /// `alg: none`, no signature.
    Unsigned,
}

/// The account the provider logs in as.
#[derive(Debug, Clone)]
pub struct Account {
    pub subject: String,
    pub email: String,
    pub email_verified: bool,
    pub name: String,
}

impl Account {
    pub fn new(subject: &str, email: &str) -> Self {
        Self {
            subject: subject.into(),
            email: email.into(),
            email_verified: true,
            name: format!("User {subject}"),
        }
    }
}

struct Grant {
    redirect_uri: String,
    challenge: String,
    nonce: Option<String>,
    account: Account,
}

struct Inner {
    issuer: String,
    account: Account,
    mode: IdToken,
    grants: HashMap<String, Grant>,
    access: HashMap<String, Account>,
    counter: u64,
    /// Requests for the discovery document and for the key set.
    discovery_fetches: usize,
    jwks_fetches: usize,
    /// The ES256 key is left out of the key set (as before a key rotation).
    hide_ec_key: bool,
}

#[derive(Clone)]
struct Shared(Arc<Mutex<Inner>>);

/// A running fake provider (stops with the test's runtime).
pub struct FakeIdp {
    pub base: String,
    shared: Shared,
}

impl FakeIdp {
    pub async fn start() -> FakeIdp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Shared(Arc::new(Mutex::new(Inner {
            issuer: base.clone(),
            account: Account::new("nobody", "nobody@example.test"),
            mode: IdToken::Good,
            grants: HashMap::new(),
            access: HashMap::new(),
            counter: 0,
            discovery_fetches: 0,
            jwks_fetches: 0,
            hide_ec_key: false,
        })));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/login/oauth/authorize", get(authorize))
            .route("/login/oauth/access_token", post(github_token))
            .route("/api/user", get(github_user))
            .route("/api/user/emails", get(github_emails))
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeIdp { base, shared }
    }

    /// Who the next login is.
    pub fn login_as(&self, account: Account) {
        self.shared.0.lock().expect("lock").account = account;
    }

    /// How the next ID tokens are made.
    pub fn id_tokens(&self, mode: IdToken) {
        self.shared.0.lock().expect("lock").mode = mode;
    }

    /// Leaves the ES256 key out of the key set (`true`), or publishes it (`false`, the default).
    pub fn hide_ec_key(&self, hide: bool) {
        self.shared.0.lock().expect("lock").hide_ec_key = hide;
    }

    /// How often the discovery document and the key set were fetched.
    pub fn fetches(&self) -> (usize, usize) {
        let inner = self.shared.0.lock().expect("lock");
        (inner.discovery_fetches, inner.jwks_fetches)
    }

    /// TOML for cairnd: an OIDC provider `corp`, one without sign-up `closed`, GitHub `gh`, and
    /// GitLab `lab` (OIDC with `base_url` as issuer) admitting only `corp.test` emails.
    pub fn config(&self) -> String {
        let b = &self.base;
        format!(
            "[oauth]\npublic_url = \"http://127.0.0.1:9\"\nallow_insecure_loopback = true\n\
             redirect_allow_list = [\"http://127.0.0.1/cairn-login\"]\n\
             [[oauth.providers]]\nname = \"corp\"\nkind = \"oidc\"\nclient_id = \"{CLIENT_ID}\"\n\
             client_secret = \"{CLIENT_SECRET}\"\nissuer = \"{b}\"\nallow_signup = true\n\
             [[oauth.providers]]\nname = \"closed\"\nkind = \"oidc\"\nclient_id = \"{CLIENT_ID}\"\n\
             client_secret = \"{CLIENT_SECRET}\"\nissuer = \"{b}\"\n\
             [[oauth.providers]]\nname = \"gh\"\nkind = \"github\"\nclient_id = \"{CLIENT_ID}\"\n\
             client_secret = \"{CLIENT_SECRET}\"\nbase_url = \"{b}\"\napi_url = \"{b}/api\"\nallow_signup = true\n\
             [[oauth.providers]]\nname = \"lab\"\nkind = \"gitlab\"\nclient_id = \"{CLIENT_ID}\"\n\
             client_secret = \"{CLIENT_SECRET}\"\nbase_url = \"{b}\"\nallowed_email_domains = [\"corp.test\"]\nallow_signup = true\n"
        )
    }
}

async fn discovery(State(s): State<Shared>) -> Json<Value> {
    let issuer = {
        let mut inner = s.0.lock().expect("lock");
        inner.discovery_fetches += 1;
        inner.issuer.clone()
    };
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    }))
}

fn keyed(der_key: EncodingKey, alg: Algorithm, kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(&der_key, alg).expect("jwk");
    jwk.common.key_id = Some(kid.into());
    jwk
}

async fn jwks(State(s): State<Shared>) -> Json<JwkSet> {
    let hide_ec = {
        let mut inner = s.0.lock().expect("lock");
        inner.jwks_fetches += 1;
        inner.hide_ec_key
    };
    let mut keys = vec![keyed(EncodingKey::from_rsa_der(RSA_DER), Algorithm::RS256, "rsa-1")];
    if !hide_ec {
        keys.push(keyed(EncodingKey::from_ec_der(EC_DER), Algorithm::ES256, "ec-1"));
    }
    Json(JwkSet { keys })
}

/// Plays the user approving the login at once: back to `redirect_uri` with a code.
async fn authorize(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut inner = s.0.lock().expect("lock");
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return (StatusCode::BAD_REQUEST, "bad client or PKCE method").into_response();
    }
    let (Some(redirect), Some(state), Some(challenge)) =
        (q.get("redirect_uri"), q.get("state"), q.get("code_challenge"))
    else {
        return (StatusCode::BAD_REQUEST, "missing parameters").into_response();
    };
    inner.counter += 1;
    let code = format!("code-{}", inner.counter);
    let account = inner.account.clone();
    inner.grants.insert(
        code.clone(),
        Grant {
            redirect_uri: redirect.clone(),
            challenge: challenge.clone(),
            nonce: q.get("nonce").cloned(),
            account,
        },
    );
    let location = format!(
        "{redirect}?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("code", &code)
            .append_pair("state", state)
            .finish()
    );
    (StatusCode::FOUND, [("location", location)]).into_response()
}

/// Checks client, code, redirect URI and PKCE; `Err` is an OAuth error body.
fn redeem(s: &Shared, f: &HashMap<String, String>) -> Result<(Grant, String), Value> {
    let mut inner = s.0.lock().expect("lock");
    let err = |e: &str, d: &str| json!({"error": e, "error_description": d});
    if f.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || f.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return Err(err("invalid_client", "client authentication failed"));
    }
    let code = f.get("code").cloned().unwrap_or_default();
    let grant = inner.grants.remove(&code).ok_or_else(|| err("invalid_grant", "unknown or used code"))?;
    if f.get("redirect_uri") != Some(&grant.redirect_uri) {
        return Err(err("invalid_grant", "redirect_uri differs from the authorization request"));
    }
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return Err(err("invalid_grant", "PKCE verification failed"));
    }
    inner.counter += 1;
    let access = format!("at-{}", inner.counter);
    inner.access.insert(access.clone(), grant.account.clone());
    Ok((grant, access))
}

async fn token(State(s): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    if f.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "unsupported_grant_type"}))).into_response();
    }
    let (grant, access) = match redeem(&s, &f) {
        Ok(g) => g,
        Err(body) => return (StatusCode::BAD_REQUEST, Json(body)).into_response(),
    };
    let (issuer, mode) = {
        let inner = s.0.lock().expect("lock");
        (inner.issuer.clone(), inner.mode)
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let a = &grant.account;
    let mut claims = json!({
        "iss": issuer, "sub": a.subject, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
        "nonce": grant.nonce, "email": a.email, "email_verified": a.email_verified, "name": a.name,
    });
    match mode {
        IdToken::WrongAudience => claims["aud"] = json!("another-client"),
        IdToken::ForeignAzp => {
            claims["aud"] = json!([CLIENT_ID, "another-client"]);
            claims["azp"] = json!("another-client");
        }
        IdToken::OwnAzp => {
            claims["aud"] = json!([CLIENT_ID, "another-client"]);
            claims["azp"] = json!(CLIENT_ID);
        }
        IdToken::WrongNonce => claims["nonce"] = json!("not-the-login-nonce"),
        IdToken::Expired => {
            claims["iat"] = json!(now - 7200);
            claims["exp"] = json!(now - 3600);
        }
        _ => {}
    }
    let (alg, key, kid) = match mode {
        IdToken::GoodEs256 => (Algorithm::ES256, EncodingKey::from_ec_der(EC_DER), "ec-1"),
        _ => (Algorithm::RS256, EncodingKey::from_rsa_der(RSA_DER), "rsa-1"),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    let mut id_token = match mode {
        IdToken::Hs256 => {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some("rsa-1".into());
            jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(CLIENT_SECRET.as_bytes()))
                .expect("sign")
        }
        IdToken::Unsigned => format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        ),
        _ => jsonwebtoken::encode(&header, &claims, &key).expect("sign"),
    };
    if mode == IdToken::TamperedSignature {
        // Change one character in the middle of the signature.
        let at = id_token.rfind('.').expect("signature") + 20;
        let c = id_token.as_bytes()[at];
        id_token.replace_range(at..at + 1, if c == b'A' { "B" } else { "A" });
    }
    Json(json!({"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}))
        .into_response()
}

fn bearer_account(s: &Shared, headers: &HeaderMap) -> Option<Account> {
    let token = headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ")?.to_owned();
    s.0.lock().expect("lock").access.get(&token).cloned()
}

async fn userinfo(State(s): State<Shared>, headers: HeaderMap) -> Response {
    match bearer_account(&s, &headers) {
        Some(a) => Json(
            json!({"sub": a.subject, "email": a.email, "email_verified": a.email_verified, "name": a.name}),
        )
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

/// GitHub answers token errors with 200 and an `error` field.
async fn github_token(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if headers.get("accept").and_then(|v| v.to_str().ok()) != Some("application/json") {
        return (StatusCode::BAD_REQUEST, "this fake only answers JSON").into_response();
    }
    match redeem(&s, &f) {
        Ok((_, access)) => {
            Json(json!({"access_token": access, "token_type": "bearer", "scope": "read:user,user:email"}))
                .into_response()
        }
        Err(body) => Json(body).into_response(),
    }
}

async fn github_user(State(s): State<Shared>, headers: HeaderMap) -> Response {
    match bearer_account(&s, &headers) {
        Some(a) => {
            let id: i64 = a.subject.parse().unwrap_or(0);
            Json(json!({"id": id, "login": format!("login{id}"), "name": a.name, "email": null}))
                .into_response()
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn github_emails(State(s): State<Shared>, headers: HeaderMap) -> Response {
    match bearer_account(&s, &headers) {
        Some(a) => Json(json!([
            {"email": "secondary@example.test", "primary": false, "verified": false},
            {"email": a.email, "primary": true, "verified": a.email_verified},
        ]))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

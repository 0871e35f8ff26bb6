//! OAuth / OIDC login against a fake provider on 127.0.0.1: sign-up and repeat login, ID token
//! verification, single-use state, PKCE, no silent linking by email, the link flow, GitHub,
//! unlinking, and notification preferences.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::fake_idp::{Account, FakeIdp, IdToken};
use crate::harness::{Daemon, Db, Opts, expect_problem, http_client, unique_email};

/// The origin cairnd believes it has (`oauth.public_url`); the test plays the browser and sends
/// what the provider redirects there to the real daemon.
const PUBLIC: &str = "http://127.0.0.1:9";

async fn start(db: Db) -> (Daemon, FakeIdp) {
    start_with(db, Opts::default()).await
}

async fn start_with(db: Db, opts: Opts) -> (Daemon, FakeIdp) {
    let idp = FakeIdp::start().await;
    let d = Daemon::start_with(db, Opts { extra_config: idp.config(), ..opts }).await;
    (d, idp)
}

/// The test's browser: the cookies `authorize` set, by the login's state (the `Cookie` pair).
static BROWSER: LazyLock<Mutex<HashMap<String, String>>> = LazyLock::new(Default::default);

/// The `state` parameter of a URL or path.
fn state_of(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|kv| kv.strip_prefix("state=")).map(str::to_owned)
}

/// `authorize`: asserts the redirect to the provider and returns its URL; the browser keeps the
/// cookie it was given.
async fn begin(d: &Daemon, provider: &str, query: &str, bearer: Option<&str>) -> String {
    let mut req = http_client(false).get(d.url(&format!("/api/v1/auth/oauth/{provider}/authorize?{query}")));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let resp = req.send().await.expect("authorize");
    let status = resp.status().as_u16();
    let location =
        resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(status, 302, "authorize: {}", resp.text().await.unwrap_or_default());
    let cookie = cookie.expect("authorize sets the state's cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    BROWSER.lock().expect("jar").insert(state_of(&location).expect("state to the provider"), pair);
    location
}

/// The provider approves: returns the callback path (with code and state) on the daemon.
async fn approve(provider_url: &str) -> String {
    let resp = http_client(false).get(provider_url).send().await.expect("provider authorize");
    assert_eq!(resp.status(), 302, "provider authorize");
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_owned();
    location.strip_prefix(PUBLIC).expect("redirect to cairnd's callback").to_owned()
}

/// The browser that started the login comes back (with its cookie).
async fn callback(d: &Daemon, path: &str) -> reqwest::Response {
    let cookie = state_of(path).and_then(|s| BROWSER.lock().expect("jar").get(&s).cloned());
    callback_with(d, path, cookie.as_deref()).await
}

async fn callback_with(d: &Daemon, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = http_client(false).get(d.url(path));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("callback")
}

/// A whole login; returns the callback's response.
async fn login(d: &Daemon, provider: &str, query: &str, bearer: Option<&str>) -> reqwest::Response {
    let at_provider = begin(d, provider, query, bearer).await;
    callback(d, &approve(&at_provider).await).await
}

async fn me(d: &Daemon, token: &str) -> Value {
    let resp = d.http.get(d.url("/api/v1/auth/me")).bearer_auth(token).send().await.expect("me");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

async fn tokens(resp: reqwest::Response) -> String {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("json");
    assert_eq!(status, 200, "login: {body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].as_str().is_some_and(|t| t.starts_with("crt_")), "{body}");
    body["access_token"].as_str().expect("access").to_owned()
}

async fn identities(d: &Daemon, token: &str) -> Vec<Value> {
    let resp =
        d.http.get(d.url("/api/v1/users/me/oauth-identities")).bearer_auth(token).send().await.expect("list");
    assert_eq!(resp.status(), 200);
    let page: Value = resp.json().await.expect("json");
    page["items"].as_array().expect("items").clone()
}

both!(oidc_signup_then_login_reuses_the_identity, |db| async move {
    let (d, idp) = start(db).await;
    let email = unique_email("alice");
    idp.login_as(Account::new("alice-sub", &email));
    let first = tokens(login(&d, "corp", "", None).await).await;
    let who = me(&d, &first).await;
    assert_eq!(who["user"]["email"], email.as_str());
    assert!(who["current_tenant"].is_string(), "open registration gives the new user a tenant: {who}");
    let second = tokens(login(&d, "corp", "", None).await).await;
    assert_eq!(me(&d, &second).await["user"]["id"], who["user"]["id"]);
    let linked = identities(&d, &first).await;
    assert_eq!(linked.len(), 1);
    assert_eq!(
        (linked[0]["provider"].as_str(), linked[0]["subject"].as_str()),
        (Some("corp"), Some("alice-sub"))
    );
    // The account has no password: password login is not a way in.
    let pw = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "anything at all"}))
        .send()
        .await
        .expect("login");
    expect_problem(pw, 401, "UNAUTHORIZED").await;

    // With redirect_to: a one-time code goes there, redeemable once at /auth/token.
    let resp =
        login(&d, "corp", "redirect_to=http%3A%2F%2F127.0.0.1%3A45678%2Fcairn-login%2Fdone", None).await;
    assert_eq!(resp.status(), 302);
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_owned();
    let code = location
        .strip_prefix("http://127.0.0.1:45678/cairn-login/done?code=")
        .expect("code in redirect")
        .to_owned();
    let redeem = || {
        d.http
            .post(d.url("/api/v1/auth/token"))
            .form(&[("grant_type", "authorization_code"), ("code", code.as_str())])
            .send()
    };
    let third = tokens(redeem().await.expect("token")).await;
    assert_eq!(me(&d, &third).await["user"]["id"], who["user"]["id"]);
    expect_problem(redeem().await.expect("token"), 401, "UNAUTHORIZED").await;

    // A redirect_to elsewhere is refused before anything is stored.
    let resp = http_client(false)
        .get(d.url("/api/v1/auth/oauth/corp/authorize?redirect_to=https%3A%2F%2Fevil.example.com%2F"))
        .send()
        .await
        .expect("authorize");
    let body = expect_problem(resp, 400, "VALIDATION_FAILED").await;
    assert_eq!(body["errors"][0]["field"], "query.redirect_to");

    // Every login through the provider is audited.
    let root_email = unique_email("root");
    d.admin(
        &["create-user", "--email", &root_email, "--super-admin", "--password-stdin"],
        Some(&format!("{}\n", crate::harness::PASSWORD)),
    );
    let root = d.login(&root_email).await;
    let audit: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit?limit=1000", None).await.json().await.expect("audit");
    let logins = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| {
            e["action"] == "auth.login"
                && e["detail"]["provider"] == "corp"
                && e["actor_user_id"] == who["user"]["id"]
        })
        .count();
    assert_eq!(logins, 3, "{audit}");
    assert!(
        audit["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["action"] == "user.register" && e["detail"]["method"] == "oauth")
    );
});

both!(bad_id_tokens_are_rejected_and_es256_accepted, |db| async move {
    let (d, idp) = start(db).await;
    let email = unique_email("carol");
    idp.login_as(Account::new("carol-sub", &email));
    for (mode, words) in [
        (IdToken::TamperedSignature, "signature"),
        (IdToken::WrongAudience, "aud"),
        // Accepted by the old code: `aud` lists this client too.
        (IdToken::ForeignAzp, "azp"),
        (IdToken::WrongNonce, "nonce"),
        (IdToken::Expired, "expired"),
        (IdToken::Hs256, "algorithm"),
        (IdToken::Unsigned, "malformed"),
    ] {
        idp.id_tokens(mode);
        let body = expect_problem(login(&d, "corp", "", None).await, 401, "OAUTH_ID_TOKEN_INVALID").await;
        assert!(body["detail"].as_str().is_some_and(|t| t.contains(words)), "{mode:?}: {body}");
    }
    // Nothing was created by the rejected logins.
    // The address is still free: its registration mail carries a token that creates the account
    // (a taken address would get a "someone tried to register" mail instead).
    d.register(&email).await;

    let other = unique_email("dave");
    idp.login_as(Account::new("dave-sub", &other));
    idp.id_tokens(IdToken::GoodEs256);
    let token = tokens(login(&d, "corp", "", None).await).await;
    assert_eq!(me(&d, &token).await["user"]["email"], other.as_str());
    idp.id_tokens(IdToken::OwnAzp);
    let token = tokens(login(&d, "corp", "", None).await).await;
    assert_eq!(me(&d, &token).await["user"]["email"], other.as_str(), "azp naming this client is fine");
});

both!(state_is_single_use_and_pkce_is_checked, |db| async move {
    let (d, idp) = start(db).await;
    idp.login_as(Account::new("erin-sub", &unique_email("erin")));
    let path = approve(&begin(&d, "corp", "", None).await).await;
    tokens(callback(&d, &path).await).await;
    expect_problem(callback(&d, &path).await, 400, "OAUTH_STATE_INVALID").await;
    expect_problem(
        callback(&d, "/api/v1/auth/oauth/corp/callback?code=x&state=made-up").await,
        400,
        "OAUTH_STATE_INVALID",
    )
    .await;
    expect_problem(callback(&d, "/api/v1/auth/oauth/corp/callback?code=x").await, 400, "OAUTH_STATE_INVALID")
        .await;
    // A state started for one provider does not finish at another.
    let path = approve(&begin(&d, "corp", "", None).await).await;
    let elsewhere = path.replace("/oauth/corp/", "/oauth/closed/");
    expect_problem(callback(&d, &elsewhere).await, 400, "OAUTH_STATE_INVALID").await;
    // Unknown provider.
    let resp = http_client(false).get(d.url("/api/v1/auth/oauth/nope/authorize")).send().await.expect("send");
    expect_problem(resp, 404, "NOT_FOUND").await;

    // A challenge swapped on the way to the provider: its token endpoint refuses our verifier.
    let at_provider = begin(&d, "corp", "", None).await;
    let start = at_provider.find("code_challenge=").expect("challenge") + "code_challenge=".len();
    let end = at_provider[start..].find('&').map_or(at_provider.len(), |i| start + i);
    let swapped = format!(
        "{}{}{}",
        &at_provider[..start],
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        &at_provider[end..]
    );
    let body =
        expect_problem(callback(&d, &approve(&swapped).await).await, 502, "OAUTH_PROVIDER_ERROR").await;
    assert!(
        body["detail"].as_str().is_some_and(|t| t.contains("invalid_grant") && t.contains("PKCE")),
        "{body}"
    );

    // The user refusing at the provider.
    let path = approve(&begin(&d, "corp", "", None).await).await;
    let state = path.split("state=").nth(1).expect("state");
    let denied =
        format!("/api/v1/auth/oauth/corp/callback?error=access_denied&error_description=no&state={state}");
    expect_problem(callback(&d, &denied).await, 403, "OAUTH_DENIED").await;
});

both!(email_collision_does_not_link_but_the_link_flow_does, |db| async move {
    let (d, idp) = start(db).await;
    let email = unique_email("bob");
    let bob = d.register(&email).await;
    idp.login_as(Account::new("bob-at-corp", &email));
    let body = expect_problem(login(&d, "corp", "", None).await, 409, "OAUTH_ACCOUNT_EXISTS").await;
    assert!(body["detail"].as_str().is_some_and(|t| t.contains("link")), "{body}");
    assert!(identities(&d, &bob.token).await.is_empty(), "nothing linked by email");

    // Linking needs a session.
    let resp = http_client(false)
        .get(d.url("/api/v1/auth/oauth/corp/authorize?link=true"))
        .send()
        .await
        .expect("send");
    expect_problem(resp, 401, "UNAUTHORIZED").await;
    let key = d.api_key(&bob, &["project:read"]).await;
    let resp = http_client(false)
        .get(d.url("/api/v1/auth/oauth/corp/authorize?link=true"))
        .bearer_auth(&key.token)
        .send()
        .await
        .expect("send");
    expect_problem(resp, 403, "FORBIDDEN").await;

    let token = tokens(login(&d, "corp", "link=true", Some(&bob.token)).await).await;
    assert_eq!(me(&d, &token).await["user"]["id"], bob.user_id.as_str());
    let linked = identities(&d, &bob.token).await;
    assert_eq!(linked.len(), 1);
    // From now on the provider logs in as bob.
    let again = tokens(login(&d, "corp", "", None).await).await;
    assert_eq!(me(&d, &again).await["user"]["id"], bob.user_id.as_str());
    // Another account cannot link an identity that is bob's.
    let eve = d.register(&unique_email("eve")).await;
    expect_problem(login(&d, "corp", "link=true", Some(&eve.token)).await, 409, "CONFLICT").await;
    assert!(identities(&d, &eve.token).await.is_empty());

    // Bob has a password, so unlinking is fine.
    let id = linked[0]["id"].as_str().expect("id");
    let resp = d.send(&bob, Method::DELETE, &format!("/api/v1/users/me/oauth-identities/{id}"), None).await;
    assert_eq!(resp.status(), 204);
    assert!(identities(&d, &bob.token).await.is_empty());
    let resp = d.send(&bob, Method::DELETE, &format!("/api/v1/users/me/oauth-identities/{id}"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
});

both!(github_login_and_unlinking_the_last_method, |db| async move {
    let (d, idp) = start(db).await;
    let email = unique_email("gina");
    idp.login_as(Account::new("4242", &email));
    let token = tokens(login(&d, "gh", "", None).await).await;
    let who = me(&d, &token).await;
    assert_eq!(who["user"]["email"], email.as_str(), "the primary verified email, not the unverified one");
    let gh = identities(&d, &token).await;
    assert_eq!((gh.len(), gh[0]["subject"].as_str()), (1, Some("4242")));
    let gh_id = gh[0]["id"].as_str().expect("id").to_owned();
    let session = crate::harness::Session {
        token: token.clone(),
        refresh: String::new(),
        user_id: who["user"]["id"].as_str().expect("id").to_owned(),
        tenant: None,
    };
    // The only way in: refused.
    let resp =
        d.send(&session, Method::DELETE, &format!("/api/v1/users/me/oauth-identities/{gh_id}"), None).await;
    expect_problem(resp, 409, "LAST_LOGIN_METHOD").await;
    // Link the OIDC provider too; then GitHub may go.
    idp.login_as(Account::new("gina-corp", &email));
    tokens(login(&d, "corp", "link=true", Some(&token)).await).await;
    assert_eq!(identities(&d, &token).await.len(), 2);
    let resp =
        d.send(&session, Method::DELETE, &format!("/api/v1/users/me/oauth-identities/{gh_id}"), None).await;
    assert_eq!(resp.status(), 204);
    let left = identities(&d, &token).await;
    assert_eq!((left.len(), left[0]["provider"].as_str()), (1, Some("corp")));

    // Unverified emails do not make accounts.
    let mut unverified = Account::new("4343", &unique_email("hank"));
    unverified.email_verified = false;
    idp.login_as(unverified);
    expect_problem(login(&d, "gh", "", None).await, 403, "OAUTH_DENIED").await;

    // GitLab is OIDC against base_url; its allowed_email_domains holds.
    idp.login_as(Account::new("lab-1", &unique_email("outsider")));
    let body = expect_problem(login(&d, "lab", "", None).await, 403, "OAUTH_DENIED").await;
    assert!(body["detail"].as_str().is_some_and(|t| t.contains("domains")), "{body}");
    let insider = format!("kim-{}@corp.test", &crate::harness::uuid_simple()[..8]);
    idp.login_as(Account::new("lab-2", &insider));
    let token = tokens(login(&d, "lab", "", None).await).await;
    assert_eq!(me(&d, &token).await["user"]["email"], insider.as_str());
});

both!(signup_follows_the_provider_and_registration_rules, |db| async move {
    let (d, idp) = start_with(db, Opts { registration: "invite-only", ..Opts::default() }).await;
    idp.login_as(Account::new("ivy-sub", &unique_email("ivy")));
    expect_problem(login(&d, "closed", "", None).await, 403, "REGISTRATION_CLOSED").await;
    let body = expect_problem(login(&d, "corp", "", None).await, 403, "REGISTRATION_CLOSED").await;
    assert!(body["detail"].as_str().is_some_and(|t| t.contains("invitation")), "{body}");
    // With an invitation for that email, the OIDC account joins the inviting tenant.
    let root_email = unique_email("root");
    d.admin(
        &["create-user", "--email", &root_email, "--tenant", "A", "--password-stdin"],
        Some(&format!("{}\n", crate::harness::PASSWORD)),
    );
    let root = d.login(&root_email).await;
    let email = unique_email("jo");
    let inv: Value = d
        .send(&root, Method::POST, "/api/v1/invites", Some(json!({"email": email, "role": "member"})))
        .await
        .json()
        .await
        .expect("invite");
    let invite = inv["token"].as_str().expect("token");
    idp.login_as(Account::new("jo-sub", &email));
    let token = tokens(login(&d, "corp", &format!("invite_token={invite}"), None).await).await;
    let who = me(&d, &token).await;
    assert_eq!(who["current_tenant"].as_str(), root.tenant.as_deref());
});

both!(notification_prefs_round_trip_and_validation, |db| async move {
    let d = Daemon::start(db).await;
    let u = d.register(&unique_email("pat")).await;
    let got: Value = d
        .send(&u, Method::GET, "/api/v1/users/me/notification-prefs", None)
        .await
        .json()
        .await
        .expect("json");
    let events = got["events"].as_object().expect("events");
    // Every EventKind (issue 18 made it the one list of kinds; six predated it).
    assert_eq!(events.len(), 10, "{got}");
    assert_eq!(got["events"]["scan.completed"], json!({"in_app": true, "email": false}));
    assert_eq!(got["events"]["gate.failed"], json!({"in_app": true, "email": true}));

    let put = d
        .send(
            &u,
            Method::PUT,
            "/api/v1/users/me/notification-prefs",
            Some(json!({"events": {"scan.completed": {"in_app": false, "email": true}}})),
        )
        .await;
    assert_eq!(put.status(), 200);
    let got: Value = d
        .send(&u, Method::GET, "/api/v1/users/me/notification-prefs", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(got["events"]["scan.completed"], json!({"in_app": false, "email": true}));
    assert_eq!(
        got["events"]["gate.failed"],
        json!({"in_app": true, "email": true}),
        "others keep their defaults"
    );
    assert_eq!(got["events"].as_object().expect("events").len(), 10);

    let bad = d.send(&u, Method::PUT, "/api/v1/users/me/notification-prefs",
        Some(json!({"events": {"scan.exploded": {"in_app": true, "email": true}, "scan.failed": {"in_app": true, "email": false}}}))).await;
    let body = expect_problem(bad, 400, "VALIDATION_FAILED").await;
    assert_eq!(body["errors"][0]["field"], "body.events.scan.exploded");
    let bad = d
        .send(
            &u,
            Method::PUT,
            "/api/v1/users/me/notification-prefs",
            Some(json!({"events": {"scan.failed": {"in_app": "yes", "email": false}}})),
        )
        .await;
    let body = expect_problem(bad, 400, "VALIDATION_FAILED").await;
    assert!(body["errors"][0]["field"].as_str().is_some_and(|f| f.contains("in_app")), "{body}");
    let got: Value = d
        .send(&u, Method::GET, "/api/v1/users/me/notification-prefs", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        got["events"]["scan.failed"],
        json!({"in_app": true, "email": true}),
        "rejected writes change nothing"
    );
    // Another user sees their own defaults.
    let v = d.register(&unique_email("quinn")).await;
    let theirs: Value = d
        .send(&v, Method::GET, "/api/v1/users/me/notification-prefs", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(theirs["events"]["scan.completed"], json!({"in_app": true, "email": false}));
});

both!(discovery_and_keys_are_cached_and_a_rotated_key_is_fetched, |db| async move {
    let (d, idp) = start(db).await;
    idp.hide_ec_key(true);
    idp.login_as(Account::new("erin-sub", &unique_email("erin")));
    let first = tokens(login(&d, "corp", "", None).await).await;
    tokens(login(&d, "corp", "", None).await).await;
    // The old daemon fetched discovery at every authorize and callback, the keys at every
    // callback: (4, 2) here.
    assert_eq!(idp.fetches(), (1, 1), "two logins, one discovery and one key set");
    // The provider rotates in a key: the first token naming it refetches the set, once.
    idp.hide_ec_key(false);
    idp.id_tokens(IdToken::GoodEs256);
    let rotated = tokens(login(&d, "corp", "", None).await).await;
    assert_eq!(me(&d, &rotated).await["user"]["id"], me(&d, &first).await["user"]["id"]);
    tokens(login(&d, "corp", "", None).await).await;
    assert_eq!(idp.fetches(), (1, 2));
});

// Issue 16 point 8, login CSRF: an attacker finishes a login of their own at the provider and
// sends the victim's browser to the callback with the attacker's code and state. On the old daemon
// the state alone was enough and the victim ended up logged in as the attacker.
both!(a_callback_from_another_browser_is_refused, |db| async move {
    let (d, idp) = start(db).await;
    idp.login_as(Account::new("mallory-sub", &unique_email("mallory")));
    let attackers = approve(&begin(&d, "corp", "", None).await).await;
    let attackers_cookie = BROWSER.lock().expect("jar").get(&state_of(&attackers).expect("state")).cloned();
    // The victim's browser: no cookie at all, or the cookie of a login of its own.
    let body = expect_problem(callback_with(&d, &attackers, None).await, 400, "OAUTH_STATE_INVALID").await;
    assert!(body["detail"].as_str().is_some_and(|t| t.contains("browser")), "{body}");
    let victims = begin(&d, "corp", "", None).await;
    let victims_cookie = BROWSER.lock().expect("jar").get(&state_of(&victims).expect("state")).cloned();
    expect_problem(
        callback_with(&d, &attackers, victims_cookie.as_deref()).await,
        400,
        "OAUTH_STATE_INVALID",
    )
    .await;
    // The refusals did not spend the state: the browser that started the login still finishes it.
    let resp = callback_with(&d, &attackers, attackers_cookie.as_deref()).await;
    let cleared =
        resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    tokens(resp).await;
    assert!(cleared.contains("Max-Age=0"), "the finished login's cookie is removed: {cleared}");
});

// Issue 16 point 8, the CLI flow: a login with a PKCE challenge may end at a loopback redirect on
// any port (RFC 8252), and its one-time code is redeemed only with the verifier. On the old daemon
// a loopback target outside the allow-list was refused (no CLI login) and a code, once seen,
// redeemed by anyone.
both!(a_cli_login_ends_on_loopback_and_its_code_needs_the_verifier, |db| async move {
    use base64::Engine as _;
    use sha2::Digest as _;
    let (d, idp) = start(db).await;
    idp.login_as(Account::new("cli-sub", &unique_email("cli")));
    let verifier = "v".repeat(20) + &uuid::Uuid::new_v4().simple().to_string();
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let loopback = "http%3A%2F%2F127.0.0.1%3A5555%2Fcallback%3Fstate%3Dcli-own-state";
    let authorize = |q: String| {
        let d = &d;
        async move {
            http_client(false)
                .get(d.url(&format!("/api/v1/auth/oauth/corp/authorize?{q}")))
                .send()
                .await
                .expect("send")
        }
    };
    // A loopback target needs the challenge; the challenge needs S256; `localhost` is no IP literal.
    expect_problem(authorize(format!("redirect_to={loopback}")).await, 400, "VALIDATION_FAILED").await;
    let plain = format!("redirect_to={loopback}&code_challenge={challenge}&code_challenge_method=plain");
    let body = expect_problem(authorize(plain).await, 400, "VALIDATION_FAILED").await;
    assert_eq!(body["errors"][0]["field"], "query.code_challenge_method", "{body}");
    let named = format!(
        "redirect_to=http%3A%2F%2Flocalhost%3A5555%2Fcallback&code_challenge={challenge}&code_challenge_method=S256"
    );
    expect_problem(authorize(named).await, 400, "VALIDATION_FAILED").await;

    let at_provider = begin(
        &d,
        "corp",
        &format!("redirect_to={loopback}&code_challenge={challenge}&code_challenge_method=S256"),
        None,
    )
    .await;
    let resp = callback(&d, &approve(&at_provider).await).await;
    assert_eq!(resp.status(), 302);
    let to_cli = reqwest::Url::parse(resp.headers()["location"].to_str().expect("location")).expect("url");
    assert_eq!(
        (to_cli.host_str(), to_cli.port(), to_cli.path()),
        (Some("127.0.0.1"), Some(5555), "/callback")
    );
    let param = |k: &str| to_cli.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    assert_eq!(param("state").as_deref(), Some("cli-own-state"), "the CLI's own state comes back");
    let code = param("code").expect("code");
    let token = |form: Vec<(&'static str, String)>| {
        let d = &d;
        async move { d.http.post(d.url("/api/v1/auth/token")).form(&form).send().await.expect("token") }
    };
    let grant = |extra: Option<String>| {
        let mut f = vec![("grant_type", "authorization_code".to_owned()), ("code", code.clone())];
        if let Some(v) = extra {
            f.push(("code_verifier", v));
        }
        f
    };
    expect_problem(token(grant(None)).await, 401, "UNAUTHORIZED").await;
    expect_problem(token(grant(Some("w".repeat(60)))).await, 401, "UNAUTHORIZED").await;
    tokens(token(grant(Some(verifier))).await).await;
});

//! Registration modes, login, OAuth2 token form, refresh rotation with reuse detection, logout,
//! API keys, invitations, `cairnd admin`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Opts, PASSWORD, expect_problem, unique_email};

both!(login_refresh_rotation_and_reuse, |db| async move {
    let d = Daemon::start(db).await;
    let email = unique_email("alice");
    let s = d.register(&email).await;
    assert!(s.tenant.is_some(), "open registration without invitation makes a tenant");

    // Wrong password and unknown user look the same.
    let bad = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "nope nope nope"}))
        .send()
        .await
        .expect("send");
    let a = expect_problem(bad, 401, "UNAUTHORIZED").await;
    let unknown = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": "ghost@example.test", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    let b = expect_problem(unknown, 401, "UNAUTHORIZED").await;
    assert_eq!(a["detail"], b["detail"]);

    // OAuth2 password form.
    let form = d
        .http
        .post(d.url("/api/v1/auth/token"))
        .form(&[("grant_type", "password"), ("username", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("token");
    assert_eq!(form.status(), 200);
    let t: Value = form.json().await.expect("json");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);

    // Rotation: the refresh token works once.
    let r1 = d
        .http
        .post(d.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": s.refresh}))
        .send()
        .await
        .expect("refresh");
    assert_eq!(r1.status(), 200);
    let r1: Value = r1.json().await.expect("json");
    let newer = r1["refresh_token"].as_str().expect("rt").to_owned();
    assert_ne!(newer, s.refresh);
    // Reuse of the old one revokes the family, including the newer token.
    let reuse = d
        .http
        .post(d.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": s.refresh}))
        .send()
        .await
        .expect("reuse");
    expect_problem(reuse, 401, "TOKEN_REUSED").await;
    let after = d
        .http
        .post(d.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": newer}))
        .send()
        .await
        .expect("after");
    expect_problem(after, 401, "TOKEN_REUSED").await;
    // Other logins (families) are unaffected.
    let other = t["refresh_token"].as_str().expect("rt").to_owned();
    let ok = d
        .http
        .post(d.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": other}))
        .send()
        .await
        .expect("other");
    assert_eq!(ok.status(), 200);
    let ok: Value = ok.json().await.expect("json");

    // Logout revokes that family.
    let rt = ok["refresh_token"].as_str().expect("rt");
    let out = d
        .http
        .post(d.url("/api/v1/auth/logout"))
        .json(&json!({"refresh_token": rt}))
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 204);
    let dead = d
        .http
        .post(d.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": rt}))
        .send()
        .await
        .expect("dead");
    expect_problem(dead, 401, "TOKEN_REUSED").await;

    // A duplicate email is not told apart (issue 16, point 13: see registration.rs); its owner
    // hears of the attempt and no second account appears.
    let dup = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": email.to_uppercase(), "password": PASSWORD}))
        .send()
        .await
        .expect("dup");
    assert_eq!(dup.status(), 202);
    d.next_mail(Some(&email), "already has an account").await;
    // A tampered access token.
    let mut forged = s.token.clone();
    forged.pop();
    forged.push('x');
    let r = d.http.get(d.url("/api/v1/auth/me")).bearer_auth(forged).send().await.expect("me");
    expect_problem(r, 401, "UNAUTHORIZED").await;
});

both!(registration_modes_and_invitations, |db| async move {
    let d = Daemon::start_with(db, Opts { registration: "invite-only", ..Opts::default() }).await;
    let owner_out = d.admin(
        &["create-user", "--email", "owner@example.test", "--tenant", "Acme", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(owner_out.contains("tenant acme"), "{owner_out}");
    let owner = d.login("owner@example.test").await;
    // Without an invitation: refused.
    let r = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": "x@example.test", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    expect_problem(r, 403, "REGISTRATION_CLOSED").await;
    // With one, for the invited address only, once.
    let inv: Value = d
        .send(
            &owner,
            Method::POST,
            "/api/v1/invites",
            Some(json!({"email": "bob@example.test", "role": "viewer"})),
        )
        .await
        .json()
        .await
        .expect("json");
    let token = inv["token"].as_str().expect("token");
    let wrong = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": "eve@example.test", "password": PASSWORD, "invite_token": token}))
        .send()
        .await
        .expect("send");
    expect_problem(wrong, 400, "VALIDATION_FAILED").await;
    let ok = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": "bob@example.test", "password": PASSWORD, "invite_token": token}))
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 201);
    let again = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": "bob2@example.test", "password": PASSWORD, "invite_token": token}))
        .send()
        .await
        .expect("send");
    expect_problem(again, 400, "VALIDATION_FAILED").await;
    let bob = d.login("bob@example.test").await;
    assert_eq!(bob.tenant, owner.tenant);
    let me: Value = d.send(&bob, Method::GET, "/api/v1/auth/me", None).await.json().await.expect("me");
    assert_eq!(me["tenants"][0]["role"], "viewer");
    // A viewer cannot invite; nobody can invite an owner.
    let r = d
        .send(
            &bob,
            Method::POST,
            "/api/v1/invites",
            Some(json!({"email": "c@example.test", "role": "viewer"})),
        )
        .await;
    expect_problem(r, 403, "FORBIDDEN").await;
    let r = d
        .send(
            &owner,
            Method::POST,
            "/api/v1/invites",
            Some(json!({"email": "c@example.test", "role": "owner"})),
        )
        .await;
    expect_problem(r, 403, "FORBIDDEN").await;
    // A short password is a field error.
    let r = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": "s@example.test", "password": "short"}))
        .send()
        .await
        .expect("send");
    let p = expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert_eq!(p["errors"][0]["field"], "body.password");
    // reset-password revokes sessions and the new password works.
    d.admin(
        &["reset-password", "--email", "bob@example.test", "--password-stdin"],
        Some("a brand new password\n"),
    );
    let r = d
        .http
        .post(d.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": bob.refresh}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    let r = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": "bob@example.test", "password": "a brand new password"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);

    let closed = Daemon::start_with(db, Opts { registration: "closed", ..Opts::default() }).await;
    let r = closed
        .http
        .post(closed.url("/api/v1/auth/register"))
        .json(&json!({"email": "x@example.test", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    expect_problem(r, 403, "REGISTRATION_CLOSED").await;
});

both!(api_keys_scopes_expiry_and_revocation, |db| async move {
    let d = Daemon::start(db).await;
    let s = d.register(&unique_email("k")).await;
    let resp = d
        .send(&s, Method::POST, "/api/v1/api-keys", Some(json!({"name": "ci", "scopes": ["project:read"]})))
        .await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.expect("json");
    let secret = created["secret"].as_str().expect("secret").to_owned();
    let (prefix, rest) = secret.split_at(9);
    assert_eq!(prefix, "crn_live_");
    let (lookup, sec) = rest.split_once('_').expect("two parts");
    assert_eq!((lookup.len(), sec.len()), (16, 32));
    assert!(lookup.chars().chain(sec.chars()).all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(created["key"]["prefix"], format!("crn_live_{lookup}"));
    let id = created["key"]["id"].as_str().expect("id").to_owned();
    // The secret is never shown again.
    let listed = d.send(&s, Method::GET, "/api/v1/api-keys", None).await.text().await.expect("text");
    assert!(!listed.contains(sec), "secret leaked in list");

    let key = crate::harness::Session { token: secret.clone(), ..s.clone() };
    let me: Value = d.send(&key, Method::GET, "/api/v1/auth/me", None).await.json().await.expect("me");
    assert_eq!(me["api_key_scopes"], json!(["project:read"]));
    assert_eq!(d.send(&key, Method::GET, "/api/v1/projects", None).await.status(), 200);
    let r = d.send(&key, Method::POST, "/api/v1/projects", Some(json!({"name": "p", "kind": "repo"}))).await;
    expect_problem(r, 403, "INSUFFICIENT_SCOPE").await;
    let k: Value =
        d.send(&s, Method::GET, &format!("/api/v1/api-keys/{id}"), None).await.json().await.expect("json");
    assert!(k["last_used_at"].is_string(), "last_used_at recorded: {k}");
    // Recorded to the minute: another use right after does not write it again.
    assert_eq!(d.send(&key, Method::GET, "/api/v1/projects", None).await.status(), 200);
    let again: Value =
        d.send(&s, Method::GET, &format!("/api/v1/api-keys/{id}"), None).await.json().await.expect("json");
    assert_eq!(again["last_used_at"], k["last_used_at"], "not rewritten within a minute");

    // A wrong secret with a real lookup, and a malformed key.
    let wrong =
        crate::harness::Session { token: format!("crn_live_{lookup}_{}", "A".repeat(32)), ..s.clone() };
    expect_problem(d.send(&wrong, Method::GET, "/api/v1/projects", None).await, 401, "UNAUTHORIZED").await;
    let junk = crate::harness::Session { token: "crn_live_x".into(), ..s.clone() };
    expect_problem(d.send(&junk, Method::GET, "/api/v1/projects", None).await, 401, "UNAUTHORIZED").await;

    // Expiry in the past is refused; test keys have their prefix.
    let r = d
        .send(
            &s,
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "old", "scopes": ["admin"], "expires_at": "2001-01-01T00:00:00Z"})),
        )
        .await;
    expect_problem(r, 400, "VALIDATION_FAILED").await;
    let t: Value = d
        .send(
            &s,
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "t", "scopes": ["admin"], "environment": "test"})),
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(t["secret"].as_str().expect("secret").starts_with("crn_test_"));

    // Revocation.
    assert_eq!(d.send(&s, Method::DELETE, &format!("/api/v1/api-keys/{id}"), None).await.status(), 204);
    expect_problem(d.send(&key, Method::GET, "/api/v1/projects", None).await, 401, "UNAUTHORIZED").await;

    // `cairnd admin create-key` mints a working key.
    let email = d.send(&s, Method::GET, "/api/v1/auth/me", None).await.json::<Value>().await.expect("me")["user"]["email"]
        .as_str()
        .expect("email")
        .to_owned();
    let out = d.admin(&["create-key", "--email", &email, "--scope", "project:read"], None);
    let cli_key = crate::harness::Session { token: out.trim().to_owned(), ..s.clone() };
    assert_eq!(d.send(&cli_key, Method::GET, "/api/v1/projects", None).await.status(), 200);
});

both!(tenant_isolation_and_x_tenant, |db| async move {
    let d = Daemon::start(db).await;
    let a = d.register(&unique_email("a")).await;
    let b = d.register(&unique_email("b")).await;
    let p = d.create_project(&a, "secret-project").await;
    let id = p["id"].as_str().expect("id");
    // B sees a 404, never a 403, on A's object, and A's project is not in B's list.
    expect_problem(d.send(&b, Method::GET, &format!("/api/v1/projects/{id}"), None).await, 404, "NOT_FOUND")
        .await;
    let mut del = d
        .http
        .delete(d.url(&format!("/api/v1/projects/{id}")))
        .bearer_auth(&b.token)
        .header("if-match", "\"1\"");
    del = del.header("x-request-id", "iso-test");
    expect_problem(del.send().await.expect("send"), 404, "NOT_FOUND").await;
    let list: Value = d.send(&b, Method::GET, "/api/v1/projects", None).await.json().await.expect("json");
    assert_eq!(list["total"], 0);
    let r = d
        .send(&b, Method::POST, &format!("/api/v1/projects/{id}/versions"), Some(json!({"name": "1.0"})))
        .await;
    expect_problem(r, 404, "NOT_FOUND").await;
    // X-Tenant naming a tenant the caller is not in.
    let r = d
        .http
        .get(d.url("/api/v1/projects"))
        .bearer_auth(&b.token)
        .header("x-tenant", a.tenant.clone().expect("tenant"))
        .send()
        .await
        .expect("send");
    expect_problem(r, 404, "NOT_FOUND").await;
    // X-Tenant by slug picks among the caller's tenants: invite A into B's tenant.
    let inv: Value = d
        .send(
            &b,
            Method::POST,
            "/api/v1/invites",
            Some(json!({"email": "a-in-b@example.test", "role": "member"})),
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(inv["token"].is_string());
    let me_b: Value = d.send(&b, Method::GET, "/api/v1/auth/me", None).await.json().await.expect("me");
    let slug = me_b["tenants"][0]["slug"].as_str().expect("slug");
    let r = d
        .http
        .get(d.url("/api/v1/projects"))
        .bearer_auth(&b.token)
        .header("x-tenant", slug)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    // The object is unchanged.
    let again: Value =
        d.send(&a, Method::GET, &format!("/api/v1/projects/{id}"), None).await.json().await.expect("json");
    assert_eq!(again["version"], 1);
});

both!(auth_requests_are_never_replayed_from_an_idempotency_key, |db| async move {
    // A replayed refresh would hand out the same rotated tokens again instead of detecting the
    // reuse of a spent refresh token.
    let d = Daemon::start(db).await;
    let s = d.register(&unique_email("idem")).await;
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let resp = d
            .http
            .post(d.url("/api/v1/auth/refresh"))
            .bearer_auth(&s.token)
            .header("idempotency-key", "same-key-for-both")
            .json(&json!({"refresh_token": s.refresh}))
            .send()
            .await
            .expect("refresh");
        assert!(resp.headers().get("idempotency-replayed").is_none());
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [200, 401], "the second use of a spent refresh token is reuse");
});

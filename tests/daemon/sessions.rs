//! Sessions end when they should (issue 16, point 10): a password reset or a deactivation ends
//! the user's access tokens at once (not 15 minutes later) and closes their open WebSockets; an
//! expiring API key cannot mint keys that outlive it.

use reqwest::Method;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::authz::latest_reset_token;
use crate::both;
use crate::harness::{Daemon, PASSWORD, expect_problem, unique_email};
use crate::ws::{Frame, next, open};

fn in_hours(h: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(h)).format(&Rfc3339).expect("format")
}

both!(a_password_reset_ends_access_tokens_and_sockets, |db| async move {
    let d = Daemon::start(db).await;
    let email = unique_email("reset");
    let user = d.register(&email).await;
    let (mut socket, _) = open(&d, "/api/v1/ws/events", &user).await;
    assert_eq!(d.send(&user, Method::GET, "/api/v1/auth/me", None).await.status(), 200);

    let asked =
        d.http.post(d.url("/api/v1/auth/forgot-password")).json(&json!({"email": email})).send().await;
    assert_eq!(asked.expect("forgot").status(), 202);
    let token = latest_reset_token(&d).await;
    let reset = d
        .http
        .post(d.url("/api/v1/auth/reset-password"))
        .json(&json!({"token": token, "password": "a brand new passphrase"}))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 204);

    // The old code kept both working until the access token expired.
    expect_problem(d.send(&user, Method::GET, "/api/v1/auth/me", None).await, 401, "UNAUTHORIZED").await;
    assert_eq!(next(&mut socket).await, Frame::Close(1008, "session_ended".into()));
    let fresh = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "a brand new passphrase"}))
        .send()
        .await
        .expect("login");
    assert_eq!(fresh.status(), 200, "the new password signs in");
});

both!(deactivation_closes_sockets_and_reactivation_does_not_revive_old_tokens, |db| async move {
    let d = Daemon::start(db).await;
    d.admin(
        &[
            "create-user",
            "--email",
            "op@example.test",
            "--super-admin",
            "--tenant",
            "Ops",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("op@example.test").await;
    let user = d.register(&unique_email("leaver")).await;
    let key = d.api_key(&user, &["scan:read", "project:read"]).await;
    let (mut by_token, _) = open(&d, "/api/v1/ws/events", &user).await;
    let (mut by_key, _) = open(&d, "/api/v1/ws/events", &key).await;

    let path = format!("/api/v1/admin/users/{}/deactivate", user.user_id);
    assert_eq!(d.send(&root, Method::PATCH, &path, None).await.status(), 200);
    assert_eq!(next(&mut by_token).await, Frame::Close(1008, "session_ended".into()));
    assert_eq!(next(&mut by_key).await, Frame::Close(1008, "session_ended".into()));
    expect_problem(d.send(&key, Method::GET, "/api/v1/projects", None).await, 401, "UNAUTHORIZED").await;

    let path = format!("/api/v1/admin/users/{}/activate", user.user_id);
    assert_eq!(d.send(&root, Method::PATCH, &path, None).await.status(), 200);
    // The access token from before the deactivation stays void; the key works again.
    expect_problem(d.send(&user, Method::GET, "/api/v1/auth/me", None).await, 401, "UNAUTHORIZED").await;
    assert_eq!(d.send(&key, Method::GET, "/api/v1/projects", None).await.status(), 200);
});

both!(an_expiring_key_cannot_mint_keys_that_outlive_it, |db| async move {
    let d = Daemon::start(db).await;
    let user = d.register(&unique_email("minter")).await;
    let made = d
        .send(
            &user,
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "ci", "scopes": ["admin"], "expires_at": in_hours(1)})),
        )
        .await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.expect("json");
    let admin_key = crate::harness::Session {
        token: made["secret"].as_str().expect("secret").to_owned(),
        ..user.clone()
    };
    let mint = |expires: Option<String>| {
        let d = &d;
        let admin_key = admin_key.clone();
        async move {
            let mut body = json!({"name": "child", "scopes": ["project:read"]});
            if let Some(e) = expires {
                body["expires_at"] = json!(e);
            }
            d.send(&admin_key, Method::POST, "/api/v1/api-keys", Some(body)).await
        }
    };
    // On the old code both were 201: a key living forever, or a day, from one that dies in an hour.
    let forever = expect_problem(mint(None).await, 400, "VALIDATION_FAILED").await;
    assert_eq!(forever["errors"][0]["field"], "body.expires_at", "{forever}");
    expect_problem(mint(Some(in_hours(24))).await, 400, "VALIDATION_FAILED").await;
    let within = mint(Some(
        (time::OffsetDateTime::now_utc() + time::Duration::minutes(30)).format(&Rfc3339).expect("format"),
    ))
    .await;
    assert_eq!(within.status(), 201, "a key within the minting key's life is fine");
    // A session (not a key) is not limited.
    let open_ended = d
        .send(&user, Method::POST, "/api/v1/api-keys", Some(json!({"name": "n", "scopes": ["project:read"]})))
        .await;
    assert_eq!(open_ended.status(), 201);
});

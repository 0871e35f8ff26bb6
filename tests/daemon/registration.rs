//! Open registration does not reveal taken addresses (issue 16, point 13): the answer is the same
//! for a new and a taken address, the new address gets a one-time token by mail that completes
//! the account, the taken address's owner is told of the attempt, and the outbox shows no token.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Opts, PASSWORD, expect_problem, unique_email};

async fn ask(d: &Daemon, email: &str) -> (u16, String) {
    let r = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": email, "password": "another long passphrase", "tenant_name": "same"}))
        .send()
        .await
        .expect("register");
    (r.status().as_u16(), r.text().await.expect("body"))
}

both!(open_registration_answers_alike_for_new_and_taken_addresses, |db| async move {
    let d = Daemon::start_with(db, Opts::default()).await;
    d.admin(
        &["create-user", "--email", "root@example.test", "--super-admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("root@example.test").await;
    let taken = unique_email("taken");
    d.register(&taken).await;
    let fresh = unique_email("fresh");

    // The old daemon answered 409 EMAIL_TAKEN here and 201 with tokens for a new address.
    let for_taken = ask(&d, &taken).await;
    let for_fresh = ask(&d, &fresh).await;
    assert_eq!(for_taken.0, 202, "{for_taken:?}");
    assert_eq!(for_taken, for_fresh, "the answers tell the addresses apart");

    // The owner of the taken address is told, without a token; the new address gets one.
    let note = d.next_mail(Some(&taken), "already has an account").await;
    assert!(!note.contains("crg_"), "{note}");
    let token = d.registration_token(&fresh).await;
    assert!(token.starts_with("crg_"), "{token}");

    // Not an account until the token comes back: the password does not log in yet.
    let early = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": fresh, "password": "another long passphrase"}))
        .send()
        .await
        .expect("login");
    assert_eq!(early.status(), 401);
    let verify = |token: String| {
        let d = &d;
        async move {
            d.http
                .post(d.url("/api/v1/auth/register/verify"))
                .json(&json!({"token": token}))
                .send()
                .await
                .expect("verify")
        }
    };
    let done = verify(token.clone()).await;
    assert_eq!(done.status(), 201);
    let tokens: Value = done.json().await.expect("tokens");
    let me: Value = d
        .http
        .get(d.url("/api/v1/auth/me"))
        .bearer_auth(tokens["access_token"].as_str().expect("access"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("me json");
    assert_eq!(me["user"]["email"], fresh.as_str());
    assert_eq!(me["tenants"].as_array().map(Vec::len), Some(1), "a personal tenant: {me}");
    // Once only, and unknown tokens are a field error.
    let again = expect_problem(verify(token.clone()).await, 400, "VALIDATION_FAILED").await;
    assert_eq!(again["errors"][0]["field"], "body.token");
    expect_problem(verify("crg_unknown".into()).await, 400, "VALIDATION_FAILED").await;

    // The outbox shows both mails, never the token.
    let outbox: Value = d
        .send(&root, Method::GET, "/api/v1/admin/outbox?limit=1000", None)
        .await
        .json()
        .await
        .expect("outbox");
    let text = outbox.to_string();
    assert!(!text.contains(&token[4..]), "the outbox shows the registration token: {text}");
    let subjects: Vec<&str> = outbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["recipient"] == taken.as_str() || m["recipient"] == fresh.as_str())
        .filter_map(|m| m["subject"].as_str())
        .collect();
    assert!(subjects.contains(&"Cairn registration attempt"), "{subjects:?}");
    assert!(subjects.contains(&"Confirm your Cairn registration"), "{subjects:?}");
});

both!(registration_tokens_need_open_registration, |db| async move {
    let d = Daemon::start_with(db, Opts { registration: "invite-only", ..Opts::default() }).await;
    let r = d
        .http
        .post(d.url("/api/v1/auth/register/verify"))
        .json(&json!({"token": "crg_whatever"}))
        .send()
        .await
        .expect("verify");
    expect_problem(r, 403, "REGISTRATION_CLOSED").await;
    let r = d
        .http
        .post(d.url("/api/v1/auth/register"))
        .json(&json!({"email": unique_email("x"), "password": PASSWORD}))
        .send()
        .await
        .expect("register");
    expect_problem(r, 403, "REGISTRATION_CLOSED").await;
});

//! Operating the installation: the hash-chained audit log and its verification, password reset by
//! mail (outbox), the operator role with its last-super-admin guard, deactivation, and the
//! in-flight Idempotency-Key lock.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Executor;

use crate::authz::latest_reset_token;
use crate::both;
use crate::harness::{Daemon, Db, Opts, PASSWORD, Session, expect_problem, unique_email};

async fn root(d: &Daemon) -> Session {
    d.admin(
        &[
            "create-user",
            "--email",
            "root@example.test",
            "--super-admin",
            "--tenant",
            "A",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    d.login("root@example.test").await
}

async fn audit(d: &Daemon, root: &Session) -> Vec<Value> {
    let v: Value =
        d.send(root, Method::GET, "/api/v1/admin/audit?limit=1000", None).await.json().await.expect("audit");
    v["items"].as_array().expect("items").clone()
}

async fn raw_pool(d: &Daemon) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon")
}

both!(audit_log_chains_every_write_and_verify_finds_tampering, |db| async move {
    let d = Daemon::start(db).await;
    let root = root(&d).await;
    let bad = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": "root@example.test", "password": "wrong wrong wrong"}))
        .send()
        .await
        .expect("send");
    assert_eq!(bad.status(), 401);
    let p = d.create_project(&root, "audited").await;
    let pid = p["id"].as_str().expect("pid").to_owned();
    let r = d
        .http
        .patch(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&root.token)
        .header("if-match", "\"1\"")
        .header("x-request-id", "req-audit-1")
        .json(&json!({"tags": ["x"]}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    let key: Value = d
        .send(&root, Method::POST, "/api/v1/api-keys", Some(json!({"name": "k", "scopes": ["project:read"]})))
        .await
        .json()
        .await
        .expect("key");
    let team: Value = d
        .send(&root, Method::POST, "/api/v1/admin/teams", Some(json!({"name": "t"})))
        .await
        .json()
        .await
        .expect("team");
    let tid = team["id"].as_str().expect("tid");
    let r = d
        .send(
            &root,
            Method::POST,
            &format!("/api/v1/admin/teams/{tid}/members"),
            Some(json!({"user_id": root.user_id})),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = d
        .http
        .delete(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&root.token)
        .header("if-match", "*")
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204);
    // A denied write is not a write.
    let denied =
        d.send(&root, Method::PATCH, &format!("/api/v1/projects/{pid}"), Some(json!({"tags": []}))).await;
    assert!(denied.status().is_client_error());

    let rows = audit(&d, &root).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().expect("action")).collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "auth.login",
            "auth.login_failed",
            "project.create",
            "project.update",
            "api_key.create",
            "team.create",
            "team.member_add",
            "project.delete"
        ]
    );
    let by = |a: &str| rows.iter().find(|r| r["action"] == a).expect("row").clone();
    assert_eq!(by("user.create")["actor_user_id"], Value::Null, "the server's shell acts for nobody");
    assert_eq!(by("user.create")["detail"]["via"], "cli");
    assert_eq!(by("auth.login_failed")["actor_user_id"], Value::Null);
    assert_eq!(by("auth.login_failed")["detail"]["email"], "root@example.test");
    assert_eq!(by("project.create")["object_id"], pid.as_str());
    assert_eq!(by("project.create")["actor_user_id"], root.user_id.as_str());
    assert_eq!(by("project.create")["tenant_id"], root.tenant.clone().expect("tenant").as_str());
    assert_eq!(by("project.update")["request_id"], "req-audit-1");
    assert_eq!(by("api_key.create")["object_id"], key["key"]["id"]);
    assert_eq!(by("team.member_add")["detail"]["user_id"], root.user_id.as_str());
    assert!(!rows.iter().any(|r| r.to_string().contains(PASSWORD)), "a password reached the audit log");
    // The chain: each row points at its predecessor's hash.
    assert_eq!(rows[0]["prev_hash"], "0".repeat(64));
    for w in rows.windows(2) {
        assert_eq!(w[1]["prev_hash"], w[0]["hash"]);
        assert_eq!(w[1]["seq"].as_i64(), w[0]["seq"].as_i64().map(|s| s + 1));
    }
    let v: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit/verify", None).await.json().await.expect("verify");
    assert_eq!(v, json!({"ok": true, "checked": 9, "first_broken_seq": null, "reason": null}));
    // The CSV export holds the same rows, hashes and details (quoted where needed).
    let csv_resp = d.send(&root, Method::GET, "/api/v1/admin/audit/export.csv", None).await;
    assert_eq!(csv_resp.status(), 200);
    assert!(csv_resp.headers()["content-type"].to_str().expect("ct").starts_with("text/csv"));
    let text = csv_resp.text().await.expect("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().expect("header").get(12), Some("hash"));
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), rows.len());
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(rec.get(12), row["hash"].as_str());
        assert_eq!(rec.get(6), row["action"].as_str());
        let detail: Value = serde_json::from_str(rec.get(9).expect("detail")).expect("detail json");
        assert_eq!(detail, row["detail"]);
    }
    // Paged like every list.
    let page: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit?limit=3", None).await.json().await.expect("page");
    assert_eq!((page["total"].as_i64(), page["items"].as_array().map(Vec::len)), (Some(9), Some(3)));
    let next = page["next_cursor"].as_str().expect("cursor");
    let page2: Value = d
        .send(&root, Method::GET, &format!("/api/v1/admin/audit?limit=3&cursor={next}"), None)
        .await
        .json()
        .await
        .expect("page2");
    assert_eq!(page2["items"][0]["id"], rows[3]["id"]);

    // Append-only in the database itself; with the guard removed, tampering is found.
    let pool = raw_pool(&d).await;
    let seq3 = rows[2]["seq"].as_i64().expect("seq");
    let upd = || sqlx::query("UPDATE audit_log SET action = 'project.read' WHERE seq = $1").bind(seq3);
    assert!(upd().execute(&pool).await.is_err(), "UPDATE of audit_log must be refused");
    assert!(pool.execute("DELETE FROM audit_log").await.is_err(), "DELETE of audit_log must be refused");
    match db {
        Db::Sqlite => pool.execute("DROP TRIGGER audit_log_no_update").await.expect("drop"),
        Db::Postgres => pool.execute("DROP TRIGGER audit_log_no_change ON audit_log").await.expect("drop"),
    };
    upd().execute(&pool).await.expect("tamper");
    pool.close().await;
    let v: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit/verify", None).await.json().await.expect("verify");
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken_seq"].as_i64(), Some(seq3));
    assert_eq!(v["checked"].as_i64(), Some(2));
    assert!(v["reason"].as_str().is_some_and(|r| r.contains("altered")), "{v}");
});

both!(password_reset_by_mail_is_single_use_and_reveals_nothing, |db| async move {
    let d = Daemon::start(db).await;
    let root = root(&d).await;
    let email = unique_email("forgetful");
    let user = d.register(&email).await;
    let ask = |e: String| {
        let d = &d;
        async move {
            let r = d
                .http
                .post(d.url("/api/v1/auth/forgot-password"))
                .json(&json!({"email": e}))
                .send()
                .await
                .expect("send");
            (r.status().as_u16(), r.text().await.expect("text"))
        }
    };
    let known = ask(email.to_uppercase()).await;
    let unknown = ask(unique_email("ghost")).await;
    assert_eq!(known, (202, String::new()));
    assert_eq!(unknown, known, "the answer must not reveal whether the email exists");
    let bad = d
        .http
        .post(d.url("/api/v1/auth/forgot-password"))
        .json(&json!({"email": "not an email"}))
        .send()
        .await
        .expect("send");
    expect_problem(bad, 400, "VALIDATION_FAILED").await;

    let token = latest_reset_token(&d).await;
    // The file is written before the sender records the delivery: wait for the record.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let outbox = loop {
        let outbox: Value =
            d.send(&root, Method::GET, "/api/v1/admin/outbox", None).await.json().await.expect("outbox");
        let sent = outbox["items"].as_array().expect("items").iter().all(|m| m["state"] == "sent");
        if sent {
            break outbox;
        }
        assert!(std::time::Instant::now() < deadline, "mail not recorded as sent: {outbox}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    // Registering the account mailed its registration token; the resets mail the account only.
    let resets: Vec<&Value> = outbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["subject"] == "Reset your Cairn password")
        .collect();
    assert_eq!(resets.len(), 1, "one mail, to the existing account only: {outbox}");
    assert_eq!(resets[0]["recipient"], email.as_str());
    // Only the hash is stored.
    let pool = raw_pool(&d).await;
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM password_resets").fetch_all(&pool).await.expect("select");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, token);
    assert!(!stored[0].0.contains(&token[4..]));
    // Issue 16 point 11: the admin outbox never shows the token (it did, in the body), and once
    // delivered the outbox row keeps nothing of it.
    assert!(!outbox.to_string().contains(&token[4..]), "the outbox shows the reset token: {outbox}");
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT body, secret, sent_at FROM outbox WHERE subject = 'Reset your Cairn password'",
    )
    .fetch_all(&pool)
    .await
    .expect("select");
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].0.contains(&token[4..]) && rows[0].1.is_none(), "the token outlived delivery");
    assert!(rows[0].2.is_some(), "delivered");
    pool.close().await;

    let reset = |token: String, pw: &'static str| {
        let d = &d;
        async move {
            d.http
                .post(d.url("/api/v1/auth/reset-password"))
                .json(&json!({"token": token, "password": pw}))
                .send()
                .await
                .expect("send")
        }
    };
    expect_problem(reset(token.clone(), "short").await, 400, "VALIDATION_FAILED").await;
    expect_problem(reset("cpr_forged".into(), "a brand new passphrase").await, 400, "VALIDATION_FAILED")
        .await;
    assert_eq!(reset(token.clone(), "a brand new passphrase").await.status(), 204);
    // Single use.
    let again = expect_problem(reset(token, "another new passphrase").await, 400, "VALIDATION_FAILED").await;
    assert_eq!(again["errors"][0]["field"], "body.token");
    // Sessions died; the new password works, the old one does not.
    let r =
        d.http.post(d.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": user.refresh})).send().await;
    assert_eq!(r.expect("refresh").status(), 401);
    let login = |pw: &'static str| {
        let d = &d;
        let email = email.clone();
        async move {
            d.http
                .post(d.url("/api/v1/auth/login"))
                .json(&json!({"email": email, "password": pw}))
                .send()
                .await
                .expect("login")
                .status()
        }
    };
    assert_eq!(login(PASSWORD).await, 401);
    assert_eq!(login("a brand new passphrase").await, 200);
    let fresh = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "a brand new passphrase"}))
        .send()
        .await
        .expect("login")
        .json::<Value>()
        .await
        .expect("json");
    let out = d
        .http
        .post(d.url("/api/v1/auth/logout"))
        .json(&json!({"refresh_token": fresh["refresh_token"]}))
        .send()
        .await;
    assert_eq!(out.expect("logout").status(), 204);

    // A newer token voids the older one.
    let r = d
        .send(&root, Method::POST, &format!("/api/v1/admin/users/{}/password-reset", user.user_id), None)
        .await;
    assert_eq!(r.status(), 202);
    let issued: Value = r.json().await.expect("json");
    assert_eq!(issued["email"], email.as_str());
    let first = latest_reset_token(&d).await;
    assert_eq!(ask(email.clone()).await.0, 202);
    let second = latest_reset_token(&d).await;
    assert_ne!(first, second);
    expect_problem(reset(first, "third new passphrase").await, 400, "VALIDATION_FAILED").await;
    assert_eq!(reset(second, "third new passphrase").await.status(), 204);

    // An expired token does not work (planted with an expiry in the past).
    let pool = raw_pool(&d).await;
    let expired = "cpr_expiredexpiredexpiredexpiredexpiredexpired1";
    sqlx::query(
        "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, '2020-01-01T00:00:00.000Z', '2020-01-01T01:00:00.000Z')",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(user.user_id.clone())
    .bind(cairn_daemon::auth::secrets::sha256_hex(expired.as_bytes()))
    .execute(&pool)
    .await
    .expect("plant");
    pool.close().await;
    expect_problem(reset(expired.into(), "fourth new passphrase").await, 400, "VALIDATION_FAILED").await;

    let actions: Vec<String> =
        audit(&d, &root).await.iter().map(|r| r["action"].as_str().expect("a").to_owned()).collect();
    for a in
        ["auth.password_reset_request", "auth.password_reset", "user.password_reset_issue", "auth.logout"]
    {
        assert!(actions.iter().any(|x| x == a), "{a} not audited: {actions:?}");
    }
});

both!(forgot_password_is_rate_limited_like_login, |db| async move {
    let d = Daemon::start_with(db, Opts { login_per_minute: 2, ..Opts::default() }).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = d
            .http
            .post(d.url("/api/v1/auth/forgot-password"))
            .json(&json!({"email": "someone@example.test"}))
            .send()
            .await
            .expect("send");
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [202, 202, 429]);
});

both!(operator_role_keeps_one_super_admin_and_deactivation_locks_out, |db| async move {
    let d = Daemon::start(db).await;
    let root = root(&d).await;
    let r = d
        .send(
            &root,
            Method::PATCH,
            &format!("/api/v1/admin/users/{}/role", root.user_id),
            Some(json!({"super_admin": false})),
        )
        .await;
    expect_problem(r, 409, "CONFLICT").await;
    let other_email = unique_email("other");
    let other = d.register(&other_email).await;
    let r = d
        .send(
            &root,
            Method::PATCH,
            &format!("/api/v1/admin/users/{}/role", other.user_id),
            Some(json!({"super_admin": true})),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("json")["super_admin"], true);
    let r = d
        .send(
            &other,
            Method::PATCH,
            &format!("/api/v1/admin/users/{}/role", root.user_id),
            Some(json!({"super_admin": false})),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Root is an ordinary user now: admin routes vanish for them.
    let r = d.send(&root, Method::GET, "/api/v1/admin/users", None).await;
    expect_problem(r, 404, "ROUTE_NOT_FOUND").await;
    let r = d
        .send(
            &other,
            Method::PATCH,
            &format!("/api/v1/admin/users/{}/role", other.user_id),
            Some(json!({"super_admin": false})),
        )
        .await;
    expect_problem(r, 409, "CONFLICT").await;
    let rows = audit(&d, &other).await;
    let change = rows.iter().filter(|r| r["action"] == "user.role_change").collect::<Vec<_>>();
    assert_eq!(change.len(), 2);
    assert_eq!(change[1]["detail"]["super_admin"], false);
    assert_eq!(change[1]["object_id"], root.user_id.as_str());

    // Deactivation: no login, no refresh, no token, no API key.
    let key = d.api_key(&root, &["project:read"]).await;
    let r = d
        .send(&other, Method::PATCH, &format!("/api/v1/admin/users/{}/deactivate", root.user_id), None)
        .await;
    assert_eq!(r.status(), 200);
    let login = d
        .http
        .post(d.url("/api/v1/auth/login"))
        .json(&json!({"email": "root@example.test", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    expect_problem(login, 401, "UNAUTHORIZED").await;
    let r =
        d.http.post(d.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": root.refresh})).send().await;
    // Revoked tokens answer like reused ones (401 TOKEN_REUSED); either way the session is dead.
    assert_eq!(r.expect("refresh").status(), 401);
    expect_problem(d.send(&root, Method::GET, "/api/v1/auth/me", None).await, 401, "UNAUTHORIZED").await;
    expect_problem(d.send(&key, Method::GET, "/api/v1/projects", None).await, 401, "UNAUTHORIZED").await;
    let r =
        d.send(&other, Method::PATCH, &format!("/api/v1/admin/users/{}/activate", root.user_id), None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(d.send(&key, Method::GET, "/api/v1/projects", None).await.status(), 200);
    d.login("root@example.test").await;
    let actions: Vec<String> =
        audit(&d, &other).await.iter().map(|r| r["action"].as_str().expect("a").to_owned()).collect();
    assert!(actions.contains(&"user.deactivate".to_owned()) && actions.contains(&"user.activate".to_owned()));
    let v: Value =
        d.send(&other, Method::GET, "/api/v1/admin/audit/verify", None).await.json().await.expect("v");
    assert_eq!(v["ok"], true, "{v}");
});

both!(identical_concurrent_idempotent_posts_create_once, |db| async move {
    let d = Daemon::start(db).await;
    let root = root(&d).await;
    for round in 0..5 {
        let key = format!("race-{round}");
        let name = format!("raced-{round}");
        let send = || {
            d.http
                .post(d.url("/api/v1/projects"))
                .bearer_auth(&root.token)
                .header("idempotency-key", key.as_str())
                .json(&json!({"name": name, "kind": "repo"}))
                .send()
        };
        let (a, b) = tokio::join!(send(), send());
        let mut outcomes = Vec::new();
        for r in [a.expect("a"), b.expect("b")] {
            let status = r.status().as_u16();
            let replayed = r.headers().get("idempotency-replayed").is_some();
            let body: Value = r.json().await.expect("json");
            outcomes.push((status, replayed, body["code"].as_str().map(str::to_owned)));
        }
        // Exactly one ran; the other was replayed or told to wait. Never a duplicate-name 409.
        let created = outcomes.iter().filter(|o| o.0 == 201 && !o.1).count();
        assert_eq!(created, 1, "{outcomes:?}");
        assert!(
            outcomes.iter().all(|o| o.0 == 201 || o.2.as_deref() == Some("IDEMPOTENCY_IN_PROGRESS")),
            "{outcomes:?}"
        );
    }
    let all: Value = d.send(&root, Method::GET, "/api/v1/projects", None).await.json().await.expect("json");
    assert_eq!(all["total"], 5);
    let rows = audit(&d, &root).await;
    assert_eq!(rows.iter().filter(|r| r["action"] == "project.create").count(), 5, "replays are not audited");
});

both!(idempotency_claims_are_exclusive_in_the_store, |db| async move {
    use cairn_daemon::store::{IdempotencyClaim, Store, StoredResponse};
    let d = Daemon::start(db).await;
    let store = Store::connect(&d.db_url).await.expect("connect");
    let claim = |hash: &'static str| store.idempotency_claim("u1", "k", "/api/v1/projects", hash);
    assert!(matches!(claim("h1").await.expect("claim"), IdempotencyClaim::Claimed));
    assert!(matches!(claim("h1").await.expect("claim"), IdempotencyClaim::InProgress { same_request: true }));
    assert!(matches!(
        claim("h2").await.expect("claim"),
        IdempotencyClaim::InProgress { same_request: false }
    ));
    // A failed request releases the key; a finished one is replayed.
    store.idempotency_abandon("u1", "k").await.expect("abandon");
    assert!(matches!(claim("h1").await.expect("claim"), IdempotencyClaim::Claimed));
    let resp = StoredResponse {
        request_hash: "h1".into(),
        status: 201,
        headers: vec![],
        body: b"{}".to_vec(),
        secret_withheld: false,
    };
    store.idempotency_complete("u1", "k", &resp).await.expect("complete");
    match claim("h1").await.expect("claim") {
        IdempotencyClaim::Done(s) => assert_eq!((s.status, s.body), (201, b"{}".to_vec())),
        other => panic!("expected Done, got {other:?}"),
    }
    store.close().await;
});

both!(the_last_super_admin_can_be_neither_demoted_nor_deactivated_in_the_store, |db| async move {
    use cairn_daemon::store::{Store, StoreError};
    let d = Daemon::start(db).await;
    let root = root(&d).await;
    let store = Store::connect(&d.db_url).await.expect("connect");
    let id = root.user_id.parse().expect("id");
    assert!(matches!(store.user_set_active(id, false).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.user_set_super_admin(id, false).await, Err(StoreError::Conflict(_))));
    let still = store.user_get(id).await.expect("get");
    assert!(still.active && still.super_admin);
    // An ordinary user can be deactivated; an unknown one is not found.
    let other = d.register(&unique_email("plain")).await;
    let other_id = other.user_id.parse().expect("id");
    assert!(!store.user_set_active(other_id, false).await.expect("deactivate").active);
    let ghost = cairn_sdk::types::UserId::new();
    assert!(matches!(store.user_set_super_admin(ghost, true).await, Err(StoreError::NotFound)));
    store.close().await;
});

// Issue 16 point 12: DELETEs and admin password resets name their object, and the CSV export
// does not hand a spreadsheet a formula.
both!(audit_names_deleted_objects_and_csv_cells_are_inert, |db| async move {
    let d = Daemon::start(db).await;
    let root = root(&d).await;
    let pid = d.create_project(&root, "doomed").await["id"].as_str().expect("pid").to_owned();
    let r = d
        .http
        .delete(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&root.token)
        .header("if-match", "*")
        .header("x-request-id", "-cmd")
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204);
    let key: Value = d
        .send(&root, Method::POST, "/api/v1/api-keys", Some(json!({"name": "k", "scopes": ["project:read"]})))
        .await
        .json()
        .await
        .expect("key");
    let kid = key["key"]["id"].as_str().expect("kid").to_owned();
    let r = d.send(&root, Method::DELETE, &format!("/api/v1/api-keys/{kid}"), None).await;
    assert!(r.status().is_success(), "{}", r.status());
    let other = d.register(&unique_email("reset")).await;
    let r = d
        .send(&root, Method::POST, &format!("/api/v1/admin/users/{}/password-reset", other.user_id), None)
        .await;
    assert_eq!(r.status(), 202);
    let rows = audit(&d, &root).await;
    let by = |a: &str| rows.iter().find(|r| r["action"] == a).unwrap_or_else(|| panic!("no {a}")).clone();
    assert_eq!(by("project.delete")["object_id"], pid.as_str());
    assert_eq!(by("api_key.revoke")["object_id"], kid.as_str());
    assert_eq!(by("user.password_reset_issue")["object_id"], other.user_id.as_str());
    assert_eq!(by("project.delete")["request_id"], "-cmd");
    let text =
        d.send(&root, Method::GET, "/api/v1/admin/audit/export.csv", None).await.text().await.expect("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let request_ids: Vec<String> =
        reader.records().map(|r| r.expect("record").get(10).expect("request_id").to_owned()).collect();
    assert!(request_ids.iter().any(|id| id == "'-cmd"), "{request_ids:?}");
    assert!(!request_ids.iter().any(|id| id.starts_with(['=', '+', '-', '@', '\t', '\r'])));
});

// Issue 16 point 7: a response holding a one-time secret is never kept (the old code replayed the
// API key's secret and the invite token for 24 hours); a key belongs to one credential (an API
// key of the same user does not get the token's stored answer); and a replay is authorized
// first (a member demoted to viewer gets 403, not the stored 201); and the same token acting in
// another tenant gets its own request, not tenant A's answer.
both!(idempotency_never_replays_secrets_or_crosses_credentials, |db| async move {
    let d = Daemon::start(db).await;
    let root = root(&d).await;
    let post = |who: &Session, path: &str, key: &str, body: Value| {
        d.http.post(d.url(path)).bearer_auth(&who.token).header("idempotency-key", key).json(&body).send()
    };
    let key_body = json!({"name": "ci", "scopes": ["bom:read"]});
    let first = post(&root, "/api/v1/api-keys", "secret-1", key_body.clone()).await.expect("send");
    assert_eq!(first.status(), 201);
    let secret = first.json::<Value>().await.expect("json")["secret"].as_str().expect("secret").to_owned();
    let again = post(&root, "/api/v1/api-keys", "secret-1", key_body).await.expect("send");
    let text = again.text().await.expect("text");
    assert!(!text.contains(&secret), "the secret was replayed: {text}");
    let problem: Value = serde_json::from_str(&text).expect("problem");
    assert_eq!(problem["code"], "IDEMPOTENCY_SECRET_WITHHELD", "{problem}");
    assert_eq!(problem["status"], 409);
    let invite = json!({"email": unique_email("inv"), "role": "member"});
    let first = post(&root, "/api/v1/invites", "secret-2", invite.clone()).await.expect("send");
    assert_eq!(first.status(), 201);
    let token = first.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_owned();
    let again = post(&root, "/api/v1/invites", "secret-2", invite).await.expect("send");
    let text = again.text().await.expect("text");
    assert!(!text.contains(&token), "the invite token was replayed: {text}");
    assert!(text.contains("IDEMPOTENCY_SECRET_WITHHELD"), "{text}");
    let keys: Value = d.send(&root, Method::GET, "/api/v1/api-keys", None).await.json().await.expect("keys");
    assert_eq!(keys["total"], 1, "the withheld replay did not mint a second key");

    // Another credential of the same user, lacking the scope: its own answer, never the stored one.
    let project = json!({"name": "idem", "kind": "repo"});
    let made = post(&root, "/api/v1/projects", "proj-1", project.clone()).await.expect("send");
    assert_eq!(made.status(), 201);
    let narrow = d.api_key(&root, &["bom:read"]).await;
    let r = post(&narrow, "/api/v1/projects", "proj-1", project.clone()).await.expect("send");
    expect_problem(r, 403, "INSUFFICIENT_SCOPE").await;

    // The same credential after losing the role: authorization runs before the replay.
    let member = d.invite(&root, &unique_email("member"), "member").await;
    let other = json!({"name": "idem-member", "kind": "repo"});
    let r = post(&member, "/api/v1/projects", "proj-2", other.clone()).await.expect("send");
    assert_eq!(r.status(), 201);
    let r = post(&member, "/api/v1/projects", "proj-2", other.clone()).await.expect("send");
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("idempotency-replayed").is_some());
    let pool = raw_pool(&d).await;
    sqlx::query("UPDATE memberships SET role = 'viewer' WHERE user_id = $1")
        .bind(member.user_id.as_str())
        .execute(&pool)
        .await
        .expect("demote");
    let r = post(&member, "/api/v1/projects", "proj-2", other).await.expect("send");
    expect_problem(r, 403, "FORBIDDEN").await;

    // The same token and key in another tenant of the same user: a request of its own there.
    let stranger = d.register(&unique_email("b-owner")).await;
    let tenant_b = stranger.tenant.clone().expect("tenant B");
    sqlx::query(
        "INSERT INTO memberships (tenant_id, user_id, role, created_at) \
         SELECT $1, user_id, 'admin', created_at FROM memberships WHERE user_id = $2",
    )
    .bind(tenant_b.as_str())
    .bind(root.user_id.as_str())
    .execute(&pool)
    .await
    .expect("join B");
    let in_b = d
        .http
        .post(d.url("/api/v1/projects"))
        .bearer_auth(&root.token)
        .header("idempotency-key", "proj-1")
        .header("x-tenant", tenant_b.as_str())
        .json(&project)
        .send()
        .await
        .expect("send");
    assert_eq!(in_b.status(), 201);
    assert!(in_b.headers().get("idempotency-replayed").is_none(), "tenant A's answer was replayed in B");
    let made_in_b: Value = in_b.json().await.expect("json");
    let listed: Value = d
        .http
        .get(d.url(&format!("/api/v1/projects/{}", made_in_b["id"].as_str().expect("id"))))
        .bearer_auth(&stranger.token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["name"], "idem", "the project exists in tenant B");
});

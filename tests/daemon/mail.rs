//! Mail over SMTP (issue 18; issue 16 point 11): a reset mail reaches an SMTP server the test
//! runs on loopback with its token while the admin outbox never shows it; a server that refuses
//! the connection leaves the mail queued with the reason.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Opts, PASSWORD, Session, unique_email};
use crate::smtp_sink::SmtpSink;

/// A super admin (who reads the outbox) and an ordinary account, both made on the server's shell.
async fn accounts(d: &Daemon) -> (Session, String) {
    let root = unique_email("root");
    d.admin(
        &["create-user", "--email", &root, "--super-admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let user = unique_email("user");
    d.admin(&["create-user", "--email", &user, "--password-stdin"], Some(&format!("{PASSWORD}\n")));
    (d.login(&root).await, user)
}

async fn outbox_row(d: &Daemon, root: &Session, to: &str) -> Option<Value> {
    let outbox: Value = d
        .send(root, Method::GET, "/api/v1/admin/outbox?limit=1000", None)
        .await
        .json()
        .await
        .expect("outbox");
    outbox["items"].as_array().expect("items").iter().find(|m| m["recipient"] == to).cloned()
}

both!(a_reset_mail_arrives_over_smtp_and_the_outbox_never_shows_its_token, |db| async move {
    let sink = SmtpSink::start().await;
    let d = Daemon::start_with(db, Opts { extra_config: sink.config(), ..Opts::default() }).await;
    let (root, user) = accounts(&d).await;
    let asked = d.http.post(d.url("/api/v1/auth/forgot-password")).json(&json!({"email": user})).send().await;
    assert_eq!(asked.expect("forgot").status(), 202);

    let mail = sink.next_to(&user).await;
    assert_eq!(mail.from, "cairn@example.test");
    assert_eq!(mail.header("Subject").as_deref(), Some("Reset your Cairn password"));
    let body = mail.body();
    let token = body
        .lines()
        .find_map(|l| l.strip_prefix("Reset token: "))
        .unwrap_or_else(|| panic!("the token reaches the recipient: {}", mail.data))
        .trim()
        .to_owned();
    assert!(token.starts_with("cpr_"), "{token}");
    // The token the SMTP server received works.
    let reset = d
        .http
        .post(d.url("/api/v1/auth/reset-password"))
        .json(&json!({"token": token, "password": "a brand new passphrase"}))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 204);

    let row = outbox_row(&d, &root, &user).await.expect("the mail is in the outbox");
    assert_eq!(row["state"], "sent", "{row}");
    assert_eq!(row["attempts"], 1, "{row}");
    assert!(row["sent_at"].is_string(), "{row}");
    let shown = row.to_string();
    assert!(!shown.contains(&token[4..]), "the outbox shows the token: {shown}");
    assert!(row["body"].as_str().expect("body").contains("[withheld: delivered to the recipient only]"));
});

both!(a_refused_smtp_connection_leaves_the_mail_queued_with_its_reason, |db| async move {
    // A port nothing listens on: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let config = format!(
        "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"cairn@example.test\"\ntimeout_secs = 2\n"
    );
    let d = Daemon::start_with(db, Opts { extra_config: config, ..Opts::default() }).await;
    let (root, user) = accounts(&d).await;
    let asked = d.http.post(d.url("/api/v1/auth/forgot-password")).json(&json!({"email": user})).send().await;
    assert_eq!(asked.expect("forgot").status(), 202);

    // The sender tries at once; the outbox shows the failed attempt when it is recorded.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let row = loop {
        let row = outbox_row(&d, &root, &user).await.expect("the mail is in the outbox");
        if row["attempts"].as_u64() >= Some(1) && row["last_error"].is_string() {
            break row;
        }
        assert!(std::time::Instant::now() < deadline, "no delivery attempt recorded: {row}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(row["state"], "queued", "a refused connection is tried again: {row}");
    let reason = row["last_error"].as_str().expect("reason").to_ascii_lowercase();
    assert!(reason.contains("refused"), "the reason names the refusal: {reason}");
    assert!(row["next_attempt_at"].is_string(), "{row}");
    assert!(row["sent_at"].is_null(), "{row}");
    assert!(!row.to_string().contains("cpr_"), "no token in the outbox: {row}");
});

both!(chosen_notification_kinds_are_mailed_over_smtp, |db| async move {
    let sink = SmtpSink::start().await;
    let (root_dir, tree) = crate::scans::tree_root();
    let config = format!("{}[oauth]\npublic_url = \"https://cairn.example.test\"\n", sink.config());
    let d = Daemon::start_with(
        db,
        Opts { extra_config: config, scan_roots: vec![root_dir.path().to_path_buf()], ..Opts::default() },
    )
    .await;
    let email = unique_email("notified");
    d.admin(
        &["create-user", "--email", &email, "--tenant", "Mailed", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let me = d.login(&email).await;
    // Mail for completed scans (off by default), none for failed ones (on by default).
    let prefs = json!({"events": {
        "scan.completed": {"in_app": true, "email": true},
        "scan.failed": {"in_app": true, "email": false},
    }});
    let put = d.send(&me, Method::PUT, "/api/v1/users/me/notification-prefs", Some(prefs)).await;
    assert_eq!(put.status(), 200, "{}", put.text().await.unwrap_or_default());
    let project = d.create_project(&me, "mailed-project").await;
    let project_id = project["id"].as_str().expect("id").to_owned();

    // A failing scan first: in the app, not mailed. A directory that is no git repository fails
    // its clone every time (a directory removed after the request raced the worker).
    let not_a_repo = root_dir.path().join("not-a-repo");
    std::fs::create_dir_all(&not_a_repo).expect("mkdir");
    let url = format!("file://{}", not_a_repo.display());
    let resp = d
        .send(
            &me,
            Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "git", "url": url}, "project": project_id})),
        )
        .await;
    assert_eq!(resp.status(), 202);
    let failed = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = crate::ws::follow(&d, &failed, &me).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("failed")));

    let scan = crate::findings::scan_to_completion(&d, &me, &tree, Some(&project_id)).await;
    // The first mail to arrive is the completed scan's: the failed one was not mailed.
    let mail = sink.next_to(&email).await;
    let subject = mail.header("Subject").expect("subject");
    assert_eq!(subject, format!("[Cairn] mailed-project: Scan {scan} completed"));
    let body = mail.body();
    assert!(body.contains("Project:   mailed-project"), "{body}");
    assert!(body.contains(&format!("Scan:      {scan}")), "{body}");
    assert!(
        body.contains("not matched (no vulnerability data)"),
        "no zero counts for an unmatched scan: {body}"
    );
    assert!(body.contains(&format!("https://cairn.example.test/api/v1/scans/{scan}")), "{body}");
    assert!(!body.contains(&failed), "the failed scan was mailed: {body}");
});

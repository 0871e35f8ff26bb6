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

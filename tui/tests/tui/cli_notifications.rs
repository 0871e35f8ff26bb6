//! `cairn notifications ls|read` through the real binary and a real daemon: a project's first
//! scan makes notifications (its findings are new, and it completed), awaited on the SDK's
//! `EventsWatcher`; listed as JSON and as a table, one read, then all (issue 18; new commands).

use std::process::{Command, Output, Stdio};

use cairn_sdk::types::EventKind;
use cairn_sdk::{Client, Credential, EventsWatcher, FeedEvent};
use futures_util::StreamExt;

use crate::common::{Daemon, Opts, copy_dir, corpus};

fn cairn(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("CAIRN_NO_KEYRING", "1")
        .env_remove("CAIRN_PROFILE")
        .stdin(Stdio::null())
        .output()
        .expect("run cairn")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_are_listed_and_marked_read() {
    let root = tempfile::tempdir().expect("root");
    let opts =
        Opts { postgres: false, path_roots: vec![root.path().to_path_buf()], workers: 1, vulndb: true };
    let daemon = Daemon::start(opts).await.expect("daemon");
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("config/cairn/config.toml");
    std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &config,
        format!("default = \"t\"\n[profiles.t]\nserver = \"{}\"\ncredential = \"api-key\"\n", daemon.base),
    )
    .expect("config");
    let creds = home.path().join("data/cairn/credentials.json");
    std::fs::create_dir_all(creds.parent().expect("parent")).expect("mkdir");
    let account = format!("profile:t@{}", config.display());
    std::fs::write(&creds, serde_json::json!({ account: daemon.admin_key }).to_string()).expect("creds");
    let client = Client::new(&daemon.base, Credential::ApiKey(daemon.admin_key.clone())).expect("client");
    let mut live = EventsWatcher::new(&client).stream();

    // werkzeug 2.3.3 has PYSEC-2023-221 in the fixture advisories: a new finding.
    let tree = root.path().join("celery");
    copy_dir(&corpus("pip/pallets__flask/examples/celery"), &tree);
    let out = cairn(
        home.path(),
        &["scan", tree.to_str().expect("utf8"), "--project", "watched", "--create-project", "--wait"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let made = loop {
        match tokio::time::timeout(std::time::Duration::from_secs(60), live.next()).await.expect("in time") {
            Some(Ok(FeedEvent::Notification(n))) if n.kind == EventKind::FindingNew => break n,
            Some(Ok(_)) => continue,
            other => panic!("the feed ended: {other:?}"),
        }
    };

    let out = cairn(home.path(), &["notifications", "ls", "--json", "--limit", "1000"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        listed.iter().any(|n| n["id"] == made.id.to_string() && n["read_at"].is_null()),
        "{}",
        text(&out)
    );
    let out = cairn(home.path(), &["notifications", "ls", "--unread"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(table.starts_with("ID"), "{table}");
    assert!(
        table.lines().any(|l| l.starts_with(&made.id.to_string()) && l.contains("finding.new")),
        "{table}"
    );

    let before = client.notifications_unread_count().await.expect("count").unread;
    let out = cairn(home.path(), &["notifications", "read", &made.id.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("{} unread", before - 1));
    let out = cairn(home.path(), &["notifications", "read", "--all"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0 unread");
    // Neither an id nor --all: a usage error, nothing marked.
    let out = cairn(home.path(), &["notifications", "read"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

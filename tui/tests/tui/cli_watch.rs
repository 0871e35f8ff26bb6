//! `cairn watch ls|add|rm|hits` through the real binary and a real daemon: a project's scan of
//! a real Flask example (werkzeug 2.3.3, which PYSEC-2023-221 of the fixture advisories affects),
//! then a package watch with a range and an advisory watch, each with the hit it has now; the
//! list, a watch's hits, removal, and the usage error of a range on an advisory (issue 18).

use std::process::{Command, Output, Stdio};

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

fn json(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", text(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_are_added_listed_and_removed() {
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

    let tree = root.path().join("celery");
    copy_dir(&corpus("pip/pallets__flask/examples/celery"), &tree);
    let out = cairn(
        home.path(),
        &["scan", tree.to_str().expect("utf8"), "--project", "watched", "--create-project", "--wait"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // A package with a range: werkzeug 2.3.3 is below 3, a hit now, shown in the table.
    let out = cairn(home.path(), &["watch", "add", "pkg:pypi/werkzeug", "--range", "<3"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let package_watch = stdout.lines().next().expect("the id").trim().to_owned();
    assert!(
        stdout.lines().any(|l| l.contains("pkg:pypi/werkzeug@2.3.3") && l.contains("yes")),
        "{}",
        text(&out)
    );
    // The advisory, as JSON: its finding on werkzeug, with the severity.
    let created = json(&cairn(home.path(), &["watch", "add", "PYSEC-2023-221", "--json"]));
    let hits = created["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 1, "{created}");
    assert_eq!(hits[0]["advisory"], "PYSEC-2023-221");
    assert_eq!(hits[0]["purl"], "pkg:pypi/werkzeug@2.3.3");
    assert!(hits[0]["severity"].is_string(), "{created}");
    let advisory_watch = created["watch"]["id"].as_str().expect("id").to_owned();

    let listed = json(&cairn(home.path(), &["watch", "ls", "--json"]));
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|w| w["hits"] == 1), "{listed:?}");
    let out = cairn(home.path(), &["watch", "ls"]);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(table.starts_with("WATCHES"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("pkg:pypi/werkzeug <3") && l.contains("package")), "{table}");
    let hits = json(&cairn(home.path(), &["watch", "hits", &package_watch, "--json"]));
    assert_eq!(hits[0]["purl"], "pkg:pypi/werkzeug@2.3.3", "{hits}");
    assert!(hits[0].get("advisory").is_none(), "{hits}");

    // A range with an advisory: a usage error before any request; a bad range: the daemon's
    // field error; the same watch twice: refused.
    let out = cairn(home.path(), &["watch", "add", "CVE-2023-46136", "--range", "<3"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = cairn(home.path(), &["watch", "add", "pkg:pypi/werkzeug", "--range", ">="]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("body.target.version_range"), "{}", text(&out));
    let out = cairn(home.path(), &["watch", "add", "PYSEC-2023-221"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));

    let out = cairn(home.path(), &["watch", "rm", &advisory_watch]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listed = json(&cairn(home.path(), &["watch", "ls", "--json"]));
    assert_eq!(listed.as_array().expect("array").len(), 1, "{listed}");
}

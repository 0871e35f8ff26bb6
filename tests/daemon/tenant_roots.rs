//! Issue 16 point 3: server paths belong to tenants. Tenant B naming a directory under tenant A's
//! root gets a 400 (on the old code every root served every tenant), and a root over the work
//! directory keeps the daemon from starting.

use std::io::Write;

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::harness::{Daemon, expect_problem};

both!(another_tenants_root_is_refused, |db| async move {
    let mut d = Daemon::start(db).await;
    let a = d.register("roots-a@example.test").await;
    let b = d.register("roots-b@example.test").await;
    let tenant_a = a.tenant.clone().expect("a's tenant");
    let code = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(code.path().join("app")).expect("mkdir");

    // A's roots, by tenant id, then the daemon restarts on them.
    d.terminate();
    let mut f = std::fs::OpenOptions::new().append(true).open(&d.config).expect("config");
    writeln!(f, "[sources.tenant_roots]\n{tenant_a:?} = [{:?}]", code.path().display().to_string())
        .expect("write config");
    drop(f);
    d.restart().await;

    let path = code.path().join("app");
    let body = json!({"source": {"kind": "path", "path": path}});
    let resp = d.send(&b, Method::POST, "/api/v1/scans", Some(body.clone())).await;
    let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
    assert_eq!(p["errors"][0]["field"], "body.source.path", "{p}");
    assert!(p.to_string().contains("not under a scan root of this tenant"), "{p}");
    let resp = d.send(&a, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202, "A scans its own root: {}", resp.text().await.unwrap_or_default());
});

#[test]
fn a_root_over_the_work_directory_keeps_the_daemon_from_starting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("cairnd.toml");
    let tenant = "0190a000-0000-7000-8000-000000000001";
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase_url = \"sqlite://{db}\"\n[sources]\nwork_dir = {work:?}\n\
             [sources.tenant_roots]\n{tenant:?} = [{root:?}]\n",
            db = dir.path().join("cairnd.db").display(),
            work = dir.path().join("srv/work").display().to_string(),
            root = dir.path().join("srv").display().to_string(),
        ),
    )
    .expect("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairnd"))
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("CAIRN_LISTEN")
        .env_remove("CAIRN_DATABASE_URL")
        .output()
        .expect("run cairnd");
    assert!(!out.status.success(), "started with a root over its work directory");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("work directory") && err.contains("work_dir"), "{err}");
}

//! The partner CBOM surface end to end: a git repository of real crypto-using sources submitted by
//! file:// URL, followed to completion, its readiness score equal to the engine's in-process score
//! for the same tree, its CBOM schema-valid; projects found or created by name; tenant kinds;
//! paging; tenancy, anonymous access and bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_engine::crypto::quantum::{METHODOLOGY, readiness};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Opts, PASSWORD, expect_problem, unique_email};
use crate::schema::validate;
use crate::ws::follow;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Cairn Test",
            "-c",
            "user.email=test@example.test",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A committed repository under `root/repo`: RSA and ECDSA key handling in Python (paramiko), the
/// Go certificate helpers of lego (RSA, ECDSA), an HMAC-SHA JWT signer, and a pip lockfile.
fn crypto_repo(root: &Path) -> PathBuf {
    let repo = root.join("repo");
    let files = [
        ("engine/tests/fixtures/crypto/python/paramiko__paramiko__rsakey.py", "app/rsakey.py"),
        ("engine/tests/fixtures/crypto/python/paramiko__paramiko__ecdsakey.py", "app/ecdsakey.py"),
        ("engine/tests/fixtures/crypto/go/go-acme__lego__crypto.go", "certs/crypto.go"),
        ("engine/tests/fixtures/crypto/go/golang-jwt__jwt__hmac.go", "jwt/hmac.go"),
        ("tests/fixtures/scan-tree/python/requirements.txt", "requirements.txt"),
    ];
    for (from, to) in files {
        let target = repo.join(to);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixtures().join(from), &target).expect("copy fixture");
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "crypto fixtures"]);
    repo
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

async fn json_of(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).expect("json")
}

both!(a_partner_cbom_scan_runs_end_to_end, |db| async move {
    let root = tempfile::tempdir().expect("root");
    let repo = crypto_repo(root.path());
    let url = format!("file://{}", repo.display());
    // No workers at first: the scans stay queued, so "before completion" is certain.
    let mut d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], workers: 0, ..Opts::default() },
    )
    .await;

    // Public health; everything else needs a caller.
    let health = json_of(d.http.get(d.url("/api/v1/cbom/health")).send().await.expect("send")).await;
    assert_eq!(
        (health["status"].as_str(), health["methodology_version"].as_str()),
        (Some("ok"), Some(METHODOLOGY))
    );
    assert_eq!((health["cyclonedx"].as_str(), health["spdx"].as_str()), (Some("1.6"), Some("3.0.1")));
    let anon = d.http.post(d.url("/api/v1/cbom/scans")).json(&json!({"repo_url": url})).send().await;
    expect_problem(anon.expect("send"), 401, "UNAUTHORIZED").await;
    let anon = d.http.get(d.url("/api/v1/cbom/scans")).send().await.expect("send");
    expect_problem(anon, 401, "UNAUTHORIZED").await;

    // Open self-registration makes a personal tenant.
    let me = d.register(&unique_email("partner")).await;
    let body = json!({"repo_url": url, "project_name": "partner-app", "project_version": "1.0.0"});
    let resp = d.send(&me, Method::POST, "/api/v1/cbom/scans", Some(body.clone())).await;
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().expect("location").to_owned();
    let created: Value = resp.json().await.expect("json");
    assert_eq!(keys(&created), ["id", "methodology_version", "status", "tenant_id", "tenant_kind"]);
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/api/v1/cbom/scans/{id}"));
    assert_eq!(created["status"], "queued");
    assert_eq!(created["tenant_kind"], "personal");
    assert_eq!(created["methodology_version"], METHODOLOGY);
    assert_eq!(created["tenant_id"].as_str(), me.tenant.as_deref());

    // The same names again: the project and version are found, not duplicated.
    let again: Value =
        json_of(d.send(&me, Method::POST, "/api/v1/cbom/scans", Some(body.clone())).await).await;
    let projects: Value =
        json_of(d.send(&me, Method::GET, "/api/v1/projects?name=partner-app", None).await).await;
    assert_eq!(projects["total"], 1, "{projects}");
    let pid = projects["items"][0]["id"].clone();
    let versions: Value = json_of(
        d.send(&me, Method::GET, &format!("/api/v1/projects/{}/versions", pid.as_str().expect("pid")), None)
            .await,
    )
    .await;
    assert_eq!(versions["total"], 1, "{versions}");
    for scan in [&id, again["id"].as_str().expect("id")] {
        let s: Value =
            json_of(d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{scan}"), None).await).await;
        assert_eq!((&s["project_id"], &s["version_id"]), (&pid, &versions["items"][0]["id"]));
        assert_eq!(s["repo_url"], url);
    }

    // A key without project:write may scan into an existing project, not create one.
    let key = d.api_key(&me, &["scan:write", "scan:read"]).await;
    let ok = d
        .send(
            &key,
            Method::POST,
            "/api/v1/cbom/scans",
            Some(json!({"repo_url": url, "project_name": "partner-app"})),
        )
        .await;
    assert_eq!(ok.status(), 201);
    let denied = d
        .send(
            &key,
            Method::POST,
            "/api/v1/cbom/scans",
            Some(json!({"repo_url": url, "project_name": "new-one"})),
        )
        .await;
    expect_problem(denied, 403, "INSUFFICIENT_SCOPE").await;
    let key_ro = d.api_key(&me, &["scan:read"]).await;
    let denied = d.send(&key_ro, Method::POST, "/api/v1/cbom/scans", Some(json!({"repo_url": url}))).await;
    expect_problem(denied, 403, "INSUFFICIENT_SCOPE").await;

    // An operator-created tenant is an organization.
    d.admin(
        &["create-user", "--email", "org@example.test", "--tenant", "Acme", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let org = d.login("org@example.test").await;
    let org_scan: Value =
        json_of(d.send(&org, Method::POST, "/api/v1/cbom/scans", Some(json!({"repo_url": url}))).await).await;
    assert_eq!(org_scan["tenant_kind"], "organization");

    // The side creations are audited, and so is each scan.
    d.admin(
        &["create-user", "--email", "root@example.test", "--super-admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("root@example.test").await;
    let audit: Value =
        json_of(d.send(&root, Method::GET, "/api/v1/admin/audit?limit=1000", None).await).await;
    let entries = audit["items"].as_array().expect("items");
    let count = |action: &str| entries.iter().filter(|e| e["action"] == action).count();
    assert_eq!(
        (count("project.create"), count("version.create"), count("scan.create")),
        (1, 1, 4),
        "{audit}"
    );

    // Before completion: no document.
    let early = d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}/bom.json"), None).await;
    expect_problem(early, 409, "SCAN_NOT_COMPLETED").await;
    let queued: Value =
        json_of(d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}"), None).await).await;
    assert_eq!((queued["status"].as_str(), &queued["score"]), (Some("queued"), &Value::Null));

    // Now with a worker.
    d.terminate();
    let config = std::fs::read_to_string(&d.config).expect("config");
    std::fs::write(&d.config, config.replace("workers = 0", "workers = 1")).expect("config");
    d.restart().await;
    let (events, _) = follow(&d, &id, &me).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{events:?}");

    // The score is the engine's, on the same tree.
    let engine = scan_path(&repo, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress)
        .expect("engine scan");
    let expected = readiness(&engine.crypto);
    let score = expected.score.expect("the fixtures use rated algorithms");
    assert!(expected.vulnerable > 0, "RSA and ECDSA are quantum-vulnerable: {expected:?}");
    let detail: Value =
        json_of(d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}"), None).await).await;
    assert_eq!(detail["status"], "completed");
    assert_eq!(detail["score"], json!(score), "{}", detail["pqc"]);
    assert_eq!(detail["pqc"]["methodology"], METHODOLOGY);
    assert_eq!(
        (&detail["pqc"]["rated"], &detail["pqc"]["safe"], &detail["pqc"]["quantum_vulnerable"]),
        (&json!(expected.rated), &json!(expected.safe), &json!(expected.vulnerable))
    );
    let assets = detail["crypto_assets"].as_array().expect("assets");
    assert!(!assets.is_empty());
    assert_eq!(detail["pqc"]["assets"], json!(assets.len()));
    assert!(assets.iter().any(|a| a["quantum_level"] == 0), "a level-0 asset among {assets:?}");
    let components = detail["components"].as_array().expect("components");
    assert_eq!(components.len(), engine.inventory.components.len());
    assert!(
        components
            .iter()
            .any(|c| c["name"] == "celery" || c["purl"].as_str().is_some_and(|p| p.starts_with("pkg:pypi/")))
    );
    assert!(detail["findings"].is_array());
    // The scan resource says the same.
    let scan: Value = json_of(d.send(&me, Method::GET, &format!("/api/v1/scans/{id}"), None).await).await;
    assert_eq!(scan["pqc"], detail["pqc"]);

    // The CBOM: schema-valid CycloneDX 1.6, the stored cbom document byte for byte.
    let cdx = d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}/bom.json"), None).await;
    assert_eq!(cdx.status(), 200);
    assert_eq!(cdx.headers()["content-type"], "application/vnd.cyclonedx+json");
    let cdx_bytes = cdx.bytes().await.expect("bytes");
    let stored =
        d.send(&me, Method::GET, &format!("/api/v1/scans/{id}/bom?format=cbom"), None).await.bytes().await;
    assert_eq!(cdx_bytes, stored.expect("stored"));
    let doc: Value = serde_json::from_slice(&cdx_bytes).expect("json");
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(validate("cbom", &doc), Vec::<String>::new());
    let crypto_components = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["type"] == "cryptographic-asset")
        .count();
    assert_eq!(crypto_components, assets.len());
    let props = doc["metadata"]["properties"].as_array().expect("metadata properties");
    let score_prop =
        props.iter().find(|p| p["name"] == "cairn:cbom:readiness-score").expect("score property");
    assert_eq!(score_prop["value"], score.to_string());
    let spdx = d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}/bom.json?format=spdx"), None).await;
    assert_eq!(spdx.status(), 200);
    let spdx: Value = spdx.json().await.expect("spdx json");
    assert_eq!(validate("spdx", &spdx), Vec::<String>::new());

    // The list, with a limit.
    let page: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans?limit=1", None).await).await;
    assert_eq!((page["total"].as_i64(), page["items"].as_array().map(Vec::len)), (Some(3), Some(1)));
    assert!(page["next_cursor"].is_string());
    let all: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans?limit=10", None).await).await;
    let listed: Vec<&str> =
        all["items"].as_array().expect("items").iter().filter_map(|s| s["id"].as_str()).collect();
    assert!(listed.contains(&id.as_str()) && !listed.contains(&org_scan["id"].as_str().expect("id")));
    let mine =
        all["items"].as_array().expect("items").iter().find(|s| s["id"] == id.as_str()).expect("listed");
    assert_eq!((&mine["score"], &mine["tenant_kind"]), (&json!(score), &json!("personal")));

    // Another tenant sees nothing of it.
    for path in [format!("/api/v1/cbom/scans/{id}"), format!("/api/v1/cbom/scans/{id}/bom.json")] {
        expect_problem(d.send(&org, Method::GET, &path, None).await, 404, "NOT_FOUND").await;
        let anon = d.http.get(d.url(&path)).send().await.expect("send");
        expect_problem(anon, 401, "UNAUTHORIZED").await;
    }
    let theirs: Value = json_of(d.send(&org, Method::GET, "/api/v1/cbom/scans", None).await).await;
    assert_eq!(theirs["total"], 1);
});

both!(bad_input_on_the_cbom_surface_is_a_4xx_problem_and_writes_nothing, |db| async move {
    let root = tempfile::tempdir().expect("root");
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], workers: 0, ..Opts::default() },
    )
    .await;
    let me = d.register(&unique_email("bad")).await;
    let cases = [
        (json!({"repo_url": "not a url"}), "body.repo_url"),
        (json!({"repo_url": "file://relative/path"}), "body.repo_url"),
        (json!({"repo_url": "https://example.test/r.git", "project_version": "1"}), "body.project_version"),
        (json!({"repo_url": "https://example.test/r.git", "project_name": ""}), "body.project_name"),
        (
            json!({"repo_url": "https://example.test/r.git", "project_name": "x".repeat(201)}),
            "body.project_name",
        ),
    ];
    for (body, field) in cases {
        let resp = d.send(&me, Method::POST, "/api/v1/cbom/scans", Some(body.clone())).await;
        let problem = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        let fields: Vec<&str> =
            problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "{body}: {problem}");
    }
    for body in
        [json!({"repo_url": "https://example.test/r.git", "ref": "main"}), json!({}), json!({"repo_url": 5})]
    {
        let resp = d.send(&me, Method::POST, "/api/v1/cbom/scans", Some(body.clone())).await;
        assert_eq!(resp.status(), 400, "{body}");
    }
    for path in [
        "/api/v1/cbom/scans?limit=0",
        "/api/v1/cbom/scans?limit=abc",
        "/api/v1/cbom/scans/not-a-uuid",
        "/api/v1/cbom/scans/not-a-uuid/bom.json",
        &format!("/api/v1/cbom/scans/{}/bom.json?format=cbom", uuid::Uuid::now_v7()),
    ] {
        let status = d.send(&me, Method::GET, path, None).await.status().as_u16();
        assert_eq!(status, 400, "{path}");
    }
    let missing = format!("/api/v1/cbom/scans/{}", uuid::Uuid::now_v7());
    expect_problem(d.send(&me, Method::GET, &missing, None).await, 404, "NOT_FOUND").await;
    let none: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans", None).await).await;
    assert_eq!(none["total"], 0, "bad input queued a scan: {none}");
    let projects: Value = json_of(d.send(&me, Method::GET, "/api/v1/projects", None).await).await;
    assert_eq!(projects["total"], 0, "bad input created a project: {projects}");
});

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

    // The list, with a limit: `{scans, count}`, newest first.
    let page: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans?limit=1", None).await).await;
    assert_eq!(keys(&page), ["count", "scans"]);
    assert_eq!((page["count"].as_i64(), page["scans"].as_array().map(Vec::len)), (Some(1), Some(1)));
    let all: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans?limit=10", None).await).await;
    assert_eq!(all["count"], 3);
    let listed: Vec<&str> =
        all["scans"].as_array().expect("scans").iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(page["scans"][0]["id"].as_str(), listed.first().copied(), "newest first");
    assert!(listed.contains(&id.as_str()) && !listed.contains(&org_scan["id"].as_str().expect("id")));
    let mine =
        all["scans"].as_array().expect("scans").iter().find(|s| s["id"] == id.as_str()).expect("listed");
    assert_eq!((&mine["score"], &mine["tenant_kind"]), (&json!(score), &json!("personal")));

    // Another tenant sees nothing of it.
    for path in [format!("/api/v1/cbom/scans/{id}"), format!("/api/v1/cbom/scans/{id}/bom.json")] {
        expect_problem(d.send(&org, Method::GET, &path, None).await, 404, "NOT_FOUND").await;
        let anon = d.http.get(d.url(&path)).send().await.expect("send");
        expect_problem(anon, 401, "UNAUTHORIZED").await;
    }
    let theirs: Value = json_of(d.send(&org, Method::GET, "/api/v1/cbom/scans", None).await).await;
    assert_eq!(theirs["count"], 1);
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
        (json!({"repo_url": "https://example.test/r.git", "project_version": ""}), "body.project_version"),
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
    assert_eq!(none["count"], 0, "bad input queued a scan: {none}");
    let projects: Value = json_of(d.send(&me, Method::GET, "/api/v1/projects", None).await).await;
    assert_eq!(projects["total"], 0, "bad input created a project: {projects}");
});

/// A JSON value's type as the contract names it.
fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Asserts an object has exactly `fields`, each of one of its allowed types.
fn assert_shape(v: &Value, fields: &[(&str, &[&str])]) {
    let mut want: Vec<String> = fields.iter().map(|(k, _)| (*k).to_owned()).collect();
    want.sort();
    assert_eq!(keys(v), want, "fields of {v}");
    for (k, types) in fields {
        assert!(types.contains(&type_of(&v[*k])), "{k} is {} in {v}", type_of(&v[*k]));
    }
}

const STATUS_WORDS: [&str; 5] = ["queued", "downloading", "scanning", "completed", "failed"];

/// A scan of the partner surface (docs/daemon.md, Partner CBOM API).
const SCAN_FIELDS: &[(&str, &[&str])] = &[
    ("id", &["string"]),
    ("status", &["string"]),
    ("tenant_id", &["string"]),
    ("tenant_kind", &["string"]),
    ("methodology_version", &["string"]),
    ("repo_url", &["string", "null"]),
    ("project_id", &["string", "null"]),
    ("version_id", &["string", "null"]),
    ("score", &["number", "null"]),
    ("error", &["string", "null"]),
    ("created_at", &["string"]),
    ("finished_at", &["string", "null"]),
];

fn assert_scan(v: &Value) {
    assert_shape(v, SCAN_FIELDS);
    assert!(STATUS_WORDS.contains(&v["status"].as_str().unwrap_or_default()), "status of {v}");
    assert!(uuid::Uuid::parse_str(v["id"].as_str().unwrap_or_default()).is_ok(), "id of {v}");
}

fn assert_detail(v: &Value) {
    let mut fields = SCAN_FIELDS.to_vec();
    fields.extend_from_slice(&[
        ("pqc", &["object", "null"][..]),
        ("components", &["array"][..]),
        ("findings", &["array"][..]),
        ("crypto_assets", &["array"][..]),
    ]);
    assert_shape(v, &fields);
    assert!(STATUS_WORDS.contains(&v["status"].as_str().unwrap_or_default()), "status of {v}");
}

both!(each_cbom_route_answers_the_documented_shape_for_the_documented_bodies, |db| async move {
    let root = tempfile::tempdir().expect("root");
    let repo = crypto_repo(root.path());
    let url = format!("file://{}", repo.display());
    // No workers: every scan stays queued, so each shape is seen in a known state.
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], workers: 0, ..Opts::default() },
    )
    .await;
    let me = d.register(&unique_email("contract")).await;

    // GET /cbom/health (public).
    let health = json_of(d.http.get(d.url("/api/v1/cbom/health")).send().await.expect("send")).await;
    assert_shape(
        &health,
        &[
            ("status", &["string"]),
            ("version", &["string"]),
            ("methodology_version", &["string"]),
            ("cyclonedx", &["string"]),
            ("spdx", &["string"]),
        ],
    );

    // POST /cbom/scans with each body the document allows: {repo_url, project_name?, project_version?}.
    let bodies = [
        json!({"repo_url": url}),
        json!({"repo_url": url, "project_name": "contract-app"}),
        json!({"repo_url": url, "project_name": "contract-app", "project_version": "2.1.0"}),
        json!({"repo_url": url, "project_version": "3.0.0"}),
    ];
    let mut ids = Vec::new();
    for body in &bodies {
        let resp = d.send(&me, Method::POST, "/api/v1/cbom/scans", Some(body.clone())).await;
        assert_eq!(resp.status(), 201, "{body}");
        let created: Value = resp.json().await.expect("json");
        assert_shape(
            &created,
            &[
                ("id", &["string"]),
                ("status", &["string"]),
                ("tenant_id", &["string"]),
                ("tenant_kind", &["string"]),
                ("methodology_version", &["string"]),
            ],
        );
        assert_eq!(created["status"], "queued");
        assert!(uuid::Uuid::parse_str(created["id"].as_str().expect("id")).is_ok());
        ids.push(created["id"].as_str().expect("id").to_owned());
    }

    // Which project and version each scan documents: none; contract-app 1.0.0 (the default);
    // contract-app 2.1.0; the repository's name ("repo") 3.0.0.
    let projects: Value = json_of(d.send(&me, Method::GET, "/api/v1/projects?limit=10", None).await).await;
    let mut named = Vec::new();
    for id in &ids {
        let s: Value =
            json_of(d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}"), None).await).await;
        assert_detail(&s);
        assert_eq!(
            (s["status"].as_str(), &s["score"], &s["pqc"]),
            (Some("queued"), &Value::Null, &Value::Null)
        );
        let project = projects["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|p| p["id"] == s["project_id"])
            .map(|p| p["name"].as_str().expect("name").to_owned());
        let version = match (&project, s["version_id"].as_str()) {
            (Some(_), Some(vid)) => {
                let v: Value =
                    json_of(d.send(&me, Method::GET, &format!("/api/v1/versions/{vid}"), None).await).await;
                Some(v["name"].as_str().expect("name").to_owned())
            }
            _ => None,
        };
        named.push((project, version));
    }
    let owned = |p: &str, v: &str| (Some(p.to_owned()), Some(v.to_owned()));
    assert_eq!(
        named,
        [
            (None, None),
            owned("contract-app", "1.0.0"),
            owned("contract-app", "2.1.0"),
            owned("repo", "3.0.0")
        ]
    );

    // A cancelled scan is `failed` in the partner's words, and says why.
    let cancel = d.send(&me, Method::POST, &format!("/api/v1/scans/{}/cancel", ids[0]), None).await;
    assert!(cancel.status().is_success(), "cancel: {}", cancel.status());
    let cancelled: Value =
        json_of(d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{}", ids[0]), None).await).await;
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["error"].as_str()),
        (Some("failed"), Some("cancelled"))
    );

    // GET /cbom/scans?limit=: {scans, count}, newest first.
    let list: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans?limit=3", None).await).await;
    assert_shape(&list, &[("scans", &["array"]), ("count", &["number"])]);
    let scans = list["scans"].as_array().expect("scans");
    assert_eq!((scans.len(), list["count"].as_u64()), (3, Some(3)));
    scans.iter().for_each(assert_scan);
    let listed: Vec<&str> = scans.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(listed, [ids[3].as_str(), ids[2].as_str(), ids[1].as_str()]);
    let rest: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans", None).await).await;
    assert_eq!(rest["count"], 4);

    // GET /cbom/scans/{id}/bom.json?format=cyclonedx|spdx: 409 until completed.
    for q in ["", "?format=cyclonedx", "?format=spdx"] {
        let resp =
            d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{}/bom.json{q}", ids[1]), None).await;
        expect_problem(resp, 409, "SCAN_NOT_COMPLETED").await;
    }

    // The demo is off unless configured: absent for everyone, whatever the body.
    for body in [json!({"repo_url": "https://github.com/rust-lang/cargo"}), json!({})] {
        let resp = d.http.post(d.url("/api/v1/cbom/demo")).json(&body).send().await.expect("send");
        expect_problem(resp, 404, "NOT_FOUND").await;
    }
});

/// A client bound to another loopback address (Linux routes all of 127.0.0.0/8 to `lo`), so the
/// demo sees a second client.
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(std::net::IpAddr::from(ip)).build().expect("client")
}

async fn demo(client: &reqwest::Client, d: &Daemon, repo_url: &str) -> reqwest::Response {
    client.post(d.url("/api/v1/cbom/demo")).json(&json!({"repo_url": repo_url})).send().await.expect("send")
}

both!(the_public_demo_scans_github_repositories_once_per_client_a_day_with_a_cache, |db| async move {
    // A directory standing in for https://github.com: OWNER/REPO repositories under it.
    let root = tempfile::tempdir().expect("root");
    let github = root.path().join("github");
    let repo = crypto_repo(&github.join("acme"));
    crypto_repo(&github.join("other"));
    crypto_repo(&github.join("third"));
    let base = format!("file://{}", github.display());
    let mut d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            workers: 1,
            extra_config: format!(
                "[cbom_demo]\nenabled = true\nwait_secs = 120\ntest_repo_base = {:?}\n",
                base
            ),
            ..Opts::default()
        },
    )
    .await;
    let first = client_from([127, 0, 0, 1]);

    // Only BASE/OWNER/REPO: refusals name the field and use up nothing.
    for bad in [
        "https://gitlab.com/acme/repo".to_owned(),
        format!("{base}/acme"),
        format!("{base}/acme/repo/tree/main"),
        format!("file://{}", repo.display()).replace("/github/", "/elsewhere/"),
    ] {
        let problem = expect_problem(demo(&first, &d, &bad).await, 400, "VALIDATION_FAILED").await;
        assert_eq!(problem["errors"][0]["field"], "body.repo_url", "{bad}: {problem}");
    }
    let unknown = first
        .post(d.url("/api/v1/cbom/demo"))
        .json(&json!({"repo_url": format!("{base}/acme/repo"), "project_name": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(unknown.status(), 400);

    // The first scan: anonymous, waited for, its results in the answer.
    let resp = demo(&first, &d, &format!("{base}/acme/repo")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-cache"], "MISS");
    let scan: Value = resp.json().await.expect("json");
    assert_detail(&scan);
    assert_eq!(scan["status"], "completed", "{}", scan["error"]);
    assert_eq!(scan["repo_url"], format!("{base}/acme/repo"));
    let engine = scan_path(&repo, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress)
        .expect("engine scan");
    assert_eq!(scan["score"], json!(readiness(&engine.crypto).score.expect("rated")));
    assert!(!scan["crypto_assets"].as_array().expect("assets").is_empty());
    let id = scan["id"].as_str().expect("id").to_owned();

    // The same repository, however spelled, within 5 minutes: the same scan, not a new one.
    for spelling in [format!("{base}/acme/repo.git"), format!("{base}/ACME/Repo/")] {
        let again = demo(&first, &d, &spelling).await;
        assert_eq!((again.status().as_u16(), again.headers()["x-cache"].to_str().ok()), (200, Some("HIT")));
        let again: Value = again.json().await.expect("json");
        assert_eq!(again["id"], id.as_str());
    }

    // Another repository from the same client within 24 hours: 429 with Retry-After.
    let limited = demo(&first, &d, &format!("{base}/other/repo")).await;
    let retry: u64 = limited.headers()["retry-after"].to_str().expect("header").parse().expect("seconds");
    assert!((86_000..=86_400).contains(&retry), "Retry-After {retry}");
    expect_problem(limited, 429, "RATE_LIMITED").await;

    // Another client may; the limit is per client.
    let second = client_from([127, 0, 0, 2]);
    let theirs = demo(&second, &d, &format!("{base}/other/repo")).await;
    assert_eq!((theirs.status().as_u16(), theirs.headers()["x-cache"].to_str().ok()), (200, Some("MISS")));
    let theirs: Value = theirs.json().await.expect("json");
    assert_ne!(theirs["id"], id.as_str());

    // Stored, not remembered: after a restart the limit and the cache still hold.
    d.terminate();
    d.restart().await;
    for client in [&first, &second] {
        let limited = demo(client, &d, &format!("{base}/third/repo")).await;
        expect_problem(limited, 429, "RATE_LIMITED").await;
    }
    let cached = demo(&second, &d, &format!("{base}/acme/repo")).await;
    assert_eq!((cached.status().as_u16(), cached.headers()["x-cache"].to_str().ok()), (200, Some("HIT")));

    // The demo's scans live in a tenant of their own: no user sees them.
    assert_eq!(scan["tenant_kind"], "organization");
    let me = d.register(&unique_email("demo")).await;
    assert_ne!(scan["tenant_id"].as_str(), me.tenant.as_deref());
    expect_problem(
        d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}"), None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let mine: Value = json_of(d.send(&me, Method::GET, "/api/v1/cbom/scans", None).await).await;
    assert_eq!(mine["count"], 0);
});

// Issue 16 point 13: a whole-scan read is bounded. On the old daemon `/cbom/scans/{id}` paged
// through every component, finding and asset into one answer, however large the scan.
both!(a_whole_scan_read_is_capped_and_says_where_the_rest_is, |db| async move {
    let (root, tree) = crate::scans::tree_root();
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], detail_max_items: Some(2), ..Opts::default() },
    )
    .await;
    let me = d.register(&unique_email("capped")).await;
    let scan = crate::scans::submit(&d, &me, &tree).await;
    let id = scan["id"].as_str().expect("id").to_owned();
    let (_, end) = follow(&d, &id, &me).await;
    assert!(matches!(end, crate::ws::Frame::Close(1000, _)), "{end:?}");
    let all = crate::scans::all_items(&d, &me, &format!("/api/v1/scans/{id}/components"), 100).await;
    assert!(all.len() > 2, "the fixture tree has more components than the cap");
    let detail: Value =
        json_of(d.send(&me, Method::GET, &format!("/api/v1/cbom/scans/{id}"), None).await).await;
    assert_eq!(detail["components"].as_array().map(Vec::len), Some(2), "{detail}");
    let cut = &detail["truncated"];
    assert_eq!(cut["limit"], 2, "{detail}");
    assert_eq!(cut["components_total"].as_u64(), Some(all.len() as u64), "{detail}");
    assert_eq!(cut["components"], format!("/api/v1/scans/{id}/components"));
    assert_eq!(cut["document"], format!("/api/v1/cbom/scans/{id}/bom.json"));
    // The first items are the list's first items, and the links answer.
    assert_eq!(detail["components"][0]["id"], all[0]["id"]);
    for link in ["components", "findings", "crypto_assets", "document"] {
        let path = cut[link].as_str().expect("link");
        assert_eq!(d.send(&me, Method::GET, path, None).await.status(), 200, "{link}: {path}");
    }
});

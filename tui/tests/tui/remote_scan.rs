//! `cairn scan URL` through a daemon, driven as a user runs it, against a small server the test
//! starts that speaks the scans contract (POST /scans, the scan WebSocket, GET /scans/{id}, the BOM
//! download): the request body, progress lines, the summary (loud about missing vulnerability
//! data), the downloaded document, `--fail-on` exit codes, and no waiting without `--wait`.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use cairn_sdk::types::{
    CoverageGap, EcosystemCoverage, GapReason, PqcSummary, Scan, ScanCounts, ScanEvent, ScanId, ScanSource,
    ScanStatus, WsServerFrame,
};

#[derive(Clone, Default)]
struct Daemon {
    id: Arc<Mutex<Option<ScanId>>>,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    sockets: Arc<Mutex<usize>>,
}

const BOM: &str = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}";

fn counts() -> ScanCounts {
    let mut c = ScanCounts { components: 8, findings: 3, warnings: 2, ..ScanCounts::default() };
    c.severities.high = 1;
    c.severities.low = 1;
    c.severities.unknown = 1;
    c.coverage = vec![
        EcosystemCoverage {
            ecosystem: "crates.io".into(),
            components: 3,
            advisories: 1193,
            evaluated: 3,
            not_evaluated: Vec::new(),
        },
        EcosystemCoverage {
            ecosystem: "npm".into(),
            components: 5,
            advisories: 0,
            evaluated: 0,
            not_evaluated: vec![CoverageGap {
                reason: GapReason::NoAdvisories,
                components: 5,
                message: "not evaluated: no data for npm".into(),
            }],
        },
    ];
    c
}

fn scan(id: ScanId, status: ScanStatus) -> Scan {
    Scan {
        id,
        project_id: None,
        version_id: None,
        status,
        source: ScanSource::Git { url: "https://example.test/r.git".into(), reference: None },
        requested_by: None,
        error: None,
        vulndb: None,
        counts: if status == ScanStatus::Completed { counts() } else { ScanCounts::default() },
        percent: if status == ScanStatus::Completed { 100 } else { 0 },
        version: 1,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        started_at: None,
        finished_at: None,
        pqc: (status == ScanStatus::Completed).then(|| PqcSummary {
            score: Some(50),
            methodology: "cairn-cbom-v1".into(),
            rated: 4,
            safe: 2,
            quantum_vulnerable: 2,
            assets: 5,
        }),
    }
}

fn event(id: ScanId, seq: i64, status: ScanStatus, percent: u8) -> ScanEvent {
    ScanEvent {
        scan_id: id,
        seq,
        status,
        step: Some("walking".into()),
        percent,
        message: None,
        ts: time::OffsetDateTime::UNIX_EPOCH,
        counts: ScanCounts::default(),
    }
}

async fn start(d: Daemon) -> String {
    let app = axum::Router::new()
        .route(
            "/api/v1/scans",
            post(|State(d): State<Daemon>, Json(body): Json<serde_json::Value>| async move {
                d.bodies.lock().expect("lock").push(body);
                let id = ScanId::new();
                *d.id.lock().expect("lock") = Some(id);
                (StatusCode::ACCEPTED, Json(scan(id, ScanStatus::Queued)))
            }),
        )
        .route(
            "/api/v1/scans/{id}",
            get(|Path(id): Path<ScanId>| async move { Json(scan(id, ScanStatus::Completed)) }),
        )
        .route(
            "/api/v1/scans/{id}/bom",
            get(|Query(q): Query<std::collections::HashMap<String, String>>| async move {
                assert_eq!(q.get("format").map(String::as_str), Some("cyclonedx"));
                ([("content-type", "application/vnd.cyclonedx+json")], BOM).into_response()
            }),
        )
        .route(
            "/api/v1/ws/scans/{id}",
            any(|ws: WebSocketUpgrade, State(d): State<Daemon>, Path(id): Path<ScanId>| async move {
                *d.sockets.lock().expect("lock") += 1;
                ws.on_upgrade(move |mut socket| async move {
                    let Some(Ok(Message::Text(first))) = socket.recv().await else { return };
                    assert!(
                        first.as_str().contains("\"type\":\"auth\"") && first.as_str().contains("crn_test_k")
                    );
                    let frames = [
                        WsServerFrame::Sync {
                            scans: vec![scan(id, ScanStatus::Queued)],
                            events: vec![],
                            latest_seq: None,
                        },
                        WsServerFrame::Event(event(id, 1, ScanStatus::Scanning, 40)),
                        WsServerFrame::Event(event(id, 2, ScanStatus::Completed, 100)),
                    ];
                    for f in frames {
                        let text = serde_json::to_string(&f).expect("encode");
                        if socket.send(Message::Text(text.into())).await.is_err() {
                            return;
                        }
                    }
                    while let Some(Ok(m)) = socket.recv().await {
                        if matches!(m, Message::Close(_)) {
                            break;
                        }
                    }
                })
            }),
        )
        .with_state(d);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// A home whose default profile points at `server` with an API key in the fallback file.
fn home(server: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config/cairn/config.toml");
    std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &config,
        format!("default = \"t\"\n[profiles.t]\nserver = \"{server}\"\ncredential = \"api-key\"\n"),
    )
    .expect("config");
    let creds = dir.path().join("data/cairn/credentials.json");
    std::fs::create_dir_all(creds.parent().expect("parent")).expect("mkdir");
    let account = format!("profile:t@{}", config.display());
    std::fs::write(&creds, serde_json::json!({ account: "crn_test_k" }).to_string()).expect("creds");
    dir
}

async fn cairn(home: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_cairn"));
    c.args(args)
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_RUNTIME_DIR", home.path().join("run"))
        .env("CAIRN_NO_KEYRING", "1")
        .env_remove("CAIRN_PROFILE");
    c.output().await.expect("run cairn")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_a_url_follow_it_download_and_fail_on_high() {
    let d = Daemon::default();
    let base = start(d.clone()).await;
    let home = home(&base);
    let out_file = home.path().join("bom.json");
    let out = cairn(
        &home,
        &[
            "scan",
            "https://example.test/r.git",
            "--ref",
            "v1",
            "-f",
            "cyclonedx",
            "-o",
            out_file.to_str().expect("utf8"),
            "--fail-on",
            "high",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a high finding fails --fail-on high: {stderr}");
    assert_eq!(
        d.bodies.lock().expect("lock")[0]["source"],
        serde_json::json!({"kind": "git", "url": "https://example.test/r.git", "ref": "v1"})
    );
    assert!(stderr.contains(" 40% scanning walking") && stderr.contains("100% completed"), "{stderr}");
    assert!(
        stderr.contains("8 components")
            && stderr.contains("3 findings (critical 0, high 1, medium 0, low 1, none 0, unknown 1)"),
        "{stderr}"
    );
    // Issue 14: the coverage and the warnings, as the offline summary prints them.
    assert!(stderr.contains("cairn: coverage: crates.io 3 evaluated against 1193 advisories"), "{stderr}");
    assert!(stderr.contains("cairn: coverage: npm 5 not evaluated — no advisories loaded"), "{stderr}");
    assert!(stderr.contains("cairn: 2 warnings"), "{stderr}");
    assert!(stderr.contains("NO VULNERABILITY DATA"), "said loudly: {stderr}");
    assert!(
        stderr.contains("post-quantum readiness 50/100 (cairn-cbom-v1): 2 of 4 rated algorithms"),
        "{stderr}"
    );
    assert!(stderr.contains("cairn: gate: 1 findings at or above high count — failed"), "{stderr}");
    assert!(
        stderr.contains("gate: left out: 1 findings of unknown severity (--fail-on-unknown counts them); 2 warnings (--fail-on-warnings counts them)"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out_file).expect("document written"), BOM);

    // The unknown finding and the warnings do not trip --fail-on critical (they did before issue 14).
    let out = cairn(&home, &["scan", "https://example.test/r.git", "--fail-on", "critical", "-q"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "-q: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(*d.sockets.lock().expect("lock"), 2);
    for flag in ["--fail-on-unknown", "--fail-on-warnings"] {
        let out =
            cairn(&home, &["scan", "https://example.test/r.git", "--fail-on", "critical", flag, "-q"]).await;
        assert_eq!(out.status.code(), Some(1), "{flag}: {}", String::from_utf8_lossy(&out.stderr));
    }

    // Without --wait: the id, and no socket.
    let out = cairn(&home, &["scan", "https://example.test/r.git"]).await;
    assert_eq!(out.status.code(), Some(0));
    let id = d.id.lock().expect("lock").expect("a scan");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), id.to_string());
    assert_eq!(*d.sockets.lock().expect("lock"), 4, "no wait, no socket");
}

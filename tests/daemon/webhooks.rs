//! Outbound webhooks against receivers this test runs on loopback: signed `scan.completed`
//! bodies (verified here, and refused with a wrong secret), retries with growing delays, kill -9
//! between and during attempts, hostile targets, secret rotation, and two replicas on one
//! Postgres delivering each delivery once.

use std::collections::{BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cairn_daemon::events::dispatch;
use cairn_daemon::store::{NewEvent, WebhookSettings};
use cairn_daemon::webhooks::{consumer::WebhookConsumer, senders, worker};
use cairn_sdk::types::{Event, EventKind, ScanEventData, ScanId, ScanStatus};
use cairn_sdk::webhooks::{DEFAULT_TOLERANCE, VerifyError, verify};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::both;
use crate::findings::scan_to_completion;
use crate::harness::{Daemon, Opts, Session, expect_problem, in_process_state, unique_email};
use crate::scans::tree_root;

/// What the receiver answers, request by request (then 200).
#[derive(Debug, Clone)]
pub enum Answer {
    Status(u16),
    /// A redirect to this URL.
    Redirect(String),
    /// Never answers (the daemon dies or times out meanwhile).
    Hold,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
}

/// A webhook receiver on loopback.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
    count: watch::Receiver<usize>,
}

impl Receiver {
    pub async fn start(script: Vec<Answer>) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let (tx, count) = watch::channel(0usize);
        let tx = Arc::new(tx);
        let (g, s) = (got.clone(), script.clone());
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (got, script, tx) = (g.clone(), s.clone(), tx.clone());
            async move {
                let n = {
                    let mut got = got.lock().expect("lock");
                    got.push(Received { headers, body, at: Instant::now() });
                    got.len()
                };
                tx.send_replace(n);
                let answer = script.lock().expect("lock").pop_front().unwrap_or(Answer::Status(200));
                match answer {
                    Answer::Status(code) => {
                        (StatusCode::from_u16(code).expect("status"), format!("answer {n}")).into_response()
                    }
                    Answer::Redirect(to) => Response::builder()
                        .status(302)
                        .header("location", to)
                        .body(axum::body::Body::empty())
                        .expect("response"),
                    Answer::Hold => std::future::pending().await,
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { addr, got, count }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Waits (at most 60 s) until `n` requests arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        self.wait_within(n, Duration::from_secs(60)).await
    }

    /// Waits (at most `limit`) until `n` requests arrived; returns them all.
    pub async fn wait_within(&self, n: usize, limit: Duration) -> Vec<Received> {
        let mut count = self.count.clone();
        tokio::time::timeout(limit, count.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("the receiver got {} of {n} requests", self.received().len()))
            .expect("receiver alive");
        self.received()
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

pub fn private_targets(extra: &str) -> String {
    format!("[webhooks]\nallow_private_targets = true\n{extra}")
}

pub async fn create_webhook(d: &Daemon, who: &Session, body: Value) -> (String, String) {
    let resp = d.send(who, Method::POST, "/api/v1/webhooks", Some(body)).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.expect("json");
    (
        created["webhook"]["id"].as_str().expect("id").to_owned(),
        created["secret"].as_str().expect("secret").to_owned(),
    )
}

async fn deliveries(d: &Daemon, who: &Session, hook: &str) -> Vec<Value> {
    let page: Value = d
        .send(who, Method::GET, &format!("/api/v1/webhooks/{hook}/deliveries"), None)
        .await
        .json()
        .await
        .expect("json");
    page["items"].as_array().expect("items").clone()
}

/// Waits until every delivery of `hook` is delivered or failed (the list is the only signal).
async fn settled(d: &Daemon, who: &Session, hook: &str, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let items = deliveries(d, who, hook).await;
        if items.len() >= n && items.iter().all(|i| i["state"] == "delivered" || i["state"] == "failed") {
            return items;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "deliveries not settled: {items:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both!(a_completed_scan_reaches_the_receiver_signed, |db| async move {
    let (root, tree) = tree_root();
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            extra_config: private_targets(""),
            ..Opts::default()
        },
    )
    .await;
    let alice = d.register(&unique_email("hooks")).await;
    let project = d.create_project(&alice, "hooked").await;
    let receiver = Receiver::start(vec![]).await;
    let body = json!({"url": receiver.url(), "events": ["scan.completed"]});
    let post = || {
        d.http
            .post(d.url("/api/v1/webhooks"))
            .bearer_auth(&alice.token)
            .header("idempotency-key", "hook-1")
            .json(&body)
            .send()
    };
    let created: Value = post().await.expect("send").json().await.expect("json");
    let hook = created["webhook"]["id"].as_str().expect("id").to_owned();
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    // Shown once: not in a replay, not in the webhook.
    let replay = post().await.expect("send").text().await.expect("text");
    assert!(!replay.contains(&secret) && replay.contains("IDEMPOTENCY_SECRET_WITHHELD"), "{replay}");
    let shown = d
        .send(&alice, Method::GET, &format!("/api/v1/webhooks/{hook}"), None)
        .await
        .text()
        .await
        .expect("text");
    assert!(!shown.contains(&secret) && !shown.contains("secret\""), "{shown}");

    let scan = scan_to_completion(&d, &alice, &tree, project["id"].as_str()).await;
    let got = receiver.wait_for(1).await;
    let r = &got[0];
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.header("cairn-event"), "scan.completed");
    let signature = r.header("cairn-signature");
    assert_eq!(verify(&secret, &signature, &r.body, DEFAULT_TOLERANCE), Ok(()), "{signature}");
    assert_eq!(
        verify("whsec_not_the_right_secret_at_all", &signature, &r.body, DEFAULT_TOLERANCE),
        Err(VerifyError::Mismatch)
    );
    let event: Event = serde_json::from_slice(&r.body).expect("envelope");
    assert_eq!(event.kind, EventKind::ScanCompleted);
    assert_eq!(event.data["scan"], scan.as_str());
    assert_eq!(event.project.map(|p| p.to_string()).as_deref(), project["id"].as_str());
    // The envelope is the event of the stream, byte for byte in meaning.
    let feed: Value = d.send(&alice, Method::GET, "/api/v1/events", None).await.json().await.expect("feed");
    assert_eq!(serde_json::to_value(&event).expect("value"), feed["items"][0]);

    let items = settled(&d, &alice, &hook, 1).await;
    assert_eq!(items[0]["id"], r.header("cairn-delivery"));
    assert_eq!(items[0]["event"], event.id.to_string());
    assert_eq!(items[0]["state"], "delivered");
    assert_eq!(items[0]["attempts"][0]["status_code"], 200);
    assert_eq!(items[0]["attempts"][0]["response_excerpt"], "answer 1");

    // Rotation: during the grace period both secrets verify the next body.
    let rotated: Value = d
        .send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/rotate-secret"), None)
        .await
        .json()
        .await
        .expect("rotated");
    let new_secret = rotated["secret"].as_str().expect("secret").to_owned();
    assert_ne!(new_secret, secret);
    assert!(rotated["webhook"]["previous_secret_until"].is_string(), "{rotated}");
    let ping = d.send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
    assert_eq!(ping.status(), 202);
    let got = receiver.wait_for(2).await;
    let r = &got[1];
    assert_eq!(r.header("cairn-event"), "webhook.ping");
    let signature = r.header("cairn-signature");
    assert_eq!(signature.matches("v1=").count(), 2, "{signature}");
    for s in [&secret, &new_secret] {
        assert_eq!(verify(s, &signature, &r.body, DEFAULT_TOLERANCE), Ok(()));
    }

    // Another tenant sees none of it.
    let bob = d.register(&unique_email("hooks-other")).await;
    let r = d.send(&bob, Method::GET, &format!("/api/v1/webhooks/{hook}"), None).await;
    expect_problem(r, 404, "NOT_FOUND").await;
    let r = d.send(&bob, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
    expect_problem(r, 404, "NOT_FOUND").await;
});

both!(failed_attempts_are_retried_with_growing_delays, |db| async move {
    let d = Daemon::start_with(
        db,
        Opts {
            extra_config: private_targets("retry_base_ms = 300\nretry_for_secs = 3\n"),
            ..Opts::default()
        },
    )
    .await;
    let alice = d.register(&unique_email("retries")).await;
    let flaky = Receiver::start(vec![Answer::Status(500), Answer::Status(500)]).await;
    let (hook, _) =
        create_webhook(&d, &alice, json!({"url": flaky.url(), "events": ["scan.completed"]})).await;
    let r = d.send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
    assert_eq!(r.status(), 202);
    let got = flaky.wait_for(3).await;
    let ids: BTreeSet<String> = got.iter().map(|r| r.header("cairn-delivery")).collect();
    assert_eq!(ids.len(), 1, "the same delivery id every time");
    assert!(got.windows(2).all(|w| w[0].body == w[1].body), "the same body every time");
    let (first, second) = (got[1].at - got[0].at, got[2].at - got[1].at);
    assert!(first >= Duration::from_millis(300), "{first:?}");
    assert!(second > first, "delays grow: {first:?} then {second:?}");
    let items = settled(&d, &alice, &hook, 1).await;
    let attempts = items[0]["attempts"].as_array().expect("attempts");
    let codes: Vec<_> = attempts.iter().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, vec![json!(500), json!(500), json!(200)], "{items:?}");
    assert_eq!(attempts[0]["error"], "answered 500 Internal Server Error");
    assert!(attempts.iter().all(|a| a["latency_ms"].is_u64()));
    assert_eq!(items[0]["state"], "delivered");

    // A redirect (here to another loopback receiver) is not followed: the attempt fails with
    // the reason, and once the retry period (3 s here) is over the delivery fails for good.
    let target = Receiver::start(vec![]).await;
    let redirecting = Receiver::start(vec![Answer::Redirect(target.url()); 20]).await;
    let (hook, _) =
        create_webhook(&d, &alice, json!({"url": redirecting.url(), "events": ["scan.completed"]})).await;
    let r = d.send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
    let queued: Value = r.json().await.expect("queued");
    let items = settled(&d, &alice, &hook, 1).await;
    assert_eq!(items[0]["state"], "failed", "{items:?}");
    let error = items[0]["attempts"][0]["error"].as_str().expect("error");
    assert!(error.contains("redirects are not followed") && error.contains(&target.url()), "{error}");
    assert!(target.received().is_empty(), "the redirect target was reached");
    // Redelivery sends the same delivery again, with a fresh retry period.
    let did = queued["id"].as_str().expect("id");
    let before = redirecting.received().len();
    let r = d
        .send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/deliveries/{did}/redeliver"), None)
        .await;
    assert_eq!(r.status(), 202);
    let again = redirecting.wait_for(before + 1).await;
    assert_eq!(again[before].header("cairn-delivery"), did);
});

both!(a_kill9_between_or_during_attempts_loses_nothing, |db| async move {
    let mut d = Daemon::start_with(
        db,
        // A 1 s time limit makes the lease of a delivery in flight 7 s.
        Opts { extra_config: private_targets("retry_base_ms = 200\ntimeout_secs = 1\n"), ..Opts::default() },
    )
    .await;
    let alice = d.register(&unique_email("kill9")).await;
    let receiver = Receiver::start(vec![Answer::Status(500), Answer::Hold]).await;
    let (hook, secret) =
        create_webhook(&d, &alice, json!({"url": receiver.url(), "events": ["scan.completed"]})).await;
    d.send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
    // Between attempts: the first failed and is recorded; the daemon dies before the second.
    receiver.wait_for(1).await;
    while deliveries(&d, &alice, &hook).await[0]["attempts"].as_array().is_none_or(|a| a.is_empty()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    d.kill9();
    d.restart().await;
    // During an attempt: the receiver holds the second one and the daemon dies meanwhile.
    receiver.wait_for(2).await;
    d.kill9();
    d.restart().await;
    let got = receiver.wait_for(3).await;
    let ids: BTreeSet<String> = got.iter().map(|r| r.header("cairn-delivery")).collect();
    assert_eq!(ids.len(), 1, "the same delivery each time");
    assert_eq!(verify(&secret, &got[2].header("cairn-signature"), &got[2].body, DEFAULT_TOLERANCE), Ok(()));
    let items = settled(&d, &alice, &hook, 1).await;
    assert_eq!(items[0]["state"], "delivered", "{items:?}");
    assert_eq!(items[0]["attempts"].as_array().expect("attempts").last().expect("last")["status_code"], 200);
});

both!(hostile_targets_are_refused_in_team_mode, |db| async move {
    let d = Daemon::start(db).await;
    let alice = d.register(&unique_email("hostile")).await;
    let local = Receiver::start(vec![]).await;
    for (url, why) in [
        ("http://169.254.169.254/latest/meta-data/".to_owned(), "link-local"),
        (format!("http://localhost:{}/hook", local.addr.port()), "loopback"),
        (format!("http://[::1]:{}/hook", local.addr.port()), "loopback"),
        ("http://10.0.0.8/hook".to_owned(), "private"),
        ("ftp://example.com/hook".to_owned(), "http"),
    ] {
        let r = d
            .send(
                &alice,
                Method::POST,
                "/api/v1/webhooks",
                Some(json!({"url": url, "events": ["scan.completed"]})),
            )
            .await;
        let p = expect_problem(r, 400, "VALIDATION_FAILED").await;
        let field = p["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .find(|e| e["field"] == "body.url")
            .expect("body.url");
        assert!(field["message"].as_str().expect("message").contains(why), "{url}: {p}");
    }
    let r = d
        .send(
            &alice,
            Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": "https://example.com/", "events": []})),
        )
        .await;
    let p = expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert!(p.to_string().contains("body.events"), "{p}");
    let r = d
        .send(
            &alice,
            Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": "https://example.com/", "events": ["nope"]})),
        )
        .await;
    let p = expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert!(p.to_string().contains("body.events[0]"), "{p}");
    assert!(local.received().is_empty());
});

both!(a_target_that_turns_private_fails_at_delivery, |db| async move {
    // In-process, team mode: a webhook stored while its name pointed elsewhere (here written
    // behind the API) is checked again when sent, against the address actually connected to.
    let dir = tempfile::tempdir().expect("dir");
    let (state, _pg) = in_process_state(db, dir.path(), &[]).await;
    assert!(!cairn_daemon::webhooks::allow_private(&state));
    let user = state.store.user_create("owner@example.test", "owner", None, false).await.expect("user");
    let tenant = state.store.tenant_create("t", user.id).await.expect("tenant");
    let receiver = Receiver::start(vec![]).await;
    let url = format!("http://localhost:{}/hook", receiver.addr.port());
    let settings =
        WebhookSettings { url: &url, events: &[EventKind::ScanFailed], projects: None, min_severity: None };
    let hook = state
        .store
        .webhook_create(tenant, user.id, &settings, "plain:whsec_0123456789abcdef")
        .await
        .expect("hook");
    let data =
        ScanEventData { scan: ScanId::new(), status: ScanStatus::Failed, severities: None, error: None };
    state
        .store
        .event_record(tenant, &NewEvent::new(EventKind::ScanFailed, None, &data))
        .await
        .expect("event");
    let consumer = WebhookConsumer::new(state.webhook_wake.clone());
    dispatch::drain(&state.store, &consumer).await.expect("drain");
    // Handled once: a second drain queues nothing more.
    dispatch::drain(&state.store, &consumer).await.expect("drain");
    let claimed = state.store.webhook_deliveries_claim(10, time::Duration::minutes(1)).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    let s = senders(&state);
    worker::deliver(&s, claimed.into_iter().next().expect("one")).await;
    let q = cairn_daemon::store::ListQuery {
        limit: 50,
        paging: cairn_daemon::store::Paging::Offset(0),
        sort: Vec::new(),
    };
    let (items, _) = state.store.webhook_deliveries_list(tenant, hook.id, &q).await.expect("list");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].state, cairn_sdk::types::DeliveryState::Failed);
    let error = items[0].attempts[0].error.clone().expect("reason");
    assert!(error.contains("loopback") && error.contains("allow_private_targets"), "{error}");
    assert!(receiver.received().is_empty());
    assert!(
        state.store.webhook_deliveries_claim(10, time::Duration::minutes(1)).await.expect("claim").is_empty()
    );

    // A sender that dies with a claimed delivery: the lapsed lease gives it to the next claim.
    let id = state.store.webhook_ping_queue(tenant, hook.id, &ping_event(tenant)).await.expect("ping");
    let lost = state.store.webhook_deliveries_claim(10, time::Duration::ZERO).await.expect("claim");
    assert_eq!((lost.len(), lost[0].id, lost[0].attempt), (1, id, 1));
    let again = state.store.webhook_deliveries_claim(10, time::Duration::minutes(1)).await.expect("claim");
    assert_eq!((again.len(), again[0].id, again[0].attempt), (1, id, 2));

    // Health: one delivery failed for good so far; with `unhealthy_after = 2` the second marks
    // the webhook unhealthy.
    let one = state.store.webhook_get(tenant, hook.id).await.expect("hook");
    assert_eq!((one.consecutive_failures, one.healthy), (1, true));
    let mut strict = senders(&state);
    strict.config.unhealthy_after = 2;
    worker::deliver(&strict, again.into_iter().next().expect("one")).await;
    let two = state.store.webhook_get(tenant, hook.id).await.expect("hook");
    assert_eq!((two.consecutive_failures, two.healthy), (2, false));
});

fn ping_event(tenant: cairn_sdk::types::TenantId) -> Event {
    Event {
        version: 1,
        id: cairn_sdk::types::EventId::new(),
        kind: EventKind::WebhookPing,
        seq: 0,
        tenant,
        created_at: cairn_daemon::store::now(),
        project: None,
        severity: None,
        data: Value::Null,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_deliver_each_delivery_once() {
    if crate::harness::postgres_server().is_none() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: not run");
        return;
    }
    let opts = Opts { extra_config: private_targets(""), ..Opts::default() };
    let a = Daemon::start_with(crate::harness::Db::Postgres, opts.clone()).await;
    let b = Daemon::start_sharing(&a, opts).await;
    let alice = a.register(&unique_email("replicas")).await;
    let receiver = Receiver::start(vec![]).await;
    let (hook, _) =
        create_webhook(&a, &alice, json!({"url": receiver.url(), "events": ["scan.completed"]})).await;
    const N: usize = 40;
    for i in 0..N {
        // Both replicas queue and wake their senders; both claim from the one queue.
        let d = if i % 2 == 0 { &a } else { &b };
        let r = d.send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
        assert_eq!(r.status(), 202);
    }
    let items = settled(&a, &alice, &hook, N).await;
    assert!(
        items.iter().all(|i| i["state"] == "delivered" && i["attempts"].as_array().map(Vec::len) == Some(1))
    );
    let got = receiver.received();
    let ids: BTreeSet<String> = got.iter().map(|r| r.header("cairn-delivery")).collect();
    assert_eq!((got.len(), ids.len()), (N, N), "each delivery once");
    // Both replicas sent some (their logs name the attempts).
    let sent_by = |d: &Daemon| d.stderr().matches("webhook delivery attempt").count();
    assert_eq!(sent_by(&a) + sent_by(&b), N);
}

/// The fenced blocks of `lang` in docs/webhooks.md's "Verifying a delivery" section.
fn doc_snippet(lang: &str) -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/webhooks.md")).expect("doc");
    let section = doc.split("## Verifying a delivery").nth(1).expect("section");
    let fence = format!("```{lang}\n");
    let start = section.find(&fence).unwrap_or_else(|| panic!("no {lang} block")) + fence.len();
    let len = section[start..].find("```").expect("closing fence");
    section[start..start + len].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_verifiers_accept_a_real_delivery() {
    let d = Daemon::start_with(
        crate::harness::Db::Sqlite,
        Opts { extra_config: private_targets(""), ..Opts::default() },
    )
    .await;
    let alice = d.register(&unique_email("docs")).await;
    let receiver = Receiver::start(vec![]).await;
    let (hook, secret) =
        create_webhook(&d, &alice, json!({"url": receiver.url(), "events": ["scan.completed"]})).await;
    d.send(&alice, Method::POST, &format!("/api/v1/webhooks/{hook}/ping"), None).await;
    let got = receiver.wait_for(1).await;
    let (signature, body) = (got[0].header("cairn-signature"), got[0].body.clone());
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("verify.py"), doc_snippet("python")).expect("write");
    std::fs::write(dir.path().join("verify.sh"), doc_snippet("sh")).expect("write");
    let run = |program: &str, script: &str, secret: &str, body: &[u8]| {
        std::fs::write(dir.path().join("body.json"), body).expect("body");
        std::process::Command::new(program)
            .arg(script)
            .current_dir(dir.path())
            .env("SECRET", secret)
            .env("SIGNATURE", &signature)
            .output()
            .expect("run")
    };
    for (program, script) in [("python3", "verify.py"), ("sh", "verify.sh")] {
        let ok = run(program, script, &secret, &body);
        assert!(ok.status.success(), "{script}: {}", String::from_utf8_lossy(&ok.stderr));
        let wrong = run(program, script, "whsec_not_the_right_secret_at_all", &body);
        assert!(!wrong.status.success(), "{script} accepted a wrong secret");
        let mut tampered = body.to_vec();
        tampered.extend_from_slice(b" ");
        assert!(
            !run(program, script, &secret, &tampered).status.success(),
            "{script} accepted a changed body"
        );
    }
}

/// Benchmark (ignored; numbers in docs/benchmarks.md): 1,000 `scan.failed` events fanned out to
/// 5 webhooks (5 loopback receivers answering 200), in process: the outbox consumer queueing the
/// 5,000 deliveries, then the senders (`[webhooks] senders`, default 8) delivering them all.
/// `CAIRN_TEST_POSTGRES_URL` set: on Postgres, else SQLite.
/// Run: `cargo test --workspace --locked --release --test daemon -- --ignored --nocapture webhooks::fanout_benchmark`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn fanout_benchmark() {
    const EVENTS: usize = 1_000;
    const RECEIVERS: usize = 5;
    let db = if crate::harness::postgres_server().is_some() {
        crate::harness::Db::Postgres
    } else {
        crate::harness::Db::Sqlite
    };
    let dir = tempfile::tempdir().expect("dir");
    let (mut state, _pg) = in_process_state(db, dir.path(), &[]).await;
    let mut config = (*state.config).clone();
    config.webhooks.allow_private_targets = true;
    state.config = std::sync::Arc::new(config);
    let user = state.store.user_create("bench@example.test", "bench", None, false).await.expect("user");
    let tenant = state.store.tenant_create("bench", user.id).await.expect("tenant");
    let mut receivers = Vec::new();
    for _ in 0..RECEIVERS {
        let r = Receiver::start(vec![]).await;
        let url = r.url();
        let settings = WebhookSettings {
            url: &url,
            events: &[EventKind::ScanFailed],
            projects: None,
            min_severity: None,
        };
        state
            .store
            .webhook_create(tenant, user.id, &settings, "plain:whsec_0123456789abcdef")
            .await
            .expect("hook");
        receivers.push(r);
    }
    let data =
        ScanEventData { scan: ScanId::new(), status: ScanStatus::Failed, severities: None, error: None };
    let event = NewEvent::new(EventKind::ScanFailed, None, &data);
    let start = Instant::now();
    for _ in 0..EVENTS {
        state.store.event_record(tenant, &event).await.expect("event");
    }
    let recorded = start.elapsed();
    let consumer = WebhookConsumer::new(state.webhook_wake.clone());
    let start = Instant::now();
    dispatch::drain(&state.store, &consumer).await.expect("drain");
    let queued = start.elapsed();
    let (stop_tx, stop) = watch::channel(false);
    let start = Instant::now();
    let task = worker::spawn(senders(&state), stop).expect("senders");
    for r in &receivers {
        r.wait_within(EVENTS, Duration::from_secs(900)).await;
    }
    let delivered = start.elapsed();
    let _ = stop_tx.send(true);
    let _ = task.await;
    let total = EVENTS * RECEIVERS;
    let per_sec = |d: Duration| total as f64 / d.as_secs_f64();
    println!(
        "fanout ({}): {EVENTS} events recorded in {recorded:?}; {total} deliveries queued in {queued:?} ({:.0}/s), \
         delivered in {delivered:?} ({:.0}/s)",
        state.store.backend().name(),
        per_sec(queued),
        per_sec(delivered)
    );
    for r in &receivers {
        assert_eq!(r.received().len(), EVENTS, "each receiver got each event once");
    }
}

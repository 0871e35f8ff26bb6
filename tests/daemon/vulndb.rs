//! Vulnerability data end to end: a mirror on 127.0.0.1 serving per-ecosystem `all.zip` files
//! built from real OSV advisories, conditional updates (304), changed and broken zips, imports
//! from the CLI and the admin API, and a second daemon on the same database picking up a change.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, PASSWORD, Session, expect_problem, unique_email};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/daemon/fixtures/osv").join(rel)
}

const RUST: [&str; 3] =
    ["rustsec/RUSTSEC-2016-0001.json", "rustsec/RUSTSEC-2016-0002.json", "rustsec/RUSTSEC-2016-0003.json"];
const RUST_NEW: &str = "rustsec/RUSTSEC-2016-0004.json";
const GO: [&str; 2] = ["go/GO-2020-0001.json", "go/GO-2020-0003.json"];

/// A refused upload's problem says what is wrong with the upload (`what`) and names it as the
/// source's location (`upload:NAME`), never by the daemon's temporary file.
fn names_the_upload(problem: &Value, what: &str) {
    let text = problem.to_string();
    let tmp = std::env::temp_dir();
    assert!(text.contains(what) && text.contains("upload:crates.io"), "{text}");
    assert!(
        !text.contains("cairn-osv-") && !text.contains(&*tmp.to_string_lossy()),
        "a server path leaked: {text}"
    );
}

/// An OSV zip of these fixture records (flat, as OSV's `all.zip` is).
pub fn zip_of(files: &[&str]) -> Vec<u8> {
    padded_zip(files, 0)
}

/// The same with a stored (uncompressed) non-OSV entry of `padding` bytes, which the loader skips.
fn padded_zip(files: &[&str], padding: usize) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for f in files {
        let name = Path::new(f).file_name().expect("name").to_string_lossy().into_owned();
        w.start_file(name, opts).expect("entry");
        w.write_all(&std::fs::read(fixture(f)).expect("fixture")).expect("write");
    }
    if padding > 0 {
        let stored =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("README.txt", stored).expect("entry");
        w.write_all(&vec![b'x'; padding]).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// What the mirror serves for one ecosystem.
#[derive(Clone)]
enum Served {
    Zip { body: Vec<u8>, etag: String },
    Status(u16),
}

#[derive(Default)]
struct MirrorState {
    files: HashMap<String, Served>,
    /// Every request: (ecosystem, If-None-Match sent).
    requests: Vec<(String, Option<String>)>,
}

#[derive(Clone, Default)]
struct Mirror(Arc<Mutex<MirrorState>>);

impl Mirror {
    fn set(&self, eco: &str, served: Served) {
        self.0.lock().expect("lock").files.insert(eco.to_owned(), served);
    }
    fn requests(&self) -> Vec<(String, Option<String>)> {
        self.0.lock().expect("lock").requests.clone()
    }
}

async fn mirror_file(State(m): State<Mirror>, UrlPath(eco): UrlPath<String>, headers: HeaderMap) -> Response {
    let inm = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut s = m.0.lock().expect("lock");
    s.requests.push((eco.clone(), inm.clone()));
    match s.files.get(&eco).cloned() {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(Served::Status(code)) => StatusCode::from_u16(code).expect("status").into_response(),
        Some(Served::Zip { etag, .. }) if inm.as_deref() == Some(etag.as_str()) => {
            (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response()
        }
        Some(Served::Zip { body, etag }) => {
            (StatusCode::OK, [(header::ETAG, etag), (header::CONTENT_TYPE, "application/zip".into())], body)
                .into_response()
        }
    }
}

/// Starts the mirror on 127.0.0.1; returns its base URL.
async fn start_mirror(m: &Mirror) -> String {
    let app =
        axum::Router::new().route("/{eco}/all.zip", axum::routing::get(mirror_file)).with_state(m.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// A `cairnd serve` on a harness daemon's config (killed on drop).
struct Replica {
    child: Child,
    base: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve(config: &Path, log: &Path) -> Replica {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairnd"))
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env_remove("CAIRN_LISTEN")
        .env_remove("CAIRN_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(log).expect("log")))
        .spawn()
        .expect("spawn cairnd");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("read");
    let base =
        line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected {line:?}")).to_owned();
    Replica { child, base }
}

/// A harness daemon restarted with a `[vulndb]` section pointing at `mirror`.
async fn start(db: Db, mirror: &str) -> (Daemon, Replica) {
    start_with(db, mirror, "").await
}

/// The same with more `[vulndb]` lines.
async fn start_with(db: Db, mirror: &str, extra: &str) -> (Daemon, Replica) {
    let mut d = Daemon::start(db).await;
    d.terminate();
    let mut f = std::fs::OpenOptions::new().append(true).open(&d.config).expect("config");
    writeln!(
        f,
        "[vulndb]\nmirror = \"{mirror}\"\necosystems = [\"crates.io\", \"Go\"]\nreload_interval_secs = 1\nmax_download_bytes = 1000000\n{extra}"
    )
    .expect("append");
    let r = serve(&d.config, &d.dir.path().join("replica-0.log")).await;
    d.base = r.base.clone();
    (d, r)
}

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

async fn status(d: &Daemon, who: &Session) -> Value {
    let r = d.send(who, Method::GET, "/api/v1/vulndb/status", None).await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

async fn update(d: &Daemon, root: &Session) -> Value {
    let r = d.send(root, Method::POST, "/api/v1/admin/vulndb/update", None).await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

fn source<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["sources"].as_array().expect("sources").iter().find(|s| s["name"] == name).expect("source")
}

/// `cairnd vulndb …` on the daemon's config: (success, stdout, stderr).
fn cli(d: &Daemon, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cairnd"))
        .arg("--config")
        .arg(&d.config)
        .arg("vulndb")
        .args(args)
        .output()
        .expect("run cairnd vulndb");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

both!(update_is_conditional_and_keeps_data_on_failure, |db| async move {
    let m = Mirror::default();
    m.set("crates.io", Served::Zip { body: zip_of(&RUST), etag: "\"r1\"".into() });
    m.set("Go", Served::Zip { body: zip_of(&GO), etag: "\"g1\"".into() });
    let base = start_mirror(&m).await;
    // Credentials in the mirror URL are used, never shown.
    let (d, _r) = start(db, &base.replace("http://", "http://osv:s3cret@")).await;
    let root = root(&d).await;
    let user = d.register(&unique_email("u")).await;

    let before = status(&d, &user).await;
    assert_eq!((before["state"].as_str(), before["advisories"].as_u64()), (Some("none"), Some(0)));

    // First update: every record of both zips.
    let c = update(&d, &root).await;
    assert_eq!(c["changed"], json!(["crates.io", "Go"]), "{c}");
    assert_eq!(c["failed"], json!([]));
    let s = status(&d, &user).await;
    assert_eq!((s["state"].as_str(), s["advisories"].as_u64()), (Some("fresh"), Some(5)), "{s}");
    assert_eq!(source(&s, "crates.io")["advisories"], 3);
    assert_eq!(source(&s, "Go")["advisories"], 2);
    assert_eq!(source(&s, "crates.io")["etag"], "\"r1\"");
    let g1 = s["snapshot"].as_str().expect("generation").to_owned();
    let health: Value = d.http.get(d.url("/api/health")).send().await.expect("h").json().await.expect("j");
    assert!(health["vulndb_age"].as_i64().is_some_and(|a| a >= 0), "{health}");

    // Second update: the validators go out, 304 comes back, nothing changes.
    let c = update(&d, &root).await;
    assert_eq!(
        (c["changed"].clone(), c["unchanged"].clone()),
        (json!([]), json!(["crates.io", "Go"])),
        "{c}"
    );
    let reqs = m.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[2], ("crates.io".to_owned(), Some("\"r1\"".to_owned())));
    assert_eq!(reqs[3], ("Go".to_owned(), Some("\"g1\"".to_owned())));
    let s = status(&d, &user).await;
    assert_eq!(s["snapshot"], g1.as_str());

    // The mirror publishes a new crates.io zip: a new generation with its records.
    let mut four = RUST.to_vec();
    four.push(RUST_NEW);
    m.set("crates.io", Served::Zip { body: zip_of(&four), etag: "\"r2\"".into() });
    let c = update(&d, &root).await;
    assert_eq!((c["changed"].clone(), c["unchanged"].clone()), (json!(["crates.io"]), json!(["Go"])), "{c}");
    let s = status(&d, &user).await;
    assert_eq!(s["advisories"], 6);
    let g2 = s["snapshot"].as_str().expect("generation").to_owned();
    assert_ne!(g1, g2);

    // A corrupt zip and a server error: reported, and the data stays as it was.
    m.set("Go", Served::Zip { body: b"PK\x03\x04 this is not a zip".to_vec(), etag: "\"g2\"".into() });
    m.set("crates.io", Served::Status(500));
    let c = update(&d, &root).await;
    assert_eq!(c["changed"], json!([]), "{c}");
    assert_eq!(c["failed"].as_array().map(Vec::len), Some(2), "{c}");
    let s = status(&d, &user).await;
    assert_eq!((s["advisories"].as_u64(), s["snapshot"].as_str()), (Some(6), Some(g2.as_str())), "{s}");
    assert_eq!(source(&s, "crates.io")["advisories"], 4);
    assert_eq!(source(&s, "Go")["advisories"], 2);
    assert!(source(&s, "crates.io")["last_error"].as_str().is_some_and(|e| e.contains("500")), "{s}");
    assert!(source(&s, "Go")["last_error"].as_str().is_some_and(|e| e.contains("zip")), "{s}");
    assert!(!s.to_string().contains("s3cret"), "{s}");
    // The stored validator is still the one of the data kept.
    assert_eq!(source(&s, "Go")["etag"], "\"g1\"");
    // A zip over `max_download_bytes` is not even written out whole.
    m.set("Go", Served::Zip { body: vec![0; 1_100_000], etag: "\"g3\"".into() });
    let r =
        d.send(&root, Method::POST, "/api/v1/admin/vulndb/update", Some(json!({"ecosystems": ["Go"]}))).await;
    let c: Value = r.json().await.expect("json");
    assert!(c["failed"][0].as_str().is_some_and(|f| f.contains("limit")), "{c}");
    assert_eq!(
        (c["status"]["advisories"].as_u64(), c["status"]["snapshot"].as_str()),
        (Some(6), Some(g2.as_str()))
    );

    // Only super admins may change the data; everyone signed in may read it.
    let r = d.send(&user, Method::POST, "/api/v1/admin/vulndb/update", None).await;
    expect_problem(r, 404, "ROUTE_NOT_FOUND").await;
    let r = d.http.get(d.url("/api/v1/vulndb/status")).send().await.expect("send");
    expect_problem(r, 401, "UNAUTHORIZED").await;
    let r = d
        .send(&root, Method::POST, "/api/v1/admin/vulndb/update", Some(json!({"ecosystems": ["npm"]})))
        .await;
    expect_problem(r, 400, "VALIDATION_FAILED").await;

    // The admin actions are audited.
    let a: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit?limit=100", None).await.json().await.expect("j");
    let updates =
        a["items"].as_array().expect("items").iter().filter(|e| e["action"] == "vulndb.update").count();
    assert_eq!(updates, 5, "{a}");
});

both!(imports_from_the_cli_and_the_admin_api, |db| async move {
    let mut d = Daemon::start(db).await;
    let root = root(&d).await;
    d.terminate();
    // With no daemon running, from a zip and from a directory.
    let dir = tempfile::tempdir().expect("tempdir");
    let zdir = dir.path().join("crates.io");
    std::fs::create_dir(&zdir).expect("mkdir");
    std::fs::write(zdir.join("all.zip"), zip_of(&RUST)).expect("zip");
    let (ok, out, err) =
        cli(&d, &["import", &zdir.join("all.zip").to_string_lossy(), &fixture("go").to_string_lossy()]);
    assert!(ok && out.contains("changed: crates.io") && out.contains("changed: go"), "{out}{err}");
    let (ok, out, err) = cli(&d, &["status", "--json"]);
    assert!(ok, "{err}");
    let s: Value = serde_json::from_str(&out).expect("status json");
    assert_eq!(s["advisories"], 5, "{s}");
    // A broken import fails, names the path and changes nothing.
    let bad = dir.path().join("bad.zip");
    std::fs::write(&bad, b"not a zip").expect("write");
    let (ok, out, err) = cli(&d, &["import", &bad.to_string_lossy()]);
    assert!(!ok && out.contains("failed: bad") && err.contains("previous data was kept"), "{out}{err}");

    let r = serve(&d.config, &d.dir.path().join("replica-0.log")).await;
    d.base = r.base.clone();
    let s = status(&d, &root).await;
    assert_eq!((s["state"].as_str(), s["advisories"].as_u64()), (Some("fresh"), Some(5)), "{s}");
    assert_eq!(source(&s, "crates.io")["origin"], "import");
    assert_eq!(source(&s, "go")["advisories"], 2);
    let g1 = s["snapshot"].clone();

    // Over the API: a zip upload replaces the named source.
    let up = |body: Vec<u8>, ctype: &'static str, who: &Session| {
        d.http
            .post(d.url("/api/v1/admin/vulndb/import?name=crates.io"))
            .bearer_auth(&who.token)
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    let mut four = RUST.to_vec();
    four.push(RUST_NEW);
    // Larger than `max_body_bytes` (64 KiB here): uploads have their own limit.
    let resp = up(padded_zip(&four, 200_000), "application/zip", &root).await.expect("send");
    assert_eq!(resp.status(), 200);
    let c: Value = resp.json().await.expect("json");
    assert_eq!(c["changed"], json!(["crates.io"]));
    assert_eq!(c["status"]["advisories"], 6);
    assert_ne!(c["status"]["snapshot"], g1);
    // Not a zip, the wrong media type, a non-admin: refused, nothing changed.
    let refused = expect_problem(
        up(b"PK garbage".to_vec(), "application/zip", &root).await.expect("send"),
        400,
        "VALIDATION_FAILED",
    )
    .await;
    names_the_upload(&refused, "not a readable zip archive");
    // A zip without one valid record: the first rejected entry is named inside the upload.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("broken.json", zip::write::SimpleFileOptions::default()).expect("entry");
    w.write_all(br#"{"id": 3}"#).expect("write");
    let broken = w.finish().expect("zip").into_inner();
    let refused =
        expect_problem(up(broken, "application/zip", &root).await.expect("send"), 400, "VALIDATION_FAILED")
            .await;
    names_the_upload(&refused, "no valid OSV record");
    assert!(refused.to_string().contains("upload:crates.io!broken.json"), "{refused}");
    expect_problem(
        up(zip_of(&RUST), "text/plain", &root).await.expect("send"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    let user = d.register(&unique_email("u")).await;
    expect_problem(up(zip_of(&RUST), "application/zip", &user).await.expect("send"), 404, "ROUTE_NOT_FOUND")
        .await;
    let s = status(&d, &root).await;
    assert_eq!((s["advisories"].as_u64(), &s["snapshot"]), (Some(6), &c["status"]["snapshot"]));
    // Audited: the two shell imports (the failed one too) and the upload.
    let a: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit?limit=100", None).await.json().await.expect("j");
    let imports: Vec<&Value> =
        a["items"].as_array().expect("items").iter().filter(|e| e["action"] == "vulndb.import").collect();
    assert_eq!(imports.len(), 3, "{a}");
    assert_eq!(imports.iter().filter(|e| e["detail"]["via"] == "cli").count(), 2, "{a}");
});

both!(a_second_replica_sees_an_update, |db| async move {
    let m = Mirror::default();
    m.set("crates.io", Served::Zip { body: zip_of(&RUST), etag: "\"r1\"".into() });
    m.set("Go", Served::Zip { body: zip_of(&GO), etag: "\"g1\"".into() });
    let base = start_mirror(&m).await;
    let (d, _a) = start(db, &base).await;
    let root = root(&d).await;
    let b = serve(&d.config, &d.dir.path().join("replica-1.log")).await;
    let status_b = || async {
        let r = d.http.get(format!("{}/api/v1/vulndb/status", b.base)).bearer_auth(&root.token).send().await;
        r.expect("send").json::<Value>().await.expect("json")
    };
    assert_eq!(status_b().await["state"], "none");
    let c = update(&d, &root).await;
    let generation = c["status"]["snapshot"].clone();
    assert!(generation.is_string(), "{c}");
    // B reloads on its own schedule (1 s here): poll with a deadline, there is no event to await.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let s = status_b().await;
        if s["snapshot"] == generation {
            assert_eq!(s["advisories"], 5);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "replica B never reloaded: {s}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
});

both!(the_schedule_updates_without_being_asked, |db| async move {
    let m = Mirror::default();
    m.set("crates.io", Served::Zip { body: zip_of(&RUST), etag: "\"r1\"".into() });
    m.set("Go", Served::Zip { body: zip_of(&GO), etag: "\"g1\"".into() });
    let base = start_mirror(&m).await;
    let (d, _r) = start_with(db, &base, "update_interval_secs = 1").await;
    let root = root(&d).await;
    // The first run starts with the daemon; nothing signals it, so poll with a deadline.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let s = status(&d, &root).await;
        if s["advisories"] == 5 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no scheduled update: {s}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Later runs are conditional.
    while m.requests().len() < 4 {
        assert!(tokio::time::Instant::now() < deadline, "no second scheduled run: {:?}", m.requests());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(m.requests()[2..].iter().all(|(_, inm)| inm.is_some()), "{:?}", m.requests());
    let a: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit?limit=100", None).await.json().await.expect("j");
    let scheduled =
        a["items"].as_array().expect("items").iter().filter(|e| e["detail"]["via"] == "schedule").count();
    assert!(scheduled >= 1, "{a}");
});

/// An OSV zip of every `.json`/`.yaml` record under `dir` (flat).
fn zip_dir(dir: &Path) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json" || x == "yaml") {
                w.start_file(p.file_name().expect("name").to_string_lossy(), opts).expect("entry");
                w.write_all(&std::fs::read(&p).expect("read")).expect("write");
            }
        }
    }
    w.finish().expect("finish").into_inner()
}

/// Polls `GET /vulndb/status` on `base` until `done` holds (a replica reloads on its own tick:
/// there is no event to await).
async fn status_until(d: &Daemon, base: &str, who: &Session, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let r = d.http.get(format!("{base}/api/v1/vulndb/status")).bearer_auth(&who.token).send().await;
        let s: Value = r.expect("send").json().await.expect("json");
        if done(&s) {
            return s;
        }
        assert!(tokio::time::Instant::now() < deadline, "never reached: {s}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn names(s: &Value) -> Vec<String> {
    s["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|x| x["name"].as_str().expect("name").to_owned())
        .collect()
}

// Issue 14 point 1: sources accumulate (mirror ecosystems under their own names beside named
// uploads), each lists its ecosystems, and one is removed through the API or the shell while the
// others stay, on this replica and on a second one; removing the last leaves "no data".
both!(sources_accumulate_and_one_is_removed, |db| async move {
    let m = Mirror::default();
    m.set("crates.io", Served::Zip { body: zip_of(&RUST), etag: "\"r1\"".into() });
    m.set("Go", Served::Zip { body: zip_of(&GO), etag: "\"g1\"".into() });
    let base = start_mirror(&m).await;
    let (d, _a) = start(db, &base).await;
    let root = root(&d).await;
    let user = d.register(&unique_email("u")).await;
    update(&d, &root).await;
    let pypa = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/osv/pypa/vulns/werkzeug");
    let r = d
        .http
        .post(d.url("/api/v1/admin/vulndb/import?name=pypa"))
        .bearer_auth(&root.token)
        .header("content-type", "application/zip")
        .body(zip_dir(&pypa))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let s = status(&d, &user).await;
    assert_eq!(names(&s), ["Go", "crates.io", "pypa"], "{s}");
    assert_eq!(source(&s, "crates.io")["ecosystems"], json!(["crates.io"]));
    assert_eq!(source(&s, "Go")["ecosystems"], json!(["Go"]));
    assert_eq!(source(&s, "pypa")["ecosystems"], json!(["PyPI"]));
    let werkzeug = source(&s, "pypa")["advisories"].as_u64().expect("count");
    assert!(werkzeug > 0);
    assert_eq!(s["advisories"].as_u64(), Some(3 + 2 + werkzeug), "{s}");

    // A second replica on the same database.
    let b = serve(&d.config, &d.dir.path().join("replica-1.log")).await;
    status_until(&d, &b.base, &root, |s| s["advisories"].as_u64() == Some(5 + werkzeug)).await;

    // Removed over the API: the others stay, here and on B.
    let r = d.send(&root, Method::DELETE, "/api/v1/admin/vulndb/sources/Go", None).await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.expect("json");
    assert_eq!(c["removed"], json!(["Go"]), "{c}");
    assert_eq!(names(&c["status"]), ["crates.io", "pypa"], "{c}");
    assert_eq!(c["status"]["advisories"].as_u64(), Some(3 + werkzeug), "{c}");
    assert_eq!(source(&c["status"], "crates.io")["advisories"], 3);
    let generation = c["status"]["snapshot"].clone();
    let sb = status_until(&d, &b.base, &root, |s| s["snapshot"] == generation).await;
    assert_eq!(sb["advisories"].as_u64(), Some(3 + werkzeug), "{sb}");

    // Unknown now; and only super admins may remove.
    let r = d.send(&root, Method::DELETE, "/api/v1/admin/vulndb/sources/Go", None).await;
    let p = expect_problem(r, 404, "NOT_FOUND").await;
    assert!(p["detail"].as_str().is_some_and(|t| t.contains("Go")), "{p}");
    let r = d.send(&user, Method::DELETE, "/api/v1/admin/vulndb/sources/pypa", None).await;
    expect_problem(r, 404, "ROUTE_NOT_FOUND").await;

    // From the shell, beside the running replicas.
    let (ok, out, err) = cli(&d, &["remove", "pypa"]);
    assert!(ok && out.contains("removed: pypa") && out.contains("crates.io"), "{out}{err}");
    let (ok, out, err) = cli(&d, &["remove", "nosuch"]);
    assert!(!ok && err.contains("no vulnerability data source named nosuch"), "{out}{err}");
    let sa = status_until(&d, &d.base, &root, |s| s["advisories"] == 3).await;
    assert_eq!(names(&sa), ["crates.io"], "{sa}");

    // The last one: no data, on both replicas (not a fresh zero).
    let r = d.send(&root, Method::DELETE, "/api/v1/admin/vulndb/sources/crates.io", None).await;
    assert_eq!(r.status(), 200);
    let s = status(&d, &user).await;
    assert_eq!((s["state"].as_str(), s["advisories"].as_u64()), (Some("none"), Some(0)), "{s}");
    status_until(&d, &b.base, &root, |s| s["state"] == "none").await;

    // Audited: each removal, with the source it removed.
    let a: Value =
        d.send(&root, Method::GET, "/api/v1/admin/audit?limit=100", None).await.json().await.expect("j");
    let removes: Vec<&Value> =
        a["items"].as_array().expect("items").iter().filter(|e| e["action"] == "vulndb.remove").collect();
    for name in ["Go", "crates.io"] {
        assert!(removes.iter().any(|e| e["object_id"] == name), "{name}: {a}");
    }
    assert!(
        removes.iter().any(|e| e["detail"]["via"] == "cli" && e["detail"]["removed"] == json!(["pypa"])),
        "{a}"
    );
});

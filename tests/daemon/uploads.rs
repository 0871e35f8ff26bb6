//! Uploads end to end on real daemons: tar, tar.gz and zip archives of a real tree and CycloneDX
//! and SPDX documents scanned to `completed` with the engine's components; hostile archives fail
//! naming the entry; caps, missing and unknown fields refused with nothing stored; the same
//! upload under one Idempotency-Key is one scan; a daemon killed mid-scan completes the upload
//! after restart, and the stored upload is gone once the scan ends. New uploads are files
//! (`[uploads] store = "files"`, the row holds the path, size and digest, no bytes) removed when
//! their scan ends, or bytes in the row (`"database"`); an SBOM is read by the job, so a malformed
//! one is a failed scan naming what was wrong.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::path::Path;

use reqwest::Method;
use serde_json::{Value, json};
use zip::write::SimpleFileOptions;

use crate::both;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::scans::{
    all_items, check_events, engine_purls, get_json, slow_tree, tree_root, until_status, unwrap_events,
};
use crate::ws::{Frame, follow, open};

fn tar_of(tree: &Path) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all("tree", tree).expect("tar");
    b.into_inner().expect("tar")
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

fn zip_of(tree: &Path) -> Vec<u8> {
    fn add(zip: &mut zip::ZipWriter<Cursor<Vec<u8>>>, dir: &Path, prefix: &str) {
        let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut entries: Vec<_> =
            std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry")).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = format!("{prefix}/{}", e.file_name().to_string_lossy());
            if e.file_type().expect("type").is_dir() {
                zip.add_directory(name.as_str(), options).expect("dir");
                add(zip, &e.path(), &name);
            } else {
                zip.start_file(name.as_str(), options).expect("start");
                zip.write_all(&std::fs::read(e.path()).expect("read")).expect("write");
            }
        }
    }
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    add(&mut zip, tree, "tree");
    zip.finish().expect("zip").into_inner()
}

/// A tar with one entry named `name` (the tar crate refuses `..` through its safe API).
pub(crate) fn tar_with_entry(name: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.as_gnu_mut().expect("gnu").name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(1);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, &b"x"[..]).expect("append");
    builder.into_inner().expect("tar")
}

/// A zip of `mib` MiB of zeros in one entry: tiny compressed, far past the ratio cap.
fn zeros_zip(mib: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(false);
    zip.start_file("bomb/zeros.bin", options).expect("start");
    let chunk = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        zip.write_all(&chunk).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

pub(crate) fn sbom_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources").join(name);
    std::fs::read_to_string(path).expect("fixture")
}

/// POSTs a multipart form: `file` (when given) and text fields.
pub(crate) async fn post_form(
    d: &Daemon,
    who: &Session,
    path: &str,
    file: Option<(&str, Vec<u8>)>,
    fields: &[(&str, &str)],
    key: Option<&str>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    if let Some((name, bytes)) = file {
        form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    }
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let mut req = d.http.post(d.url(path)).bearer_auth(&who.token).multipart(form);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.expect("send")
}

async fn accepted(resp: reqwest::Response) -> Value {
    let status = resp.status();
    let text = resp.text().await.expect("text");
    assert_eq!(status, 202, "{text}");
    let scan: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(scan["status"], "queued");
    scan
}

/// Follows the scan to its end; returns the scan as stored then.
async fn finish(d: &Daemon, who: &Session, id: &str) -> Value {
    let (frames, end) = follow(d, id, who).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()), "{}", d.stderr());
    check_events(&unwrap_events(frames));
    get_json(d, who, &format!("/api/v1/scans/{id}")).await
}

async fn purls(d: &Daemon, who: &Session, id: &str) -> BTreeSet<String> {
    let items = all_items(d, who, &format!("/api/v1/scans/{id}/components"), 1000).await;
    let set: BTreeSet<String> = items.iter().map(|c| c["purl"].as_str().expect("purl").to_owned()).collect();
    assert_eq!(set.len(), items.len(), "no component twice");
    set
}

/// A refused request: path, file, fields, and the field the problem names.
type BadCase<'a> = (&'a str, Option<(&'a str, Vec<u8>)>, Vec<(&'a str, String)>, &'a str);

async fn raw_count(d: &Daemon, sql: &'static str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon");
    let row: (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.expect("count");
    pool.close().await;
    row.0
}

async fn stored_uploads(d: &Daemon) -> i64 {
    raw_count(d, "SELECT COUNT(*) FROM scan_uploads").await
}

/// The stored uploads' file paths (None for bytes kept in the row).
async fn upload_paths(d: &Daemon) -> Vec<Option<String>> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon");
    let rows: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT path FROM scan_uploads").fetch_all(&pool).await.expect("paths");
    pool.close().await;
    rows.into_iter().map(|r| r.0).collect()
}

/// The upload files in `dir`.
fn upload_files(dir: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.expect("entry").path()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    }
}

/// `[uploads]` for a daemon keeping upload files in `dir`: SQLite's default place is `uploads`
/// beside the database (so nothing is configured there); Postgres needs the setting.
fn files_store(db: Db, dir: &Path) -> String {
    match db {
        Db::Sqlite => String::new(),
        Db::Postgres => format!("[uploads]\nstore = \"files\"\ndir = {:?}\n", dir.display().to_string()),
    }
}

both!(archives_of_a_real_tree_scan_end_to_end, |db| async move {
    let (_root, tree) = tree_root();
    let expected = engine_purls(&tree);
    assert!(expected.len() > 50, "the fixture has real content: {}", expected.len());
    let d = Daemon::start(db).await;
    let user = d.register(&unique_email("up")).await;
    let project = d.create_project(&user, "uploaded").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let tar = tar_of(&tree);
    for (name, bytes) in [("tree.tar", tar.clone()), ("tree.tar.gz", gzip(&tar)), ("tree.zip", zip_of(&tree))]
    {
        let size = bytes.len() as u64;
        let resp =
            post_form(&d, &user, "/api/v1/scans/upload", Some((name, bytes)), &[("project", &pid)], None)
                .await;
        let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let scan = accepted(resp).await;
        let id = scan["id"].as_str().expect("id").to_owned();
        assert_eq!(location, Some(format!("/api/v1/scans/{id}")));
        assert_eq!(scan["source"], json!({"kind": "upload", "filename": name, "bytes": size}));
        assert_eq!(scan["project_id"], pid.as_str());
        let done = finish(&d, &user, &id).await;
        assert_eq!(done["status"], "completed", "{name}: {done}");
        assert_eq!(purls(&d, &user, &id).await, expected, "{name}");
    }
    assert_eq!(stored_uploads(&d).await, 0, "uploads are deleted when their scans end");
});

both!(sbom_documents_are_ingested_and_matched, |db| async move {
    let d = Daemon::start(db).await;
    let user = d.register(&unique_email("sbom")).await;
    let project = d.create_project(&user, "documented").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let version: Value = d
        .send(&user, Method::POST, &format!("/api/v1/projects/{pid}/versions"), Some(json!({"name": "1.0"})))
        .await
        .json()
        .await
        .expect("version");
    let vid = version["id"].as_str().expect("vid").to_owned();
    for (name, format) in [
        ("trivy-0.76.0__pipenv-pipenv.cdx-1.7.json", "cyclonedx-1.7"),
        ("trivy-0.76.0__pipenv-pipenv.spdx-2.3.json", "spdx-2.3"),
    ] {
        let text = sbom_fixture(name);
        let read = cairn_engine::bom::read::read_document(&text, name).expect("the engine reads it");
        let expected: BTreeSet<String> = read.inventory.components.iter().map(|c| c.purl.clone()).collect();
        assert!(expected.len() > 5, "{name}: {}", expected.len());
        let resp = post_form(
            &d,
            &user,
            "/api/v1/sboms/ingest",
            Some((name, text.into_bytes())),
            &[("version_id", &vid), ("auto_scan", "true")],
            None,
        )
        .await;
        let scan = accepted(resp).await;
        // The job reads the document, so the format is known once it ran.
        assert_eq!(scan["source"], json!({"kind": "sbom", "filename": name}));
        // The version brings its project.
        assert_eq!(
            (scan["version_id"].as_str(), scan["project_id"].as_str()),
            (Some(vid.as_str()), Some(pid.as_str()))
        );
        let id = scan["id"].as_str().expect("id").to_owned();
        let done = finish(&d, &user, &id).await;
        assert_eq!(done["status"], "completed", "{name}: {done}");
        assert_eq!(done["source"], json!({"kind": "sbom", "filename": name, "format": format}));
        assert_eq!(purls(&d, &user, &id).await, expected, "{name}");
    }
    assert_eq!(stored_uploads(&d).await, 0);
});

both!(hostile_and_bad_uploads_fail_or_are_refused, |db| async move {
    let cap: u64 = 200_000;
    let d = Daemon::start_with(db, Opts { upload_max_bytes: Some(cap), ..Opts::default() }).await;
    let user = d.register(&unique_email("hostile")).await;
    let other = d.register(&unique_email("other")).await;
    let foreign = d.create_project(&other, "theirs").await;

    // Queued, then failed by the extraction, naming the entry or the ratio.
    for (name, bytes, says) in [
        ("evil.tar.gz", gzip(&tar_with_entry("../evil")), "\"../evil\""),
        ("bomb.zip", zeros_zip(20), "decompression bomb"),
    ] {
        let scan =
            accepted(post_form(&d, &user, "/api/v1/scans/upload", Some((name, bytes)), &[], None).await)
                .await;
        let id = scan["id"].as_str().expect("id").to_owned();
        let done = finish(&d, &user, &id).await;
        assert_eq!(done["status"], "failed", "{name}: {done}");
        assert!(done["error"].as_str().is_some_and(|e| e.contains(says)), "{name}: {done}");
    }
    assert_eq!(stored_uploads(&d).await, 0, "failed scans drop their uploads");
    let scans_before = get_json(&d, &user, "/api/v1/scans").await["total"].clone();
    let rows_before = raw_count(&d, "SELECT COUNT(*) FROM scans").await;

    // Over the cap: just over (counted while streaming) and far over (the route's body limit).
    for size in [cap as usize + 1, 3 * cap as usize] {
        let resp =
            post_form(&d, &user, "/api/v1/scans/upload", Some(("big.tar", vec![7u8; size])), &[], None).await;
        let p = expect_problem(resp, 413, "PAYLOAD_TOO_LARGE").await;
        assert!(p["detail"].as_str().is_some_and(|m| m.contains(&cap.to_string())), "{p}");
        let resp =
            post_form(&d, &user, "/api/v1/sboms/ingest", Some(("big.json", vec![b' '; size])), &[], None)
                .await;
        expect_problem(resp, 413, "PAYLOAD_TOO_LARGE").await;
    }
    let small = gzip(&tar_with_entry("a/requirements.txt"));
    let cases: Vec<BadCase> = vec![
        ("/api/v1/scans/upload", None, vec![], "body.file"),
        ("/api/v1/sboms/ingest", None, vec![("auto_scan", "true".into())], "body.file"),
        (
            "/api/v1/scans/upload",
            Some(("a.tgz", small.clone())),
            vec![("colour", "red".into())],
            "body.colour",
        ),
        ("/api/v1/scans/upload", Some(("notes.txt", b"just text".to_vec())), vec![], "body.file"),
        (
            "/api/v1/scans/upload",
            Some(("a.tgz", small.clone())),
            vec![("project", "nope".into())],
            "body.project",
        ),
        (
            "/api/v1/scans/upload",
            Some(("a.tgz", small.clone())),
            vec![("project", foreign["id"].as_str().expect("id").into())],
            "body.project",
        ),
        // Obviously no document: refused by its first bytes, or by its media type.
        ("/api/v1/sboms/ingest", Some(("a.tgz", small.clone())), vec![], "body.file"),
        ("/api/v1/sboms/ingest", Some(("notes.txt", b"just text".to_vec())), vec![], "body.file"),
        (
            "/api/v1/sboms/ingest",
            Some(("bom.json", sbom_fixture("trivy-0.76.0__pipenv-pipenv.cdx-1.7.json").into_bytes())),
            vec![("auto_scan", "false".into())],
            "body.auto_scan",
        ),
    ];
    for (path, file, fields, field) in cases {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = post_form(&d, &user, path, file, &fields, None).await;
        let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert!(
            p["errors"].as_array().is_some_and(|e| e.iter().any(|x| x["field"] == field)),
            "{path} {field}: {p}"
        );
    }
    let resp = d
        .http
        .post(d.url("/api/v1/sboms/ingest"))
        .bearer_auth(&user.token)
        .multipart(
            reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(b"{}".to_vec())
                    .file_name("x.png")
                    .mime_str("image/png")
                    .expect("mime"),
            ),
        )
        .send()
        .await
        .expect("send");
    let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
    assert!(p.to_string().contains("image/png"), "{p}");
    // Nothing stored by any refusal.
    assert_eq!(get_json(&d, &user, "/api/v1/scans").await["total"], scans_before);
    assert_eq!(raw_count(&d, "SELECT COUNT(*) FROM scans").await, rows_before);
    assert_eq!(stored_uploads(&d).await, 0);
});

both!(the_same_upload_under_one_key_is_one_scan, |db| async move {
    let (_root, tree) = tree_root();
    let d = Daemon::start(db).await;
    let user = d.register(&unique_email("idem")).await;
    // The tree plus 100 KiB of notes: past the harness's 64 KiB max_body_bytes.
    std::fs::write(tree.join("NOTES.txt"), "notes\n".repeat(20_000)).expect("notes");
    let tar = tar_of(&tree);
    assert!(tar.len() > 65_536, "larger than the harness's max_body_bytes: {}", tar.len());
    let key = unique_email("key");
    let first =
        post_form(&d, &user, "/api/v1/scans/upload", Some(("t.tar", tar.clone())), &[], Some(&key)).await;
    let first = accepted(first).await;
    // The retry has a new multipart boundary: still the same request.
    let again =
        post_form(&d, &user, "/api/v1/scans/upload", Some(("t.tar", tar.clone())), &[], Some(&key)).await;
    assert_eq!(again.status(), 202);
    assert_eq!(again.headers().get("idempotency-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["id"], first["id"]);
    // Another file under the same key is another request.
    let other =
        post_form(&d, &user, "/api/v1/scans/upload", Some(("t.tar", gzip(&tar))), &[], Some(&key)).await;
    expect_problem(other, 422, "IDEMPOTENCY_KEY_REUSED").await;
    let list = get_json(&d, &user, "/api/v1/scans").await;
    assert_eq!(list["total"], 1, "{list}");
    let id = first["id"].as_str().expect("id").to_owned();
    assert_eq!(finish(&d, &user, &id).await["status"], "completed");
});

both!(a_daemon_killed_mid_upload_scan_completes_it_after_restart, |db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = slow_tree(root.path());
    let up = tempfile::tempdir().expect("uploads dir");
    let opts = Opts {
        replica_id: Some("replica-u".into()),
        extra_config: files_store(db, up.path()),
        ..Opts::default()
    };
    let mut d = Daemon::start_with(db, opts).await;
    let user = d.register(&unique_email("kill")).await;
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all("slow", &tree).expect("tar");
    let tar = gzip(&b.into_inner().expect("tar"));
    let scan =
        accepted(post_form(&d, &user, "/api/v1/scans/upload", Some(("slow.tgz", tar)), &[], None).await)
            .await;
    let id = scan["id"].as_str().expect("id").to_owned();
    let (mut socket, _) = open(&d, &format!("/api/v1/ws/scans/{id}"), &user).await;
    until_status(&mut socket, "scanning").await;
    d.kill9();
    assert_eq!(stored_uploads(&d).await, 1, "the upload outlives the killed run");
    let path = upload_paths(&d).await[0].clone().expect("kept as a file");
    assert!(Path::new(&path).is_file(), "the file outlives the killed run too");
    d.restart().await;
    let (frames, end) = follow(&d, &id, &user).await;
    assert_eq!(end, Frame::Close(1000, "scan_ended".into()));
    let events = unwrap_events(frames);
    check_events(&events);
    let statuses: Vec<&str> = events.iter().filter_map(|e| e["status"].as_str()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "fetching").count(), 2, "ran twice: {statuses:?}");
    assert_eq!(statuses.last(), Some(&"completed"));
    assert_eq!(purls(&d, &user, &id).await, engine_purls(&tree));
    assert_eq!(stored_uploads(&d).await, 0, "gone once the scan completed");
    assert!(!Path::new(&path).exists(), "the file too");
});

both!(uploads_are_documented_and_limited_per_hour, |db| async move {
    let d = Daemon::start_with(db, Opts { uploads_per_hour: 2, ..Opts::default() }).await;
    let doc: Value =
        d.http.get(d.url("/api/openapi.json")).send().await.expect("doc").json().await.expect("json");
    for path in ["/api/v1/scans/upload", "/api/v1/sboms/ingest"] {
        let body = &doc["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"];
        assert!(body["schema"].is_object(), "{path}: {}", doc["paths"][path]);
    }
    let user = d.register(&unique_email("rate")).await;
    let tgz = gzip(&tar_with_entry("a/requirements.txt"));
    for _ in 0..2 {
        let resp =
            post_form(&d, &user, "/api/v1/scans/upload", Some(("a.tgz", tgz.clone())), &[], None).await;
        assert_eq!(resp.headers().get("x-ratelimit-limit").and_then(|v| v.to_str().ok()), Some("2"));
        accepted(resp).await;
    }
    let resp = post_form(&d, &user, "/api/v1/sboms/ingest", Some(("a.tgz", tgz.clone())), &[], None).await;
    assert!(resp.headers().get("retry-after").is_some());
    expect_problem(resp, 429, "RATE_LIMITED").await;
    // Other writes have their own allowance.
    let resp =
        d.send(&user, Method::POST, "/api/v1/projects", Some(json!({"name": "p", "kind": "repo"}))).await;
    assert_eq!(resp.status(), 201);
});

both!(new_uploads_are_files_not_blobs_and_go_when_their_scans_end, |db| async move {
    let up = tempfile::tempdir().expect("uploads dir");
    let root = tempfile::tempdir().expect("root");
    let tree = slow_tree(root.path());
    let extra_config = files_store(db, up.path());
    let d = Daemon::start_with(db, Opts { extra_config, ..Opts::default() }).await;
    let dir = match db {
        Db::Sqlite => d.dir.path().join("uploads"),
        Db::Postgres => up.path().to_path_buf(),
    };
    let user = d.register(&unique_email("files")).await;
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all("slow", &tree).expect("tar");
    let tgz = gzip(&b.into_inner().expect("tar"));
    let scan = accepted(
        post_form(&d, &user, "/api/v1/scans/upload", Some(("slow.tgz", tgz.clone())), &[], None).await,
    )
    .await;
    let id = scan["id"].as_str().expect("id").to_owned();
    let (mut socket, _) = open(&d, &format!("/api/v1/ws/scans/{id}"), &user).await;
    until_status(&mut socket, "scanning").await;
    // While the scan runs: a path, its size and digest in the row, no bytes.
    assert_eq!(raw_count(&d, "SELECT COUNT(*) FROM scan_uploads WHERE content IS NULL").await, 1);
    let digest = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(&tgz);
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let paths = upload_paths(&d).await;
    let path = paths[0].clone().expect("the row names its file");
    assert_eq!(std::fs::read(&path).expect("the upload file"), tgz);
    assert_eq!(Path::new(&path).parent(), Some(dir.as_path()), "{path}");
    let pool = sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon");
    let stored: (String, i64) =
        sqlx::query_as("SELECT sha256, bytes FROM scan_uploads").fetch_one(&pool).await.expect("row");
    pool.close().await;
    assert_eq!(stored, (digest, tgz.len() as i64), "size and digest are stored");
    assert_eq!(finish(&d, &user, &id).await["status"], "completed");
    assert_eq!(stored_uploads(&d).await, 0);
    assert!(!Path::new(&path).exists(), "the file goes when its scan completes");

    // A malformed document starts right, so it is queued; the job fails it, naming the problem.
    for (name, bytes, says) in [
        ("x.json", b"{\"hello\": 1}".to_vec(), "neither bomFormat, spdxVersion nor @graph"),
        ("cut.json", b"{\"bomFormat\": \"CycloneDX\", \"components\": [".to_vec(), "JSON"),
    ] {
        let scan =
            accepted(post_form(&d, &user, "/api/v1/sboms/ingest", Some((name, bytes)), &[], None).await)
                .await;
        let id = scan["id"].as_str().expect("id").to_owned();
        let done = finish(&d, &user, &id).await;
        assert_eq!(done["status"], "failed", "{name}: {done}");
        assert!(done["error"].as_str().is_some_and(|e| e.contains(says)), "{name}: {done}");
        assert_eq!(done["source"], json!({"kind": "sbom", "filename": name}), "no format was found");
    }
    assert_eq!(stored_uploads(&d).await, 0);
    assert_eq!(upload_files(&dir), Vec::<std::path::PathBuf>::new(), "failed scans drop their files");
});

both!(the_database_store_keeps_bytes_in_the_row, |db| async move {
    let extra_config = "[uploads]\nstore = \"database\"\n".to_owned();
    let d = Daemon::start_with(db, Opts { extra_config, ..Opts::default() }).await;
    let user = d.register(&unique_email("blob")).await;
    let root = tempfile::tempdir().expect("root");
    let tree = slow_tree(root.path());
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all("slow", &tree).expect("tar");
    let tgz = gzip(&b.into_inner().expect("tar"));
    let scan =
        accepted(post_form(&d, &user, "/api/v1/scans/upload", Some(("slow.tgz", tgz)), &[], None).await)
            .await;
    let id = scan["id"].as_str().expect("id").to_owned();
    let (mut socket, _) = open(&d, &format!("/api/v1/ws/scans/{id}"), &user).await;
    until_status(&mut socket, "scanning").await;
    assert_eq!(raw_count(&d, "SELECT COUNT(*) FROM scan_uploads WHERE content IS NOT NULL").await, 1);
    assert_eq!(upload_paths(&d).await, vec![None]);
    assert_eq!(finish(&d, &user, &id).await["status"], "completed");
    assert_eq!(stored_uploads(&d).await, 0);
    assert!(upload_files(&d.dir.path().join("uploads")).is_empty());
});

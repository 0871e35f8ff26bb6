//! Re-matching on new vulnerability data, end to end: a project scanned against old OSV data (the
//! engine's real PyPA fixtures without PYSEC-2021-19, lxml's CVE-2021-28957), then that real
//! advisory imported as a source of its own: the project's findings gain it (`finding.new`,
//! `vulndb.updated` once per change), triage carries over, removing the source resolves it
//! (`finding.resolved`, the row kept with `resolved_at`), and a kill -9 right after a data change
//! still ends with the re-match done after restart and no doubled rows. Notifications: the new
//! finding is pushed on `/ws/events` and unread for a user with the default preferences, not made
//! for one whose preferences exclude `finding.new`; read one, read all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::finding_events::{events_of, triage};
use crate::findings::{osv, scan_to_completion};
use crate::harness::{Daemon, Db, Opts, PASSWORD, Session, unique_email};
use crate::scans::{all_items, copy_dir, get_json, tree_root};
use crate::ws::{Frame, next, open};

/// The advisory the old data lacks (engine/tests/fixtures/osv/pypa, from PyPA's advisory-database).
pub const ADDED: &str = "PYSEC-2021-19";

/// The engine's OSV fixtures without [`ADDED`]: the "old" data.
pub fn old_osv(root: &Path) -> PathBuf {
    let dir = root.join("osv-old");
    copy_dir(&osv(), &dir);
    std::fs::remove_file(dir.join(format!("pypa/vulns/lxml/{ADDED}.yaml"))).expect("rm");
    dir
}

/// [`ADDED`] alone, as an OSV zip.
pub fn added_zip() -> Vec<u8> {
    let path = osv().join(format!("pypa/vulns/lxml/{ADDED}.yaml"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(format!("{ADDED}.yaml"), zip::write::SimpleFileOptions::default()).expect("entry");
    w.write_all(&std::fs::read(path).expect("read")).expect("write");
    w.finish().expect("finish").into_inner()
}

/// A super admin (of tenant "Ops"), who may change the vulnerability data.
pub async fn operator(d: &Daemon) -> Session {
    let email = unique_email("ops");
    d.admin(
        &["create-user", "--email", &email, "--super-admin", "--tenant", "Ops", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    d.login(&email).await
}

pub async fn import_added(d: &Daemon, ops: &Session) {
    let r = d
        .http
        .post(d.url("/api/v1/admin/vulndb/import?name=newer"))
        .bearer_auth(&ops.token)
        .header("content-type", "application/zip")
        .body(added_zip())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
}

/// The events of `kind` after `after` once `done` says they are complete. The events are written
/// by a worker; this reads the feed until they are there (bounded, failing with what it saw).
pub async fn events_until(
    d: &Daemon,
    who: &Session,
    kind: &str,
    after: i64,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let items = events_of(d, who, kind, after).await;
        if done(&items) {
            return items;
        }
        assert!(tokio::time::Instant::now() < deadline, "no {kind} after {after}: {items:?}\n{}", d.stderr());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn latest_seq(d: &Daemon, who: &Session) -> i64 {
    get_json(d, who, "/api/v1/events").await["latest_seq"].as_i64().expect("latest")
}

fn of_advisory<'a>(items: &'a [Value], advisory: &str) -> Vec<&'a Value> {
    items.iter().filter(|f| f["vulnerability_id"] == advisory).collect()
}

both!(new_data_rematches_projects_without_rescanning, |db: Db| async move {
    let (root, tree) = tree_root();
    std::fs::create_dir_all(tree.join("more")).expect("mkdir");
    std::fs::write(tree.join("more/requirements.txt"), "lxml==4.6.2\n").expect("write");
    let mut d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![old_osv(root.path())],
            replica_id: Some("rematch-1".into()),
            ..Opts::default()
        },
    )
    .await;
    let ops = operator(&d).await;
    let user = d.register(&unique_email("rematch")).await;
    let project = d.create_project(&user, "watched").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let scan = scan_to_completion(&d, &user, &tree, Some(&pid)).await;
    let before = project_findings(&d, &user, &pid).await;
    assert!(of_advisory(&before, ADDED).is_empty(), "the old data lacks {ADDED}");
    let lxml = before.iter().find(|f| f["purl"] == "pkg:pypi/lxml@4.6.2").expect("an lxml finding").clone();
    let r =
        triage(&d, &user, lxml["id"].as_str().expect("id"), json!({"state": "in_triage", "note": "ours"}))
            .await;
    assert_eq!(r.status(), 200);
    // The scan's source goes away: a re-match must not need it.
    std::fs::remove_dir_all(&tree).expect("rm tree");

    // Bob (a viewer) does not want finding.new; the user keeps the defaults and listens live.
    let bob = d.invite(&user, &unique_email("bob"), "viewer").await;
    let r = d
        .send(
            &bob,
            Method::PUT,
            "/api/v1/users/me/notification-prefs",
            Some(json!({"events": {"vulnerability.found": {"in_app": false, "email": false}}})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let prefs: Value = r.json().await.expect("prefs");
    assert_eq!(prefs["events"]["finding.new"]["in_app"], false, "the old name is the new kind: {prefs}");
    // A project that is not the tenant's is refused, naming it; nothing changes.
    let r = d
        .send(
            &bob,
            Method::PUT,
            "/api/v1/users/me/notification-prefs",
            Some(json!({"events": {}, "projects": [uuid::Uuid::now_v7()]})),
        )
        .await;
    let p = crate::harness::expect_problem(r, 400, "VALIDATION_FAILED").await;
    assert_eq!(p["errors"][0]["field"], "body.projects[0]", "{p}");
    let kept = get_json(&d, &bob, "/api/v1/users/me/notification-prefs").await;
    assert_eq!(kept["events"]["finding.new"]["in_app"], false, "{kept}");
    assert!(kept.get("projects").is_none(), "{kept}");
    let r = d.send(&user, Method::POST, "/api/v1/notifications/read-all", None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(get_json(&d, &user, "/api/v1/notifications/unread-count").await["unread"], 0);
    let (mut live, _) = open(&d, "/api/v1/ws/events", &user).await;

    // New data: one more real advisory affects lxml 4.6.2.
    let seq = latest_seq(&d, &user).await;
    import_added(&d, &ops).await;
    // Awaited on the socket: the notification frame of the new finding.
    let pushed = loop {
        match next(&mut live).await {
            Frame::Json(f)
                if f["type"] == "notification" && f["notification"]["data"]["advisory"] == ADDED =>
            {
                break f["notification"].clone();
            }
            Frame::Json(_) => continue,
            other => panic!("the socket ended: {other:?}"),
        }
    };
    assert!(pushed["event"].is_string());
    assert_eq!(pushed["type"], "finding.new");
    assert_eq!(pushed["project"], pid.as_str());
    assert!(pushed["read_at"].is_null());
    assert!(pushed["title"].as_str().is_some_and(|t| t.contains(ADDED)), "{pushed}");
    let unread = get_json(&d, &user, "/api/v1/notifications?unread=true").await;
    let items = unread["items"].as_array().expect("items");
    assert!(items.iter().any(|n| n["id"] == pushed["id"] && n["type"] == "finding.new"), "{unread}");
    let count =
        get_json(&d, &user, "/api/v1/notifications/unread-count").await["unread"].as_i64().expect("n");
    assert_eq!(count, unread["total"].as_i64().expect("total"));
    let theirs = get_json(&d, &bob, "/api/v1/notifications").await;
    assert!(
        theirs["items"].as_array().expect("items").iter().all(|n| n["type"] != "finding.new"),
        "bob's preferences exclude finding.new: {theirs}"
    );
    let read = d
        .send(
            &user,
            Method::POST,
            &format!("/api/v1/notifications/{}/read", pushed["id"].as_str().expect("id")),
            None,
        )
        .await;
    assert_eq!(read.status(), 200);
    assert!(read.json::<Value>().await.expect("json")["read_at"].is_string());
    let after_one =
        get_json(&d, &user, "/api/v1/notifications/unread-count").await["unread"].as_i64().expect("n");
    assert_eq!(after_one, count - 1);
    let r = d
        .send(
            &bob,
            Method::POST,
            &format!("/api/v1/notifications/{}/read", pushed["id"].as_str().expect("id")),
            None,
        )
        .await;
    assert_eq!(r.status(), 404, "another user's notification");
    let r = d.send(&user, Method::POST, "/api/v1/notifications/read-all", None).await;
    assert_eq!(r.json::<Value>().await.expect("json")["unread"], 0);

    let new = events_until(&d, &user, "finding.new", seq, |e| !e.is_empty()).await;
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["data"]["advisory"], ADDED);
    assert_eq!(new[0]["data"]["purl"], "pkg:pypi/lxml@4.6.2");
    assert_eq!(new[0]["data"]["scan"], scan.as_str(), "the latest scan, re-matched in place");
    assert_eq!(new[0]["project"], pid.as_str());
    assert!(new[0]["severity"].is_string());
    let updated = events_of(&d, &user, "vulndb.updated", seq).await;
    assert_eq!(updated.len(), 1, "once per change per tenant: {updated:?}");
    assert_eq!(updated[0]["data"]["source"], "newer");
    assert_eq!(updated[0]["data"]["records"], 1);
    let generation = updated[0]["data"]["generation"].as_str().expect("generation").to_owned();
    let status = get_json(&d, &user, "/api/v1/vulndb/status").await;
    assert_eq!(status["snapshot"], generation.as_str(), "{status}");
    assert_eq!(events_of(&d, &ops, "vulndb.updated", 0).await.len(), 1, "every tenant hears of it");

    // The project's findings now hold it, with the triage of the others carried over.
    let after = project_findings(&d, &user, &pid).await;
    assert_eq!(of_advisory(&after, ADDED).len(), 1, "{after:?}");
    assert_eq!(after.len(), before.len() + 1);
    let kept = after.iter().find(|f| f["id"] == lxml["id"]).expect("kept");
    assert_eq!(kept["triage"]["state"], "in_triage", "{kept}");
    assert_eq!(kept["triage"]["note"], "ours");
    let component = all_items(&d, &user, &format!("/api/v1/scans/{scan}/components"), 1000)
        .await
        .into_iter()
        .find(|c| c["purl"] == "pkg:pypi/lxml@4.6.2")
        .expect("lxml");
    assert_eq!(
        component["findings"].as_u64(),
        Some(lxml_count(&after)),
        "the component counts its open findings"
    );

    // The source removed: the finding resolves (kept with resolved_at, out of the lists).
    let seq = latest_seq(&d, &user).await;
    let r = d.send(&ops, Method::DELETE, "/api/v1/admin/vulndb/sources/newer", None).await;
    assert_eq!(r.status(), 200);
    let resolved = events_until(&d, &user, "finding.resolved", seq, |e| !e.is_empty()).await;
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0]["data"]["advisory"], ADDED);
    let reason = resolved[0]["data"]["reason"].as_str().expect("reason");
    assert!(reason.contains("no longer supports"), "{reason}");
    let now = project_findings(&d, &user, &pid).await;
    assert!(of_advisory(&now, ADDED).is_empty());
    assert_eq!(now.len(), before.len());
    let component = all_items(&d, &user, &format!("/api/v1/scans/{scan}/components"), 1000)
        .await
        .into_iter()
        .find(|c| c["purl"] == "pkg:pypi/lxml@4.6.2")
        .expect("lxml");
    assert_eq!(component["findings"].as_u64(), Some(lxml_count(&now)), "its count follows the resolution");
    assert!(events_of(&d, &user, "finding.new", seq).await.is_empty(), "nothing else changed");

    // A data change, then kill -9 at once: the re-match job is durable; after the restart it runs
    // (or ran) once, and the finding is reopened once — no doubled rows or events.
    let seq = latest_seq(&d, &user).await;
    import_added(&d, &ops).await;
    d.kill9();
    d.restart().await;
    let new = events_until(&d, &user, "finding.new", seq, |e| !e.is_empty()).await;
    assert_eq!(new.len(), 1, "{new:?}");
    let last = project_findings(&d, &user, &pid).await;
    assert_eq!(of_advisory(&last, ADDED).len(), 1, "{last:?}");
    assert_eq!(last.len(), before.len() + 1);
    assert_eq!(
        of_advisory(&last, ADDED)[0]["id"],
        of_advisory(&after, ADDED)[0]["id"],
        "the closed finding is reopened, not doubled"
    );
    let kept = last.iter().find(|f| f["id"] == lxml["id"]).expect("kept");
    assert_eq!(kept["triage"]["state"], "in_triage");
});

fn lxml_count(items: &[Value]) -> u64 {
    items.iter().filter(|f| f["purl"] == "pkg:pypi/lxml@4.6.2").count() as u64
}

/// The project's open findings; the totals (kept per scan, not counted per request) follow
/// every re-match, for the project and for the tenant (one project here).
async fn project_findings(d: &Daemon, who: &Session, project: &str) -> Vec<Value> {
    let page = get_json(d, who, &format!("/api/v1/findings?project={project}&limit=1000")).await;
    let items = page["items"].as_array().cloned().expect("items");
    assert_eq!(page["total"], items.len(), "the project's total");
    let tenant = get_json(d, who, "/api/v1/findings?limit=1").await;
    assert_eq!(tenant["total"], items.len(), "the tenant's total");
    items
}

/// The shared corpus (`CAIRN_CORPUS`, else `../shared/corpus` beside the repository, else
/// /work/shared/corpus), as scripts/bench-findings.sh finds it.
fn corpus() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates =
        [std::env::var_os("CAIRN_CORPUS").map(PathBuf::from), Some(repo.join("../shared/corpus"))];
    candidates
        .into_iter()
        .flatten()
        .chain([PathBuf::from("/work/shared/corpus")])
        .find(|p| p.join("lockfiles").is_dir())
        .expect("no shared corpus (set CAIRN_CORPUS)")
}

/// Copies every row of `table` whose `key` is `from` through a temporary table, changing columns
/// with `set` (an `UPDATE … SET` list over `$1`, `$2`, … bound to `binds`): the copy keeps each
/// row's other columns, whatever the migrations added.
async fn copy_rows(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    key: &str,
    from: &str,
    set: &str,
    binds: &[&str],
) -> u64 {
    use sqlx::Executor;
    conn.execute("DROP TABLE IF EXISTS bench_copy").await.expect("drop");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TEMP TABLE bench_copy AS SELECT * FROM {table} WHERE {key} = $1"
    )))
    .bind(from)
    .execute(&mut *conn)
    .await
    .expect("copy out");
    let mut update = sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE bench_copy SET {set}")));
    for b in binds {
        update = update.bind(*b);
    }
    update.execute(&mut *conn).await.expect("rename");
    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {table} SELECT * FROM bench_copy")))
        .execute(&mut *conn)
        .await
        .expect("copy in")
        .rows_affected()
}
/// Benchmark (ignored; numbers in docs/benchmarks.md): re-matching 50 projects whose latest
/// completed scans each hold the stored inventory of every corpus lockfile (one real scan through
/// the pipeline, its rows copied to 49 more projects with SQL: generated rows, never committed)
/// after a data change. Old data: the corpus's RustSec and Go advisories; the change: its PyPA
/// advisories imported as a source of their own. Timed: `jobs::rematch::rematch_tenant`, end to
/// end. `CAIRN_TEST_POSTGRES_URL` set: on Postgres, else SQLite.
/// Run: `cargo test --workspace --locked --release --test daemon -- --ignored --nocapture rematch::rematch_benchmark`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn rematch_benchmark() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::Instant;

    use cairn_daemon::jobs::pipeline::{self, Outcome};
    use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
    use cairn_daemon::store::NewScan;
    use cairn_daemon::vulndb::import::{ImportItem, import};
    use cairn_sdk::types::{CreateProject, ProjectKind, ScanId, ScanSource};
    use sqlx::Connection;

    const PROJECTS: usize = 50;
    let db = if crate::harness::postgres_server().is_some() { Db::Postgres } else { Db::Sqlite };
    let corpus = corpus();
    let dir = tempfile::tempdir().expect("dir");
    let (root, tree) = tree_root();
    let tree = tree.join("corpus-lockfiles");
    copy_dir(&corpus.join("lockfiles"), &tree);
    let (state, _pg) = crate::harness::in_process_state(db, dir.path(), &[root.path().to_path_buf()]).await;
    let osv = corpus.join("osv");
    let old = vec![
        ImportItem::from_path(&osv.join("rustsec"), Some("rustsec")),
        ImportItem::from_path(&osv.join("go"), Some("go")),
    ];
    let change = import(&state.store, &state.config.vulndb, &state.vulndb, old).await.expect("old data");
    assert!(change.failed.is_empty(), "{:?}", change.failed);

    let user = state.store.user_create("bench@example.test", "bench", None, false).await.expect("user");
    let tenant = state.store.tenant_create("bench", user.id).await.expect("tenant");
    let mut projects = Vec::new();
    for i in 0..PROJECTS {
        let p = CreateProject {
            name: format!("bench-{i:02}"),
            kind: ProjectKind::Repo,
            repo_url: None,
            default_ref: None,
            team_id: None,
            tags: vec![],
        };
        projects.push(state.store.project_create(tenant, &p).await.expect("project"));
    }

    // One real scan of every corpus lockfile, through the pipeline.
    let start = Instant::now();
    let new = NewScan {
        project: Some(projects[0].id),
        version: None,
        source: ScanSource::Path { path: tree.display().to_string() },
        requested_by: Some(user.id),
        crypto: false,
    };
    let payload = JobPayload { source: JobSource::Path { path: tree.clone() }, crypto: false };
    let scan = enqueue(&state, tenant, &new, &payload, None).await.expect("enqueue");
    let job = state.store.job_claim("bench/0").await.expect("claim").expect("a job");
    assert_eq!(job.scan, scan.id);
    assert_eq!(pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await, Outcome::Completed);
    let scanned = start.elapsed();

    // Its rows, as 49 more projects' latest completed scans.
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&state.config.database_url).await.expect("connect");
    let source = scan.id.to_string();
    let (mut components, mut findings) = (0, 0);
    for (i, p) in projects.iter().enumerate().skip(1) {
        let (id, project, suffix) = (ScanId::new().to_string(), p.id.to_string(), format!("-copy{i:02}"));
        copy_rows(&mut conn, "scans", "id", &source, "id = $1, project_id = $2", &[&id, &project]).await;
        components += copy_rows(
            &mut conn,
            "components",
            "scan_id",
            &source,
            "scan_id = $1, id = id || $2",
            &[&id, &suffix],
        )
        .await;
        copy_rows(&mut conn, "scan_bom_inputs", "scan_id", &source, "scan_id = $1", &[&id]).await;
        findings += copy_rows(
            &mut conn,
            "findings",
            "scan_id",
            &source,
            "scan_id = $1, project_id = $2, id = id || $3, component_id = component_id || $3",
            &[&id, &project, &suffix],
        )
        .await;
        copy_rows(&mut conn, "scan_finding_counts", "scan_id", &source, "scan_id = $1", &[&id]).await;
    }
    conn.close().await.expect("close");
    let per_scan = state.store.scan_component_ids(tenant, scan.id).await.expect("components").len();
    assert_eq!(components as usize, per_scan * (PROJECTS - 1), "every copy holds the scan's components");
    let findings_before = findings as usize / (PROJECTS - 1);

    // The data change: the corpus's PyPA advisories, a source of their own.
    let start = Instant::now();
    let newer = vec![ImportItem::from_path(&osv.join("pypa"), Some("pypa"))];
    let change = import(&state.store, &state.config.vulndb, &state.vulndb, newer).await.expect("newer data");
    assert!(change.failed.is_empty(), "{:?}", change.failed);
    let imported = start.elapsed();

    let start = Instant::now();
    let totals = cairn_daemon::jobs::rematch::rematch_tenant(&state, tenant).await.expect("re-match");
    let rematched = start.elapsed();
    assert_eq!((totals.scans, totals.skipped), (PROJECTS, 0), "{totals:?}");
    assert!(
        totals.new > 0 && totals.new % PROJECTS == 0,
        "the same new findings in every project: {totals:?}"
    );
    let matched = per_scan * PROJECTS;
    println!(
        "rematch ({}): {PROJECTS} projects × {per_scan} components (one pipeline scan in {scanned:?}, {findings_before} \
         findings each before); data change imported in {imported:?}; rematch_tenant {rematched:?}: {matched} components \
         matched ({:.0}/s), {} findings written ({} new, {} resolved)",
        state.store.backend().name(),
        matched as f64 / rematched.as_secs_f64(),
        totals.new + totals.resolved,
        totals.new,
        totals.resolved,
    );
}

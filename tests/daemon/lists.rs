//! Every list's statements as the database plans them (issue 22): no list reads the findings or
//! components table whole, and none sorts outside an index, on SQLite and on Postgres. The plans
//! come from the store, which builds them with the functions the lists run. And what the lists
//! derive per row instead of storing (an advisory's summary from its details) stays right.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, Opts, postgres_server, server_with_db, unique_email, uuid_simple};
use crate::scans::get_json;

both!(list_statements_walk_indexes, |db: Db| async move {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, pg) = match db {
        Db::Sqlite => (format!("sqlite://{}", dir.path().join("cairnd.db").display()), None),
        Db::Postgres => {
            let server = postgres_server().expect("server");
            let name = format!("cairn_plans_{}", uuid_simple());
            cairn_daemon::store::create_postgres_database(&server, &name).await.expect("create database");
            (server_with_db(&server, &name), Some((server, name)))
        }
    };
    let store = cairn_daemon::store::Store::connect(&url).await.expect("store");
    store.migrate().await.expect("migrate");
    let plans = store.list_plans().await.expect("plans");
    store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
    assert!(plans.iter().any(|p| p.name.starts_with("findings page")), "the findings list is checked");
    assert!(plans.iter().all(|p| !p.lines.is_empty()), "every statement has a plan");
    // One scan's findings are read by a scan index, not by walking the tenant's.
    let by_scan = plans.iter().find(|p| p.name == "findings page, scan").expect("the scan variant");
    assert!(
        by_scan.lines.iter().any(|l| l.contains("findings_open_scan") || l.contains("findings_scan")),
        "{:?}",
        by_scan.lines
    );
    // A statement about one scan reaches its rows by a scan index: an index on the tenant alone
    // would walk every scan's rows of the tenant (SQLite took `components_tenant_name` so).
    for p in plans.iter().filter(|p| p.name.starts_with("scan ")) {
        let by_tenant_only = p.lines.iter().find(|l| l.contains("USING") && l.ends_with("(tenant_id=?)"));
        assert!(by_tenant_only.is_none(), "{}: {:?}", p.name, p.lines);
    }
    let bad: Vec<String> = plans
        .iter()
        .filter(|p| !p.problems.is_empty())
        .map(|p| format!("{}: {:?}\n  {}", p.name, p.problems, p.lines.join("\n  ")))
        .collect();
    assert!(bad.is_empty(), "list statements that scan or sort:\n{}", bad.join("\n"));
});

// PYSEC-2020-102 has no summary: both findings lists summarise it by the first line of the stored
// record's details, derived once and then served from memory for the same record version.
both!(a_missing_summary_is_the_first_line_of_the_records_details, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    // salt 3000.1: affected by PYSEC-2020-102 and PYSEC-2020-105 (cra.rs's fixture).
    std::fs::write(tree.join("requirements.txt"), "salt==3000.1\n").expect("write");
    let osv = crate::cra::fixtures().join("osv");
    // The start of the record's details (fixtures/kev/osv/salt/PYSEC-2020-102.yaml, one folded
    // paragraph longer than a summary's 160 characters).
    let details = "An issue was discovered in SaltStack Salt before 2019.2.4 and 3000 before 3000.2. \
                   The salt-master process ClearFuncs class does not properly validate method calls.";
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv], ..Opts::default() },
    )
    .await;
    let admin = d.register(&unique_email("summaries")).await;
    let project = d.create_project(&admin, "salt").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let body = json!({"source": {"kind": "path", "path": tree}, "project": pid, "crypto": false});
    let resp = d.send(&admin, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202);
    let scan = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = crate::ws::follow(&d, &scan, &admin).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{}", d.stderr());

    let summary_in = |page: &Value| {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|f| f["vulnerability_id"] == "PYSEC-2020-102")
            .unwrap_or_else(|| panic!("PYSEC-2020-102 listed: {page}"))["summary"]
            .as_str()
            .map(str::to_owned)
    };
    // Twice: derived from the record, then from memory.
    for _ in 0..2 {
        let page = get_json(&d, &admin, "/api/v1/findings?limit=100").await;
        let summary = summary_in(&page).expect("a summary");
        let kept = summary.strip_suffix('…').unwrap_or_else(|| panic!("{summary:?} is cut"));
        assert!(details.starts_with(kept) && kept.len() > 100, "{summary:?} is not the start of {details:?}");
        let of_scan = get_json(&d, &admin, &format!("/api/v1/scans/{scan}/findings?limit=100")).await;
        assert_eq!(summary_in(&of_scan), Some(summary));
    }
});

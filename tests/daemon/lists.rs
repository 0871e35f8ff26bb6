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

// The list reads a page as one JSON text the database aggregates (issue 22), and the caller in one
// statement. Every field of every listed finding is what the detail reads row by row, on both
// backends: a person's triage with their email, a rule's with its source, a KEV mark, a summary
// derived from the record's details, CVSS scores, fixed versions, a note with quotes and a newline.
both!(every_listed_finding_is_its_detail_field_for_field, |db: Db| async move {
    let (root, tree) = crate::scans::tree_root();
    std::fs::create_dir_all(tree.join("more")).expect("mkdir");
    // salt 3000.1: PYSEC-2020-102 (no summary; CVE-2020-11651, KEV-listed) and PYSEC-2020-105;
    // lxml and py: further advisories of the engine's fixtures.
    std::fs::write(tree.join("more/requirements.txt"), "salt==3000.1\nlxml==4.6.2\npy==1.11.0\n")
        .expect("write");
    let kev = crate::cra::fixtures().join("known_exploited_vulnerabilities.json");
    // The salt records as a source of their own (a source is named after its directory).
    let salt = root.path().join("salt-advisories");
    std::fs::create_dir_all(&salt).expect("mkdir");
    for entry in std::fs::read_dir(crate::cra::fixtures().join("osv/salt")).expect("salt records") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, salt.join(path.file_name().expect("name"))).expect("copy");
    }
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![crate::findings::osv(), salt, kev],
            ..Opts::default()
        },
    )
    .await;
    let admin = d.register(&unique_email("aggregated")).await;
    let pid = d.create_project(&admin, "app").await["id"].as_str().expect("pid").to_owned();
    crate::findings::scan_to_completion(&d, &admin, &tree, Some(&pid)).await;
    let before = crate::scans::all_items(&d, &admin, "/api/v1/findings", 3).await;
    assert!(before.len() >= 6, "{before:?}");
    // A person's triage on one finding, a rule's on another advisory.
    let person = &before[0];
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{}", person["id"].as_str().expect("id"))))
        .bearer_auth(&admin.token)
        .header("if-match", "\"0\"")
        .json(&json!({"state": "affected", "response": "update", "note": "a \"quoted\" note\nover two lines ✓"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(resp.status(), 200);
    let other = before.iter().find(|f| f["vulnerability_id"] != person["vulnerability_id"]).expect("another");
    let resp = d
        .send(
            &admin,
            Method::POST,
            "/api/v1/triage-rules",
            Some(json!({"vulnerability": other["vulnerability_id"], "purl": unversioned(&other["purl"]),
                "state": "not_affected", "justification": "component_not_present"})),
        )
        .await;
    assert_eq!(resp.status(), 201);

    // A key's caller and a session's read the same list.
    let key = d.api_key(&admin, &["scan:read"]).await;
    let email = get_json(&d, &admin, "/api/v1/auth/me").await["user"]["email"].clone();
    for who in [&admin, &key] {
        let listed = crate::scans::all_items(&d, who, "/api/v1/findings", 4).await;
        assert_eq!(listed.len(), before.len());
        for item in &listed {
            let id = item["id"].as_str().expect("id");
            let mut detail = get_json(&d, who, &format!("/api/v1/findings/{id}")).await;
            // Only the detail carries the advisory's text.
            let detail_obj = detail.as_object_mut().expect("object");
            detail_obj.remove("details");
            detail_obj.remove("references");
            assert_eq!(item, &detail, "listed and detail of {id}");
        }
        let on = |pred: &dyn Fn(&Value) -> bool| listed.iter().filter(|f| pred(f)).count();
        assert!(on(&|f| f["triage"]["updated_by_email"] == email) >= 1, "{listed:?}");
        assert!(on(&|f| f["triage"]["source"]["kind"] == "rule") >= 1, "{listed:?}");
        assert!(on(&|f| f["known_exploited"]["cve_id"] == "CVE-2020-11651") >= 1, "{listed:?}");
        assert!(on(&|f| f["vulnerability_id"] == "PYSEC-2020-102" && f["summary"].is_string()) >= 1);
        assert!(on(&|f| f["cvss_score"].is_f64()) >= 1, "{listed:?}");
        assert!(on(&|f| f["fixed_version"].is_string()) >= 1, "{listed:?}");
    }
});

/// A purl without its version (what a triage rule names).
fn unversioned(purl: &Value) -> String {
    let purl = purl.as_str().expect("purl");
    purl.split_once('@').map_or(purl, |(base, _)| base).to_owned()
}

// Statements per request (issue 22), counted in the daemon's statement log by request id: a
// findings page reads the caller (key or session, owner, memberships) in one statement and the
// page with its total and its KEV marks in one; on Postgres the shared rate bucket is one more.
// Before, the caller took three statements, the total, the page and the KEV marks one each.
both!(a_findings_page_costs_two_statements, |db: Db| async move {
    let (root, tree) = crate::scans::tree_root();
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![crate::findings::osv()],
            log: "info,sqlx::query=trace",
            ..Opts::default()
        },
    )
    .await;
    let admin = d.register(&unique_email("statements")).await;
    let pid = d.create_project(&admin, "app").await["id"].as_str().expect("pid").to_owned();
    crate::findings::scan_to_completion(&d, &admin, &tree, Some(&pid)).await;
    let key = d.api_key(&admin, &["scan:read"]).await;
    // A key's first use records `last_used_at` (a write, once a minute), and a summary-less
    // advisory's summary is derived once: neither is the steady cost.
    get_json(&d, &key, "/api/v1/findings?limit=100").await;
    for (who, name) in [(&key, "API key"), (&admin, "session")] {
        let request = format!("statements-{}", uuid_simple());
        let resp = d
            .http
            .get(d.url("/api/v1/findings?limit=100"))
            .bearer_auth(&who.token)
            .header("x-request-id", &request)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 200);
        let page: Value = resp.json().await.expect("json");
        let items = page["items"].as_array().expect("items");
        assert!(!items.is_empty());
        let cve_named = items.iter().any(|f| {
            std::iter::once(&f["vulnerability_id"])
                .chain(f["aliases"].as_array().into_iter().flatten())
                .any(|n| n.as_str().is_some_and(|n| n.starts_with("CVE-")))
        });
        let log = d.stderr();
        let statements: Vec<&str> =
            log.lines().filter(|l| l.contains(&request) && l.contains("sqlx::query")).collect();
        assert!(cve_named, "the page names CVEs, so KEV entries are looked up: {items:?}");
        let want = 2 + usize::from(matches!(db, Db::Postgres));
        assert_eq!(statements.len(), want, "{name}: {statements:#?}");
    }
});

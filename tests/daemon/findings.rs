//! Findings and triage on real daemons: the tenant-wide list with every filter and cursor paging,
//! one finding with the advisory's details, triage with If-Match (428, 412 with the current
//! version), the VEX rules as field errors, viewers refused; triage surviving a re-scan and kept
//! per scan for ad-hoc scans; documents stating the triage and still valid; project risk equal to
//! the scan's numbers; a scan's dependency edges equal to the engine's.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cairn_engine::vuln::Advisory;
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::scans::{all_items, get_json, tree_root};
use crate::schema::validate;
use crate::ws::follow;

/// The advisories `cairnd vulndb import` loads (the engine's fixtures).
pub fn osv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/osv")
}

/// Submits a path scan (of `project` when given) and follows it to the end.
pub async fn scan_to_completion(d: &Daemon, who: &Session, tree: &Path, project: Option<&str>) -> String {
    let mut body = json!({"source": {"kind": "path", "path": tree}, "crypto": false});
    if let Some(p) = project {
        body["project"] = json!(p);
    }
    let resp = d.send(who, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202, "submit");
    let id = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = follow(d, &id, who).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{}", d.stderr());
    id
}

async fn patch(
    d: &Daemon,
    who: &Session,
    id: &str,
    if_match: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut req = d.http.patch(d.url(&format!("/api/v1/findings/{id}"))).bearer_auth(&who.token).json(&body);
    if let Some(m) = if_match {
        req = req.header("if-match", m);
    }
    req.send().await.expect("send")
}

fn etag(resp: &reqwest::Response) -> String {
    resp.headers().get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned()
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items.iter().map(|f| f["id"].as_str().expect("id").to_owned()).collect()
}

fn key(f: &Value) -> (String, String) {
    (f["vulnerability_id"].as_str().expect("vuln").to_owned(), f["purl"].as_str().expect("purl").to_owned())
}

async fn document(d: &Daemon, who: &Session, path: &str, format: &str) -> (Value, String) {
    let resp = d.send(who, Method::GET, &format!("{path}?format={format}"), None).await;
    assert_eq!(resp.status(), 200, "{path} {format}");
    let tag = etag(&resp);
    let doc: Value = resp.json().await.expect("document json");
    let errors = validate(format, &doc);
    assert!(errors.is_empty(), "{format} invalid: {errors:?}");
    (doc, tag)
}

/// The OpenVEX statement on (advisory, purl).
fn statement<'a>(doc: &'a Value, (vuln, purl): &(String, String)) -> &'a Value {
    doc["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["vulnerability"]["name"] == vuln.as_str() && s["products"][0]["@id"] == purl.as_str())
        .unwrap_or_else(|| panic!("a statement on {vuln} {purl}: {doc}"))
}

/// The CycloneDX analysis of the vulnerability entry affecting (advisory, purl).
fn analysis(doc: &Value, (vuln, purl): &(String, String)) -> Value {
    let refs: Vec<&Value> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["purl"] == purl.as_str())
        .map(|c| &c["bom-ref"])
        .collect();
    doc["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .find(|v| {
            v["id"] == vuln.as_str()
                && v["affects"].as_array().is_some_and(|a| a.iter().any(|x| refs.contains(&&x["ref"])))
        })
        .map(|v| v["analysis"].clone())
        .unwrap_or_else(|| panic!("a vulnerability {vuln} on {purl}"))
}

both!(findings_list_filter_triage_and_documents, |db: Db| async move {
    let (root, tree) = tree_root();
    // Versions the fixture advisories name, for findings across severities and components.
    std::fs::create_dir_all(tree.join("more")).expect("mkdir");
    std::fs::write(tree.join("more/requirements.txt"), "lxml==4.6.2\npy==1.11.0\n").expect("write");
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv()], ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("triager")).await;
    let viewer = d.invite(&user, &unique_email("viewer"), "viewer").await;
    let project = d.create_project(&user, "app").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let scan = scan_to_completion(&d, &user, &tree, Some(&pid)).await;

    // The list is the latest scan's findings, paged by cursor; every item untriaged.
    let of_scan = all_items(&d, &user, &format!("/api/v1/scans/{scan}/findings"), 100).await;
    assert!(of_scan.len() >= 3, "the fixture tree has known vulnerabilities: {of_scan:?}");
    let listed = all_items(&d, &user, "/api/v1/findings", 2).await;
    assert_eq!(ids(&listed), ids(&of_scan));
    assert_eq!(listed.len(), of_scan.len(), "no finding twice across pages");
    assert!(listed.iter().all(|f| f["triage"].is_null() && f["scan_id"] == scan.as_str()));
    let first = get_json(&d, &user, "/api/v1/findings?limit=2").await;
    assert_eq!(first["total"], of_scan.len());
    assert!(first["next_cursor"].is_string());

    // Every filter narrows to exactly the matching findings.
    let f0 = listed[0].clone();
    let (vuln, purl) = key(&f0);
    let sev = f0["severity"].as_str().expect("severity").to_owned();
    let count = |pred: &dyn Fn(&Value) -> bool| listed.iter().filter(|f| pred(f)).count();
    for (query, want) in [
        (format!("severity={sev}"), count(&|f| f["severity"] == sev.as_str())),
        (format!("vulnerability={vuln}"), count(&|f| f["vulnerability_id"] == vuln.as_str())),
        (format!("purl={}", urlencoding(&purl)), count(&|f| f["purl"] == purl.as_str())),
        (format!("project={pid}"), listed.len()),
        (format!("scan={scan}"), listed.len()),
        ("state=untriaged".into(), listed.len()),
        ("state=affected".into(), 0),
    ] {
        let page = get_json(&d, &user, &format!("/api/v1/findings?{query}&limit=1000")).await;
        assert_eq!(page["total"], want, "{query}");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(want), "{query}");
    }
    // Filters combined (project + severity + state, each a bound value) and paged by cursor one
    // finding a page: exactly the findings of that severity, none twice.
    let busiest = ["critical", "high", "medium", "low", "unknown"]
        .into_iter()
        .max_by_key(|s| count(&|f| f["severity"] == *s))
        .expect("a severity");
    let want: Vec<Value> = listed.iter().filter(|f| f["severity"] == busiest).cloned().collect();
    assert!(want.len() >= 2, "two pages at least: {listed:?}");
    let base = format!("/api/v1/findings?project={pid}&severity={busiest}&state=untriaged&limit=1");
    let mut combined: Vec<Value> = Vec::new();
    let mut url = base.clone();
    loop {
        let page = get_json(&d, &user, &url).await;
        assert_eq!(page["total"], want.len(), "{url}");
        combined.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("{base}&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(combined.len(), want.len(), "no finding twice across pages");
    assert_eq!(ids(&combined), ids(&want));
    for (query, field) in [
        ("severity=dire", "query.severity"),
        ("state=ignored", "query.state"),
        ("project=nope", "query.project"),
        ("scan=nope", "query.scan"),
        ("cursor=%%%", "query.cursor"),
        ("limit=0", "query.limit"),
        ("vulnerability=", "query.vulnerability"),
    ] {
        let resp = d.send(&user, Method::GET, &format!("/api/v1/findings?{query}"), None).await;
        let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
    }

    // Detail: the advisory's text from the imported record, ETag "0" before any triage.
    let fid = f0["id"].as_str().expect("id").to_owned();
    let resp = d.send(&user, Method::GET, &format!("/api/v1/findings/{fid}"), None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(etag(&resp), "\"0\"");
    let detail: Value = resp.json().await.expect("json");
    let record = osv_record(&vuln);
    assert_eq!(detail["details"], record["details"], "details from the OSV record");
    let want_refs: Vec<Value> = record["references"]
        .as_array()
        .map(|r| r.iter().map(|x| x["url"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(detail["references"].as_array().cloned().unwrap_or_default(), want_refs);
    expect_problem(d.send(&user, Method::GET, "/api/v1/findings/nope", None).await, 404, "NOT_FOUND").await;

    // Triage: If-Match required, the VEX rules, viewers refused.
    let body = json!({"state": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
        "note": "only the CLI uses it"});
    expect_problem(patch(&d, &user, &fid, None, body.clone()).await, 428, "PRECONDITION_REQUIRED").await;
    expect_problem(patch(&d, &viewer, &fid, Some("\"0\""), body.clone()).await, 403, "FORBIDDEN").await;
    for (bad, field) in [
        (json!({"note": "x"}), "body.state"),
        (json!({"state": "not_affected"}), "body.justification"),
        (json!({"state": "false_positive", "note": "  "}), "body.justification"),
        (json!({"state": "affected", "note": "x".repeat(4001)}), "body.note"),
        (json!({"state": "ignored"}), "body.state"),
    ] {
        let p = expect_problem(
            patch(&d, &user, &fid, Some("\"0\""), bad.clone()).await,
            400,
            "VALIDATION_FAILED",
        )
        .await;
        assert!(p["errors"].as_array().expect("errors").iter().any(|e| e["field"] == field), "{bad}: {p}");
    }
    let resp = patch(&d, &user, &fid, Some("\"0\""), body).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(etag(&resp), "\"1\"");
    let triaged: Value = resp.json().await.expect("json");
    let t = &triaged["triage"];
    assert_eq!(
        (t["state"].as_str(), t["justification"].as_str(), t["note"].as_str(), t["version"].as_i64()),
        (
            Some("not_affected"),
            Some("vulnerable_code_not_in_execute_path"),
            Some("only the CLI uses it"),
            Some(1)
        )
    );
    assert_eq!(t["updated_by"], user.user_id.as_str());
    // A stale version: 412 naming the current one.
    let p = expect_problem(
        patch(&d, &user, &fid, Some("\"0\""), json!({"state": "affected"})).await,
        412,
        "PRECONDITION_FAILED",
    )
    .await;
    assert_eq!(p["current_version"], 1, "{p}");
    // Absent keeps, null clears.
    let resp = patch(&d, &user, &fid, Some("\"1\""), json!({"response": "will_not_fix"})).await;
    assert_eq!(etag(&resp), "\"2\"");
    let again: Value = resp.json().await.expect("json");
    assert_eq!(again["triage"]["justification"], "vulnerable_code_not_in_execute_path");
    assert_eq!(again["triage"]["response"], "will_not_fix");

    // Each triage is one audit row of the hash chain; refused ones are none.
    let store = cairn_daemon::store::Store::connect(&d.db_url).await.expect("store");
    let rows = store.audit_batch(0, 100_000).await.expect("audit");
    let triages: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "finding.triage" && r.object_id.as_deref() == Some(&fid))
        .collect();
    assert_eq!(triages.len(), 2, "{triages:?}");
    assert!(
        triages
            .iter()
            .all(|r| r.object_type == "finding" && r.actor_user_id.as_deref() == Some(&user.user_id))
    );
    assert!(store.audit_verify().await.expect("verify").ok);
    store.close().await;

    // A second finding affected, a third fixed: the state filter and the project's risk follow.
    let f1 = listed[1]["id"].as_str().expect("id").to_owned();
    let f2 = listed[2]["id"].as_str().expect("id").to_owned();
    let resp =
        patch(&d, &user, &f1, Some("\"0\""), json!({"state": "affected", "note": "upgrade next sprint"}))
            .await;
    assert_eq!(resp.status(), 200);
    let resp = patch(&d, &user, &f2, Some("*"), json!({"state": "fixed"})).await;
    assert_eq!(resp.status(), 200);
    let affected = get_json(&d, &user, "/api/v1/findings?state=affected").await;
    assert_eq!(ids(affected["items"].as_array().expect("items")), BTreeSet::from([f1.clone()]));
    let untriaged = get_json(&d, &user, "/api/v1/findings?state=untriaged&limit=1000").await;
    assert_eq!(untriaged["total"], listed.len() - 3);
    let done = get_json(&d, &user, &format!("/api/v1/scans/{scan}")).await;
    let p = get_json(&d, &user, &format!("/api/v1/projects/{pid}")).await;
    let risk = &p["risk"];
    assert_eq!(risk["scan_id"], scan.as_str(), "{p}");
    assert_eq!(risk["counts"], done["counts"]);
    assert_eq!(risk["scanned_at"], done["finished_at"]);
    assert_eq!(risk["open_findings"], listed.len() - 2, "untriaged and affected are open: {risk}");
    let listed_projects = get_json(&d, &user, "/api/v1/projects").await;
    assert_eq!(listed_projects["items"][0]["risk"], *risk);

    // The documents state the triage and stay valid.
    let k0 = key(&f0);
    let k1 = key(&listed[1]);
    let bom = format!("/api/v1/scans/{scan}/bom");
    let (vex, vex_tag) = document(&d, &user, &bom, "openvex").await;
    let s0 = statement(&vex, &k0);
    assert_eq!(
        (s0["status"].as_str(), s0["justification"].as_str(), s0["impact_statement"].as_str()),
        (Some("not_affected"), Some("vulnerable_code_not_in_execute_path"), Some("only the CLI uses it"))
    );
    let s1 = statement(&vex, &k1);
    assert_eq!(
        (s1["status"].as_str(), s1["action_statement"].as_str()),
        (Some("affected"), Some("upgrade next sprint"))
    );
    assert_eq!(statement(&vex, &key(&listed[2]))["status"], "fixed");
    let (cdx, _) = document(&d, &user, &bom, "cyclonedx").await;
    let a0 = analysis(&cdx, &k0);
    assert_eq!(
        (a0["state"].as_str(), a0["justification"].as_str(), a0["detail"].as_str()),
        (Some("not_affected"), Some("code_not_reachable"), Some("only the CLI uses it"))
    );
    assert_eq!(a0["response"], json!(["will_not_fix"]), "{a0}");
    assert_eq!(analysis(&cdx, &k1)["state"], "exploitable");
    for format in ["spdx", "sarif", "cyclonedx-1.5"] {
        document(&d, &user, &bom, format).await;
    }
    let (sbom_vex, sbom_tag) = document(&d, &user, &format!("/api/v1/projects/{pid}/sbom"), "openvex").await;
    assert_eq!((sbom_vex, sbom_tag), (vex.clone(), vex_tag.clone()), "the project's SBOM is the scan's");
    // Unchanged triage: the same bytes; a change: a new document.
    assert_eq!(document(&d, &user, &bom, "openvex").await.1, vex_tag);
    let resp = patch(&d, &user, &f1, Some("\"1\""), json!({"state": "in_triage"})).await;
    assert_eq!(resp.status(), 200);
    let (vex2, tag2) = document(&d, &user, &bom, "openvex").await;
    assert_ne!(tag2, vex_tag);
    assert_eq!(statement(&vex2, &k1)["status"], "under_investigation");

    // A re-scan: the triage carries over to the same (advisory, purl), documents included.
    let rescan = scan_to_completion(&d, &user, &tree, Some(&pid)).await;
    let now = all_items(&d, &user, "/api/v1/findings", 100).await;
    assert!(now.iter().all(|f| f["scan_id"] == rescan.as_str()), "the list follows the latest scan");
    let carried = now.iter().find(|f| key(f) == k0).expect("the same finding again");
    assert_eq!(carried["triage"]["state"], "not_affected");
    assert_eq!(carried["triage"]["version"], 2);
    assert_eq!(
        get_json(&d, &user, &format!("/api/v1/projects/{pid}")).await["risk"]["scan_id"],
        rescan.as_str()
    );
    let (vex3, _) = document(&d, &user, &format!("/api/v1/scans/{rescan}/bom"), "openvex").await;
    assert_eq!(statement(&vex3, &k0)["status"], "not_affected", "rendered at completion with the triage");
    let old = get_json(&d, &user, &format!("/api/v1/findings?scan={scan}&state=not_affected")).await;
    assert_eq!(old["total"], 1, "an older scan is still reachable by `scan`");

    // Ad-hoc scans (no project) are triaged per scan, apart from the project's triage.
    let adhoc = scan_to_completion(&d, &user, &tree, None).await;
    let page = get_json(&d, &user, &format!("/api/v1/findings?scan={adhoc}&limit=1000")).await;
    let items = page["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), listed.len());
    assert!(items.iter().all(|f| f["triage"].is_null() && f["project_id"].is_null()));
    let same = items.iter().find(|f| key(f) == k0).expect("the same advisory in the ad-hoc scan");
    let aid = same["id"].as_str().expect("id");
    let resp = patch(
        &d,
        &user,
        aid,
        Some("\"0\""),
        json!({"state": "false_positive", "justification": "component_not_present"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let (vex4, _) = document(&d, &user, &format!("/api/v1/scans/{adhoc}/bom"), "openvex").await;
    assert_eq!(statement(&vex4, &k0)["justification"], "component_not_present");
    assert!(
        get_json(&d, &user, "/api/v1/findings").await["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|f| f["scan_id"] == rescan.as_str()),
        "ad-hoc scans stay out of the latest-per-project list"
    );
    let p = get_json(&d, &user, &format!("/api/v1/findings/{}", carried["id"].as_str().expect("id"))).await;
    assert_eq!(
        p["triage"]["justification"], "vulnerable_code_not_in_execute_path",
        "the project's triage is apart"
    );
});

both!(scan_dependencies_are_the_engine_edges, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let cargo = root.path().join("atuin");
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/corpus/cargo/atuinsh__atuin");
    crate::scans::copy_dir(&corpus, &cargo);
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let user = d.register(&unique_email("deps")).await;
    let scan = scan_to_completion(&d, &user, &cargo, None).await;
    let engine = scan_path(&cargo, &ScanOptions::default(), &NoProgress).expect("engine scan");
    let want: BTreeSet<(String, String)> =
        engine.inventory.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
    assert!(want.len() > 100, "a real dependency graph: {}", want.len());
    let path = format!("/api/v1/scans/{scan}/dependencies");
    let items = all_items(&d, &user, &path, 400).await;
    let got: BTreeSet<(String, String)> = items
        .iter()
        .map(|e| (e["from"].as_str().expect("from").to_owned(), e["to"].as_str().expect("to").to_owned()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(items.len(), want.len(), "no edge twice across pages");
    assert_eq!(get_json(&d, &user, &format!("{path}?limit=1")).await["total"], want.len());
});

/// The fixture's OSV record of `id`.
fn osv_record(id: &str) -> Value {
    fn walk(dir: &Path, id: &str) -> Option<Value> {
        for entry in std::fs::read_dir(dir).ok()? {
            let path = entry.ok()?.path();
            if path.is_dir() {
                if let Some(v) = walk(&path, id) {
                    return Some(v);
                }
            } else if path.file_stem().and_then(|s| s.to_str()) == Some(id) {
                let bytes = std::fs::read(&path).ok()?;
                let advisory = if path.extension().is_some_and(|e| e == "json") {
                    Advisory::from_json(&bytes)
                } else {
                    Advisory::from_yaml(&bytes)
                };
                return serde_json::to_value(advisory.ok()?).ok();
            }
        }
        None
    }
    walk(&osv(), id).unwrap_or_else(|| panic!("fixture record {id}"))
}

fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// Issue 15: a real advisory scored CVSS 0.0 (RUSTSEC-2026-0023, all impacts None) is `none` in the
// stored finding, both findings lists and their filters, and the scan's counts, as the engine
// says (engine/tests/fixtures/cvss-zero/SOURCE.md); before, the daemon said `low`.
both!(cvss_zero_is_none_over_the_api, |db: Db| async move {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/cvss-zero");
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    std::fs::copy(fixture.join("tree/Cargo.lock"), tree.join("Cargo.lock")).expect("copy");
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![fixture.join("osv")],
            ..Opts::default()
        },
    )
    .await;
    let user = d.register(&unique_email("zero")).await;
    let scan = scan_to_completion(&d, &user, &tree, None).await;

    let items = all_items(&d, &user, &format!("/api/v1/scans/{scan}/findings"), 100).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        (
            items[0]["vulnerability_id"].as_str(),
            items[0]["severity"].as_str(),
            items[0]["cvss_score"].as_f64()
        ),
        (Some("RUSTSEC-2026-0023"), Some("none"), Some(0.0))
    );
    for (path, want) in [
        (format!("/api/v1/scans/{scan}/findings?severity=none"), 1),
        (format!("/api/v1/scans/{scan}/findings?severity=low"), 0),
        (format!("/api/v1/findings?scan={scan}&severity=none"), 1),
        (format!("/api/v1/findings?scan={scan}&severity=low"), 0),
    ] {
        assert_eq!(get_json(&d, &user, &path).await["total"], want, "{path}");
    }
    let counts = &get_json(&d, &user, &format!("/api/v1/scans/{scan}")).await["counts"];
    assert_eq!(
        (counts["severities"]["none"].as_u64(), counts["severities"]["low"].as_u64()),
        (Some(1), Some(0)),
        "{counts}"
    );

    // A word that is not a severity is refused by the type, naming the field, on both lists.
    for path in
        [format!("/api/v1/scans/{scan}/findings?severity=dire"), "/api/v1/findings?severity=Low".to_owned()]
    {
        let resp = d.send(&user, Method::GET, &path, None).await;
        let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(p["errors"][0]["field"], "query.severity", "{path}: {p}");
        assert!(p["errors"][0]["message"].as_str().is_some_and(|m| m.contains("critical")), "{path}: {p}");
    }
});

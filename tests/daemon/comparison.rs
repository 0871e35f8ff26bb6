//! Comparison, history and where-used on real daemons (SQLite and Postgres): two scans of two
//! dated versions of python-poetry's real `poetry.lock` (engine fixtures, from the shared corpus)
//! compared over the API equal the engine's own comparison of the same files, with planted
//! advisories new, fixed and still open, and the stored gates compared (fail before, not failing
//! once the later scan's findings are triaged); the version comparison; the history series; "where is
//! requests used" across three projects answering file and line for each, the line found in the
//! test by reading the file; a project's filtered components; the advisories affecting the tenant
//! and one advisory by alias with its affected projects and their triage.

use std::path::{Path, PathBuf};

use cairn_engine::bom::BomInput;
use cairn_engine::diff::{Side, compare};
use cairn_engine::policy::GateResult;
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::findings::scan_to_completion;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::scans::get_json;
use crate::ws::follow;

fn poetry(history: bool) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures/corpus/poetry/python-poetry__poetry");
    if history { dir.join("history-5f51951f5f/poetry.lock") } else { dir.join("poetry.lock") }
}

/// From /work/shared/corpus/lockfiles/pip/pypi__warehouse/requirements/main.txt (engine fixture).
fn warehouse_requirements() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures/corpus/pip/pypi__warehouse/requirements/main.txt")
}

fn planted(id: &str, package: &str, introduced: &str, fixed: Option<&str>) -> Value {
    let mut events = vec![json!({"introduced": introduced})];
    if let Some(f) = fixed {
        events.push(json!({"fixed": f}));
    }
    json!({
        "schema_version": "1.7.0", "id": id, "modified": "2026-01-01T00:00:00Z",
        "summary": format!("planted advisory for {package}"),
        "aliases": [format!("CVE-2099-{}", id.len() * 1000 + package.len())],
        "database_specific": {"severity": "HIGH"},
        "affected": [{"package": {"ecosystem": "PyPI", "name": package},
            "ranges": [{"type": "ECOSYSTEM", "events": events}]}]
    })
}

/// A directory of planted OSV records: fixed by the requests upgrade, introduced by the
/// cryptography upgrade, open across the pyyaml upgrade.
fn planted_osv(root: &Path) -> PathBuf {
    let dir = root.join("planted-osv");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (id, pkg, intro, fixed) in [
        ("PLANT-FIXED-1", "requests", "0", Some("2.30.0")),
        ("PLANT-NEW-1", "cryptography", "40.0.0", None),
        ("PLANT-OPEN-1", "pyyaml", "0", Some("99.0")),
    ] {
        std::fs::write(dir.join(format!("{id}.json")), planted(id, pkg, intro, fixed).to_string())
            .expect("write");
    }
    dir
}

fn tree_with(root: &Path, name: &str, file: &Path, as_name: &str) -> PathBuf {
    let tree = root.join(name);
    std::fs::create_dir_all(&tree).expect("mkdir");
    std::fs::copy(file, tree.join(as_name)).expect("copy");
    tree
}

async fn scan_version(d: &Daemon, who: &Session, tree: &Path, project: &str, version: &str) -> String {
    let body = json!({"source": {"kind": "path", "path": tree}, "crypto": false, "project": project, "version": version});
    let resp = d.send(who, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202, "submit");
    let id = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = follow(d, &id, who).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{}", d.stderr());
    id
}

/// The engine's comparison of the two trees, offline, with the same advisories and the daemon's
/// stored gates.
fn engine_comparison(old: &Path, new: &Path, osv: &Path, gates: [&GateResult; 2]) -> Value {
    let db = load_paths(&[osv.to_path_buf()]).expect("planted advisories load");
    let input = |tree: &Path| {
        let scan = scan_path(tree, &ScanOptions::default(), &NoProgress).expect("scan");
        let m = match_inventory(&scan.inventory, &db);
        BomInput::from_scan("x", None, "2026-01-01T00:00:00Z", &scan, Some(&m))
    };
    let (a, b) = (input(old), input(new));
    let side = |i, g| Side { input: i, vulnerabilities_matched: true, crypto_scanned: false, gate: Some(g) };
    serde_json::to_value(compare(&side(&a, gates[0]), &side(&b, gates[1]))).expect("json")
}

fn ids(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|f| (f["id"].as_str().expect("id").to_owned(), f["name"].as_str().expect("name").to_owned()))
        .collect()
}

both!(comparison_of_two_dated_lockfiles_equals_the_engines, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let osv = planted_osv(root.path());
    let old = tree_with(root.path(), "old", &poetry(true), "poetry.lock");
    let new = tree_with(root.path(), "new", &poetry(false), "poetry.lock");
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![osv.clone()],
            ..Opts::default()
        },
    )
    .await;
    let user = d.register(&unique_email("differ")).await;
    let project = d.create_project(&user, "poetry").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let mut versions = Vec::new();
    for name in ["1.1.6", "2.0.0"] {
        let resp = d
            .send(
                &user,
                Method::POST,
                &format!("/api/v1/projects/{pid}/versions"),
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(resp.status(), 201, "version");
        versions.push(resp.json::<Value>().await.expect("v")["id"].as_str().expect("id").to_owned());
    }
    let from = scan_version(&d, &user, &old, &pid, &versions[0]).await;
    let to = scan_version(&d, &user, &new, &pid, &versions[1]).await;

    let got = get_json(&d, &user, &format!("/api/v1/comparison?from={from}&to={to}")).await;
    assert_eq!(
        (got["from_scan"].as_str(), got["to_scan"].as_str()),
        (Some(from.as_str()), Some(to.as_str()))
    );
    let cmp = &got["comparison"];
    let gate_json = |scan: String| {
        let (d, user) = (&d, &user);
        async move { get_json(d, user, &format!("/api/v1/scans/{scan}/gate-result")).await }
    };
    let gates = [gate_json(from.clone()).await, gate_json(to.clone()).await];
    let engine_gates: Vec<GateResult> =
        gates.iter().map(|g| serde_json::from_value(g.clone()).expect("an engine gate")).collect();
    assert_eq!(
        *cmp,
        engine_comparison(&old, &new, &osv, [&engine_gates[0], &engine_gates[1]]),
        "the daemon compares as the engine does"
    );
    assert_eq!(ids(&cmp["findings"]["fixed"]), [("PLANT-FIXED-1".to_owned(), "requests".to_owned())]);
    assert_eq!(ids(&cmp["findings"]["new"]), [("PLANT-NEW-1".to_owned(), "cryptography".to_owned())]);
    assert_eq!(ids(&cmp["findings"]["still_open"]), [("PLANT-OPEN-1".to_owned(), "pyyaml".to_owned())]);
    assert!(cmp["summary"]["components_changed"].as_u64().expect("changed") > 0);
    // Crypto was off for both scans: said, not counted as zero.
    assert!(cmp["crypto"].is_null() && cmp["summary"]["crypto_added"].is_null());
    let sections: Vec<&str> =
        cmp["not_compared"].as_array().expect("nc").iter().filter_map(|n| n["section"].as_str()).collect();
    assert_eq!(sections, ["crypto", "readiness"], "both scans have a stored gate");
    assert_eq!(cmp["gate"]["from_status"], gates[0]["status"]);
    assert_eq!(cmp["gate"]["to_status"], gates[1]["status"]);

    // The versions' latest scans compare the same.
    let by_version =
        get_json(&d, &user, &format!("/api/v1/versions/{}/compare/{}", versions[0], versions[1])).await;
    assert_eq!(by_version, got);

    // Triage shows in the comparison's status.
    let open = get_json(&d, &user, &format!("/api/v1/findings?scan={to}&vulnerability=PLANT-OPEN-1")).await;
    let finding = open["items"][0]["id"].as_str().expect("finding").to_owned();
    let current = d.send(&user, Method::GET, &format!("/api/v1/findings/{finding}"), None).await;
    let etag = current.headers().get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{finding}")))
        .bearer_auth(&user.token)
        .header("if-match", etag)
        .json(&json!({"state": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}))
        .send()
        .await
        .expect("triage");
    assert_eq!(resp.status(), 200, "triage");
    let after = get_json(&d, &user, &format!("/api/v1/comparison?from={from}&to={to}")).await;
    assert_eq!(after["comparison"]["findings"]["still_open"][0]["status"], "not_affected");

    // The gate change: with PLANT-NEW-1 triaged too, the later scan's re-evaluated gate no longer
    // fails while the earlier one (untriaged PLANT-FIXED-1 and PLANT-OPEN-1 when evaluated) does.
    let new_one = get_json(&d, &user, &format!("/api/v1/findings?scan={to}&vulnerability=PLANT-NEW-1")).await;
    let finding = new_one["items"][0]["id"].as_str().expect("finding").to_owned();
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{finding}")))
        .bearer_auth(&user.token)
        .header("if-match", "\"0\"")
        .json(&json!({"state": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}))
        .send()
        .await
        .expect("triage");
    assert_eq!(resp.status(), 200, "triage");
    let gates = [gate_json(from.clone()).await, gate_json(to.clone()).await];
    let gate =
        get_json(&d, &user, &format!("/api/v1/comparison?from={from}&to={to}")).await["comparison"]["gate"]
            .clone();
    assert_eq!((gate["from_status"].as_str(), gates[0]["status"].as_str()), (Some("fail"), Some("fail")));
    assert_eq!(gate["to_status"], gates[1]["status"]);
    assert_ne!(gate["to_status"], "fail", "{}", gates[1]);
    // Added and removed computed here from the two stored gates, by rule and subject.
    let keyed = |g: &Value| -> Vec<(String, String)> {
        g["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| (v["rule"].as_str().expect("rule").to_owned(), v["subject"].to_string()))
            .collect()
    };
    let (before, now) = (keyed(&gates[0]), keyed(&gates[1]));
    let only = |a: &[(String, String)], b: &[(String, String)]| -> Vec<(String, String)> {
        a.iter().filter(|k| !b.contains(k)).cloned().collect()
    };
    assert_eq!(keyed(&json!({"violations": gate["violations_removed"]})), only(&before, &now));
    assert_eq!(keyed(&json!({"violations": gate["violations_added"]})), only(&now, &before));
    let mut removed_high: Vec<String> = gate["violations_removed"]
        .as_array()
        .expect("removed")
        .iter()
        .filter(|v| v["rule"] == "untriaged-high")
        .map(|v| v["subject"]["advisory"].as_str().expect("advisory").to_owned())
        .collect();
    removed_high.sort();
    assert_eq!(removed_high, ["PLANT-FIXED-1", "PLANT-OPEN-1"]);

    // History: both scans, oldest first, with their numbers; one version's alone.
    let history = get_json(&d, &user, &format!("/api/v1/projects/{pid}/history")).await;
    let points = history["points"].as_array().expect("points");
    assert_eq!(
        points.iter().map(|p| p["scan_id"].as_str().expect("id")).collect::<Vec<_>>(),
        [from.as_str(), to.as_str()]
    );
    for (p, scan) in points.iter().zip([&from, &to]) {
        let s = get_json(&d, &user, &format!("/api/v1/scans/{scan}")).await;
        assert_eq!(p["components"], s["counts"]["components"]);
        assert_eq!(p["severities"], s["counts"]["severities"]);
        assert_eq!(p["vulndb"], s["vulndb"]["state"]);
        assert_eq!(p["crypto_scanned"], false);
        assert!(p["readiness"].is_null());
        // The point's gate is the scan's stored gate.
        let gate = get_json(&d, &user, &format!("/api/v1/scans/{scan}/gate-result")).await;
        assert_eq!(p["gate"], gate["status"]);
        assert!(p["gate"].is_string(), "{p}");
    }
    assert_eq!(points[1]["severities"]["high"], 2, "PLANT-NEW-1 and PLANT-OPEN-1 on the new lockfile");
    let one = get_json(&d, &user, &format!("/api/v1/projects/{pid}/history?version={}", versions[0])).await;
    assert_eq!(one["points"].as_array().map(Vec::len), Some(1));
    assert_eq!(one["points"][0]["scan_id"], from.as_str());

    // Bad input: named fields, unknown scans 404, another tenant's scan 404.
    let resp = d.send(&user, Method::GET, &format!("/api/v1/comparison?from={from}"), None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
    let resp = d.send(&user, Method::GET, &format!("/api/v1/comparison?from=nope&to={to}"), None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
    let other = d.register(&unique_email("other")).await;
    let resp = d.send(&other, Method::GET, &format!("/api/v1/comparison?from={from}&to={to}"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    let resp = d.send(&user, Method::GET, &format!("/api/v1/projects/{pid}/history?limit=0"), None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
});

/// The 1-based line of the first line of `file` starting with `prefix`; with `table`, the line of
/// the TOML table header (`[[package]]`) that line belongs to, where poetry.lock entries start.
fn line_of(file: &Path, prefix: &str, table: Option<&str>) -> u32 {
    let text = std::fs::read_to_string(file).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let mut n =
        lines.iter().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix} in {file:?}"));
    if let Some(header) = table {
        n = lines[..n].iter().rposition(|l| l.trim() == header).expect("the entry's table header");
    }
    u32::try_from(n + 1).expect("line")
}

both!(where_is_requests_used_across_three_projects, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let trees = [
        (
            "cli-old",
            tree_with(root.path(), "a", &poetry(true), "poetry.lock"),
            poetry(true),
            "name = \"requests\"",
            Some("[[package]]"),
        ),
        (
            "cli-new",
            tree_with(root.path(), "b", &poetry(false), "poetry.lock"),
            poetry(false),
            "name = \"requests\"",
            Some("[[package]]"),
        ),
        (
            "warehouse",
            tree_with(root.path(), "c", &warehouse_requirements(), "requirements.txt"),
            warehouse_requirements(),
            "requests==",
            None,
        ),
    ];
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let user = d.register(&unique_email("where")).await;
    let mut expected = Vec::new();
    for (name, tree, file, prefix, table) in &trees {
        let project = d.create_project(&user, name).await;
        let pid = project["id"].as_str().expect("pid").to_owned();
        let scan = scan_to_completion(&d, &user, tree, Some(&pid)).await;
        let file_name = tree.read_dir().expect("dir").next().expect("one file").expect("entry").file_name();
        expected.push((
            name.to_string(),
            scan,
            file_name.to_string_lossy().into_owned(),
            line_of(file, prefix, *table),
        ));
    }
    // Another tenant's project with requests is not in the answer.
    let stranger = d.register(&unique_email("stranger")).await;
    let theirs = d.create_project(&stranger, "theirs").await;
    scan_to_completion(&d, &stranger, &trees[0].1, theirs["id"].as_str()).await;

    let got = get_json(&d, &user, "/api/v1/components/search?name=Requests").await;
    assert_eq!(got["total"], 3);
    let mut answered: Vec<(String, String, String, u32)> = got["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| {
            assert_eq!(u["name"], "requests");
            assert_eq!(u["locations"].as_array().map(Vec::len), Some(1), "{u}");
            let loc = &u["locations"][0];
            (
                u["project_name"].as_str().expect("project").to_owned(),
                u["scan_id"].as_str().expect("scan").to_owned(),
                loc["path"].as_str().expect("path").to_owned(),
                u32::try_from(loc["line"].as_u64().expect("line")).expect("u32"),
            )
        })
        .collect();
    answered.sort();
    expected.sort();
    assert_eq!(answered, expected);

    // A purl without a version finds every version; with one, that component only.
    let all = get_json(&d, &user, "/api/v1/components/search?purl=pkg:pypi/requests").await;
    assert_eq!(all["total"], 3);
    let one = get_json(&d, &user, "/api/v1/components/search?purl=pkg:pypi/requests@2.25.1").await;
    assert_eq!(one["total"], 1);
    assert_eq!(one["items"][0]["project_name"], "cli-old");
    let versioned = get_json(&d, &user, "/api/v1/components/search?name=requests&version=2.33.1").await;
    assert_eq!(versioned["items"][0]["project_name"], "cli-new");
    let paged = get_json(&d, &user, "/api/v1/components/search?name=requests&limit=2&offset=2").await;
    assert_eq!((paged["total"].as_u64(), paged["items"].as_array().map(Vec::len)), (Some(3), Some(1)));
    // Prefixes are not matches.
    let none = get_json(&d, &user, "/api/v1/components/search?purl=pkg:pypi/request").await;
    assert_eq!(none["total"], 0);
    let resp = d.send(&user, Method::GET, "/api/v1/components/search", None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
    let resp = d.send(&user, Method::GET, "/api/v1/components/search?purl=requests", None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;

    // A project's components: the latest scan, filtered.
    let pid = get_json(&d, &user, "/api/v1/projects").await["items"]
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["name"] == "cli-new")
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .expect("cli-new");
    let all = get_json(&d, &user, &format!("/api/v1/projects/{pid}/components?limit=1000")).await;
    let named = get_json(&d, &user, &format!("/api/v1/projects/{pid}/components?name=REQUESTS")).await;
    let want = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["name"].as_str().is_some_and(|n| n.contains("requests")))
        .count();
    assert_eq!(named["total"].as_u64(), Some(want as u64));
    assert!(want >= 2, "requests and requests-toolbelt");
    let licensed =
        get_json(&d, &user, &format!("/api/v1/projects/{pid}/components?license=mit&limit=1000")).await;
    let want = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["license"].as_str().is_some_and(|l| l.to_lowercase().contains("mit")))
        .count();
    assert_eq!(licensed["total"].as_u64(), Some(want as u64));
    let resp =
        d.send(&user, Method::GET, &format!("/api/v1/projects/{pid}/components?colour=red"), None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
});

both!(advisories_affecting_the_tenant_and_one_by_alias, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let osv = planted_osv(root.path());
    let old = tree_with(root.path(), "old", &poetry(true), "poetry.lock");
    let new = tree_with(root.path(), "new", &poetry(false), "poetry.lock");
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv], ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("advisories")).await;
    let mut projects = Vec::new();
    for (name, tree) in [("legacy", &old), ("current", &new)] {
        let p = d.create_project(&user, name).await;
        let pid = p["id"].as_str().expect("pid").to_owned();
        scan_to_completion(&d, &user, tree, Some(&pid)).await;
        projects.push(pid);
    }
    let list = get_json(&d, &user, "/api/v1/vulnerabilities").await;
    let rows: Vec<(String, u64, u64)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["id"].as_str().expect("id").to_owned(),
                a["projects"].as_u64().expect("p"),
                a["findings"].as_u64().expect("f"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("PLANT-FIXED-1".to_owned(), 1, 1),
            ("PLANT-NEW-1".to_owned(), 1, 1),
            ("PLANT-OPEN-1".to_owned(), 2, 2)
        ]
    );
    let open_alias = list["items"][2]["aliases"][0].as_str().expect("alias").to_owned();
    let searched =
        get_json(&d, &user, &format!("/api/v1/vulnerabilities?q={}", open_alias.to_lowercase())).await;
    assert_eq!(searched["total"], 1);
    assert_eq!(searched["items"][0]["id"], "PLANT-OPEN-1");
    let by_summary = get_json(&d, &user, "/api/v1/vulnerabilities?q=planted%20advisory%20for%20req").await;
    assert_eq!(by_summary["items"][0]["id"], "PLANT-FIXED-1");

    // By alias: the record, both projects, then the triage of one of them.
    let detail = get_json(&d, &user, &format!("/api/v1/vulnerabilities/{open_alias}")).await;
    assert_eq!(detail["ids"], json!(["PLANT-OPEN-1"]));
    assert_eq!(detail["in_vulnerability_data"], true);
    assert_eq!(detail["summary"], "planted advisory for pyyaml");
    let affected = detail["affected"].as_array().expect("affected");
    let mut names: Vec<&str> = affected.iter().map(|a| a["project_name"].as_str().expect("name")).collect();
    names.sort_unstable();
    assert_eq!(names, ["current", "legacy"]);
    assert!(
        affected.iter().all(|a| a["triage"].is_null()
            && a["purl"].as_str().is_some_and(|p| p.starts_with("pkg:pypi/pyyaml@")))
    );
    let finding = affected[0]["finding_id"].as_str().expect("finding").to_owned();
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{finding}")))
        .bearer_auth(&user.token)
        .header("if-match", "\"0\"")
        .json(&json!({"state": "affected"}))
        .send()
        .await
        .expect("triage");
    assert_eq!(resp.status(), 200, "triage");
    let detail = get_json(&d, &user, "/api/v1/vulnerabilities/PLANT-OPEN-1").await;
    let triaged: Vec<&Value> = detail["affected"]
        .as_array()
        .expect("affected")
        .iter()
        .filter(|a| a["triage"] == "affected")
        .collect();
    assert_eq!(triaged.len(), 1);
    assert_eq!(triaged[0]["finding_id"], finding.as_str());

    // Another tenant reads the record, not our projects; unknown ids are 404.
    let other = d.register(&unique_email("other")).await;
    let theirs = get_json(&d, &other, "/api/v1/vulnerabilities/PLANT-OPEN-1").await;
    assert_eq!(theirs["affected"], json!([]));
    assert_eq!(get_json(&d, &other, "/api/v1/vulnerabilities").await["total"], 0);
    let resp = d.send(&user, Method::GET, "/api/v1/vulnerabilities/CVE-1999-NOPE", None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    let resp = d.send(&user, Method::GET, "/api/v1/vulnerabilities?limit=0", None).await;
    expect_problem(resp, 400, "VALIDATION_FAILED").await;
});

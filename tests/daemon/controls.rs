//! Controls × frameworks (issue 20), both databases: a fresh tenant's data-dependent controls are
//! `not_met` or `not_assessed`, each with its reason; after a scan, triage within the SLA, an SBOM
//! on a released version and a policy assigned, the controls resting on them are `met` with
//! evidence counts equal to what the test created. Paging and field errors too.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, Opts, Session, expect_problem, unique_email};
use crate::scans::get_json;

/// Evidence kinds that speak of the tenant's own data (the vulnerability data, KEV lists and audit
/// chain are the deployment's or the sign-up's).
const TENANT_KINDS: [&str; 6] = [
    "recent_scans",
    "triaged_within_sla",
    "sboms_per_release",
    "gate_results",
    "policy_assigned",
    "product_fields",
];

/// A policy that passes the tree (nothing in it is denied).
const POLICY: &str = r#"format = "cairn-policy/1"
id = "controls-gate"
name = "Controls gate"

[[rules]]
id = "no-left-pad"
action = "fail"
message = "left-pad is not allowed"
inventory = { deny = ["pkg:npm/left-pad"] }
"#;

/// Every control of the tenant, keyed by `framework/id`, read through the cursor pages.
async fn all_controls(d: &Daemon, s: &Session, framework: Option<&str>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/controls?limit=7".to_owned();
        if let Some(f) = framework {
            path.push_str(&format!("&framework={f}"));
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = get_json(d, s, &path).await;
        for c in page["items"].as_array().expect("items") {
            let key =
                format!("{}/{}", c["framework"].as_str().expect("framework"), c["id"].as_str().expect("id"));
            assert!(out.insert(key.clone(), c.clone()).is_none(), "{key} listed twice");
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => {
                assert_eq!(page["total"].as_u64(), Some(out.len() as u64), "the total counts every control");
                return out;
            }
        }
    }
}

fn kind<'a>(control: &'a Value, kind: &str) -> &'a Value {
    control["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} in {control}"))
}

both!(controls_say_what_the_tenants_data_shows_and_nothing_more, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    // salt 3000.1: affected by PYSEC-2020-102 (KEV-listed) and PYSEC-2020-105.
    std::fs::write(tree.join("requirements.txt"), "salt==3000.1\n").expect("write");
    let kev = crate::cra::fixtures();
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![kev.join("osv"), kev.join("known_exploited_vulnerabilities.json")],
            ..Opts::default()
        },
    )
    .await;
    let admin = d.register(&unique_email("controls")).await;

    // The catalogue: three frameworks, their counts adding up to their controls.
    let resp = d.send(&admin, Method::GET, "/api/v1/frameworks", None).await;
    assert_eq!(resp.status(), 200, "{}", d.stderr());
    let frameworks: Value = resp.json().await.expect("frameworks");
    let ids: Vec<&str> =
        frameworks["items"].as_array().expect("items").iter().filter_map(|f| f["id"].as_str()).collect();
    assert_eq!(ids, ["eu_cra", "nist_ssdf", "iso_27001"]);
    for f in frameworks["items"].as_array().expect("items") {
        let sum: u64 = ["met", "partially_met", "not_met", "not_assessed"]
            .iter()
            .map(|k| f[k].as_u64().expect("count"))
            .sum();
        assert_eq!(Some(sum), f["controls"].as_u64(), "{f}");
    }

    // A fresh tenant: nothing of its own is met; what has no source is not assessed, with why.
    let fresh = all_controls(&d, &admin, None).await;
    let ssdf = all_controls(&d, &admin, Some("nist_ssdf")).await;
    assert!(ssdf.keys().all(|k| k.starts_with("nist_ssdf/")) && ssdf.len() < fresh.len());
    for (key, c) in &fresh {
        assert!(!c["reason"].as_str().expect("reason").is_empty(), "{key} says why");
        let evidence = c["evidence"].as_array().expect("evidence");
        if evidence.is_empty() {
            assert_eq!(c["status"], "not_assessed", "{key}: Cairn's data cannot speak to it");
            continue;
        }
        let own = evidence.iter().all(|e| TENANT_KINDS.contains(&e["kind"].as_str().expect("kind")));
        if own {
            assert!(c["status"] == "not_met" || c["status"] == "not_assessed", "{key}: {c}");
            assert_eq!(c["evidence_count"], 0, "{key}");
        }
        for e in evidence {
            assert!(!e["reason"].as_str().expect("reason").is_empty(), "{key}: {e}");
        }
    }
    let rv21 = &fresh["nist_ssdf/RV.2.1"];
    assert_eq!(rv21["status"], "not_assessed", "no SLA set: not judged, {rv21}");
    assert!(kind(rv21, "triaged_within_sla")["reason"].as_str().expect("reason").contains("no triage SLA"));
    assert_eq!(fresh["nist_ssdf/PS.3.2"]["status"], "not_assessed", "no released version yet");
    assert_eq!(fresh["nist_ssdf/PO.4.1"]["status"], "not_met", "no policy assigned");
    assert_eq!(kind(&fresh["eu_cra/II.1"], "recent_scans")["status"], "not_met", "nothing scanned");
    assert_eq!(fresh["iso_27001/A.8.30"]["status"], "not_assessed");
    // The deployment's data is there: the KEV list imported counts its entries.
    let sample: Value = serde_json::from_slice(
        &std::fs::read(kev.join("known_exploited_vulnerabilities.json")).expect("kev"),
    )
    .expect("json");
    let kev_entries = sample["vulnerabilities"].as_array().map(Vec::len).expect("entries");
    assert_eq!(kind(&fresh["nist_ssdf/RV.1.1"], "kev_data")["count"], kev_entries);
    assert_eq!(kind(&fresh["nist_ssdf/RV.1.1"], "kev_data")["status"], "met");

    // The tenant's evidence: a project with a version, scanned, its findings triaged within the
    // SLA, released, and a stored policy assigned.
    let project = d.create_project(&admin, "controlled").await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let version: Value = d
        .send(
            &admin,
            Method::POST,
            &format!("/api/v1/projects/{pid}/versions"),
            Some(json!({"name": "1.0.0"})),
        )
        .await
        .json()
        .await
        .expect("version");
    let vid = version["id"].as_str().expect("vid").to_owned();
    let sla = json!({"triage_sla": {"critical": 7, "high": 30, "medium": 90, "low": 180, "other": 365}});
    let resp = d
        .http
        .put(d.url("/api/v1/tenant/settings"))
        .bearer_auth(&admin.token)
        .header("if-match", "\"0\"")
        .json(&sla)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let body =
        json!({"source": {"kind": "path", "path": tree}, "project": pid, "version": vid, "crypto": false});
    let resp = d.send(&admin, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202);
    let scan = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = crate::ws::follow(&d, &scan, &admin).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{}", d.stderr());
    let findings = get_json(&d, &admin, &format!("/api/v1/findings?scan={scan}&limit=100")).await;
    let findings = findings["items"].as_array().expect("items").clone();
    assert!(findings.len() >= 2, "salt 3000.1 has findings: {findings:?}");
    for f in &findings {
        let resp = d
            .http
            .patch(d.url(&format!("/api/v1/findings/{}", f["id"].as_str().expect("id"))))
            .bearer_auth(&admin.token)
            .header("if-match", "\"0\"")
            .json(&json!({"state": "affected", "response": "update", "note": "upgrade salt"}))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 200);
    }
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/versions/{vid}/release-state")))
        .bearer_auth(&admin.token)
        .header("if-match", "*")
        .json(&json!({"state": "released"}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let r = d.send(&admin, Method::POST, "/api/v1/policies", Some(json!({"document": POLICY}))).await;
    assert_eq!(r.status(), 201);
    let policy = r.json::<Value>().await.expect("policy")["id"].as_str().expect("id").to_owned();
    let r = d
        .send(
            &admin,
            Method::PUT,
            &format!("/api/v1/projects/{pid}/policy"),
            Some(json!({"policy_id": policy})),
        )
        .await;
    assert_eq!(r.status(), 200);

    let now = all_controls(&d, &admin, None).await;
    let met = |key: &str, count: usize| {
        let c = &now[key];
        assert_eq!(c["status"], "met", "{key}: {c}");
        assert_eq!(c["evidence_count"], count, "{key}: {c}");
    };
    met("nist_ssdf/PS.3.2", 1); // one released version with both SBOMs
    met("nist_ssdf/RV.2.1", findings.len()); // every finding decided within the SLA
    met("nist_ssdf/PO.4.1", 1); // one assignment
    met("nist_ssdf/PW.4.4", 2); // the assignment and the gated scan
    met("eu_cra/II.1", 2); // the release's SBOMs and the scan
    met("eu_cra/II.3", 2); // the scan and its gate result
    assert_eq!(kind(&now["nist_ssdf/RV.2.1"], "triaged_within_sla")["status"], "met");
    // No product fields stated yet: the handling-policy controls still say so.
    assert_eq!(now["eu_cra/II.6"]["status"], "not_met", "{}", now["eu_cra/II.6"]);
    // Controls outside Cairn's data stay not assessed whatever the data.
    for (key, c) in &now {
        if c["evidence"].as_array().expect("evidence").is_empty() {
            assert_eq!(c["status"], "not_assessed", "{key}");
        }
    }
    let counted = get_json(&d, &admin, "/api/v1/frameworks").await;
    let ssdf_summary =
        counted["items"].as_array().expect("items").iter().find(|f| f["id"] == "nist_ssdf").cloned();
    let ssdf_now: Vec<&Value> =
        now.iter().filter(|(k, _)| k.starts_with("nist_ssdf/")).map(|(_, c)| c).collect();
    let ssdf_met = ssdf_now.iter().filter(|c| c["status"] == "met").count();
    assert_eq!(ssdf_summary.expect("ssdf")["met"], ssdf_met, "the framework's count is its controls'");

    // Bad input: a field each.
    for (path, field) in [
        ("/api/v1/controls?framework=pci_dss", "query.framework"),
        ("/api/v1/controls?limit=0", "query.limit"),
        ("/api/v1/controls?cursor=nope", "query.cursor"),
        ("/api/v1/frameworks?limit=1001", "query.limit"),
    ] {
        let resp = d.send(&admin, Method::GET, path, None).await;
        let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
        assert_eq!(p["errors"][0]["field"], field, "{path}: {p}");
    }

    // Another tenant sees its own (empty) data, not this one's.
    let other = d.register(&unique_email("controls-other")).await;
    let theirs = all_controls(&d, &other, Some("nist_ssdf")).await;
    assert_eq!(theirs["nist_ssdf/PO.4.1"]["status"], "not_met");
    assert_eq!(theirs["nist_ssdf/PS.3.2"]["status"], "not_assessed");
});

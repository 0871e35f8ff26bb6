//! Evidence for a regulator (issue 20): a real KEV sample imported with `cairnd vulndb import`
//! marks the finding whose advisory alias it lists (and only that one); the product fields and the
//! tenant's triage SLA are set through their routes (If-Match, field errors); and a version's CRA
//! checklist says `not_met` for an untriaged known exploited finding and `met` once it is triaged.

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Db, Opts, expect_problem, unique_email};
use crate::scans::get_json;

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/daemon/fixtures/kev")
}

fn item<'a>(status: &'a Value, requirement: &str) -> &'a Value {
    status["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["requirement"] == requirement)
        .unwrap_or_else(|| panic!("no item {requirement}: {status}"))
}

fn etag(resp: &reqwest::Response) -> String {
    resp.headers().get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned()
}

both!(an_untriaged_known_exploited_finding_fails_the_cra_item_until_triaged, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    // salt 3000.1: affected by PYSEC-2020-102 (CVE-2020-11651, KEV-listed) and PYSEC-2020-105
    // (CVE-2020-17490, not listed).
    std::fs::write(tree.join("requirements.txt"), "salt==3000.1\n").expect("write");
    let kev = fixtures().join("known_exploited_vulnerabilities.json");
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![fixtures().join("osv"), kev.clone()],
            ..Opts::default()
        },
    )
    .await;
    let admin = d.register(&unique_email("cra")).await;

    // The KEV list is a source of its own, with the catalogue's revision and entry count.
    let status = get_json(&d, &admin, "/api/v1/vulndb/status").await;
    let source = status["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["kind"] == "kev")
        .unwrap_or_else(|| panic!("a kev source: {status}"))
        .clone();
    let sample: Value = serde_json::from_slice(&std::fs::read(&kev).expect("kev")).expect("json");
    assert_eq!(source["revision"], sample["catalogVersion"]);
    assert_eq!(source["advisories"], sample["vulnerabilities"].as_array().map(Vec::len).expect("entries"));

    let project = d.create_project(&admin, "gateway").await;
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

    let body =
        json!({"source": {"kind": "path", "path": tree}, "project": pid, "version": vid, "crypto": false});
    let resp = d.send(&admin, Method::POST, "/api/v1/scans", Some(body)).await;
    assert_eq!(resp.status(), 202);
    let scan = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = crate::ws::follow(&d, &scan, &admin).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{}", d.stderr());

    // Exactly the finding whose alias the list names is marked, with the entry's date.
    let findings = get_json(&d, &admin, &format!("/api/v1/findings?scan={scan}&limit=100")).await;
    let items = findings["items"].as_array().expect("items").clone();
    let listed_entry = sample["vulnerabilities"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["cveID"] == "CVE-2020-11651")
        .expect("entry")
        .clone();
    let by_id = |id: &str| {
        items
            .iter()
            .find(|f| f["vulnerability_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {findings}"))
            .clone()
    };
    let listed = by_id("PYSEC-2020-102");
    assert_eq!(listed["known_exploited"]["cve_id"], "CVE-2020-11651");
    assert_eq!(listed["known_exploited"]["date_added"], listed_entry["dateAdded"]);
    assert_eq!(listed["known_exploited"]["due_date"], listed_entry["dueDate"]);
    assert!(by_id("PYSEC-2020-105").get("known_exploited").is_none(), "CVE-2020-17490 is not listed");
    let fid = listed["id"].as_str().expect("fid").to_owned();
    let detail = get_json(&d, &admin, &format!("/api/v1/findings/{fid}")).await;
    assert_eq!(detail["known_exploited"], listed["known_exploited"], "the detail says it too");

    // Nothing stated yet: the checklist says what is missing.
    let cra = get_json(&d, &admin, &format!("/api/v1/versions/{vid}/cra-status")).await;
    assert_eq!(cra["scan_id"], scan.as_str());
    let kev_item = item(&cra, "known_exploited_triaged");
    assert_eq!(kev_item["status"], "not_met", "{cra}");
    assert_eq!(kev_item["evidence"]["failing"], json!([fid]));
    assert_eq!(kev_item["evidence"]["known_exploited"], 1);
    // No SLA set: not judged, and said so (it used to read `not_met`, as if findings were late).
    let sla_item = item(&cra, "triaged_within_sla");
    assert_eq!(sla_item["status"], "not_evaluated", "no SLA set: {cra}");
    assert!(sla_item["reason"].as_str().expect("reason").starts_with("no triage SLA set"), "{sla_item}");
    assert_eq!(cra["not_evaluated"], 1, "{cra}");
    assert_eq!(item(&cra, "vulnerability_handling")["status"], "not_met");
    assert_eq!(item(&cra, "support_period")["status"], "not_met");
    assert_eq!(item(&cra, "release_immutable")["status"], "not_applicable", "a draft");
    let sbom = item(&cra, "sbom");
    assert_eq!(sbom["status"], "met", "{cra}");
    assert_eq!(sbom["evidence"]["documents"], json!(["cyclonedx", "spdx"]));
    assert_eq!(sbom["evidence"]["direct_dependencies"], 1);

    // Product fields through the project update (If-Match), refused field by field when wrong.
    let bad = json!({"product": {"security_contact": "not a contact", "support_period_months": 0}});
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&admin.token)
        .header("if-match", "*")
        .json(&bad)
        .send()
        .await
        .expect("send");
    let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
    let fields: Vec<&str> =
        p["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert!(
        fields.contains(&"body.product.security_contact")
            && fields.contains(&"body.product.support_period_months"),
        "{p}"
    );
    let product = json!({"category": "important_class_i", "support_period_months": 60,
        "security_contact": "security@example.com", "vulnerability_policy": "https://example.com/security-policy",
        "conformity_route": "module_a"});
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/projects/{pid}")))
        .bearer_auth(&admin.token)
        .header("if-match", format!("\"{}\"", project["version"]))
        .json(&json!({"product": product}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.expect("project")["product"], product);

    // The SLA: If-Match required, days checked, then set.
    let resp = d.send(&admin, Method::GET, "/api/v1/tenant/settings", None).await;
    assert_eq!(etag(&resp), "\"0\"");
    let sla = json!({"triage_sla": {"critical": 7, "high": 30, "medium": 90, "low": 180, "other": 365}});
    let put = |body: Value, tag: Option<&'static str>| {
        let mut req = d.http.put(d.url("/api/v1/tenant/settings")).bearer_auth(&admin.token).json(&body);
        if let Some(t) = tag {
            req = req.header("if-match", t);
        }
        req.send()
    };
    expect_problem(put(sla.clone(), None).await.expect("send"), 428, "PRECONDITION_REQUIRED").await;
    let p = expect_problem(
        put(json!({"triage_sla": {"high": 0}}), Some("\"0\"")).await.expect("send"),
        400,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "body.triage_sla.high");
    let resp = put(sla.clone(), Some("\"0\"")).await.expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.expect("settings")["triage_sla"], sla["triage_sla"]);
    expect_problem(put(sla.clone(), Some("\"0\"")).await.expect("send"), 412, "PRECONDITION_FAILED").await;
    let viewer = d.invite(&admin, &unique_email("viewer"), "viewer").await;
    let resp = d.send(&viewer, Method::PUT, "/api/v1/tenant/settings", Some(sla.clone())).await;
    assert_eq!(resp.status(), 403, "viewers read, admins change");

    // Triage the known exploited finding: the item is met, naming the list's revision.
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{fid}")))
        .bearer_auth(&admin.token)
        .header("if-match", "\"0\"")
        .json(&json!({"state": "affected", "response": "update", "note": "upgrade salt to 3000.2"}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let cra = get_json(&d, &admin, &format!("/api/v1/versions/{vid}/cra-status")).await;
    let kev_item = item(&cra, "known_exploited_triaged");
    assert_eq!(kev_item["status"], "met", "{cra}");
    assert_eq!(
        kev_item["evidence"]["kev_sources"][0],
        format!("known_exploited_vulnerabilities@{}", sample["catalogVersion"].as_str().expect("rev"))
    );
    assert_eq!(item(&cra, "vulnerability_handling")["status"], "met");
    assert_eq!(item(&cra, "support_period")["status"], "met");
    // The other finding is untriaged but found just now: within its 90-day (or other) deadline.
    let sla_item = item(&cra, "triaged_within_sla");
    assert_eq!(sla_item["status"], "met", "{cra}");
    assert_eq!(sla_item["evidence"]["findings"], items.len());

    // Released: frozen while nothing is scanned after release.
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
    let cra = get_json(&d, &admin, &format!("/api/v1/versions/{vid}/cra-status")).await;
    assert_eq!(item(&cra, "release_immutable")["status"], "met", "{cra}");
    assert_eq!(
        (cra["met"].as_u64(), cra["not_met"].as_u64(), cra["not_evaluated"].as_u64()),
        (Some(6), Some(0), Some(0)),
        "{cra}"
    );

    // The next version's technical file: the same bytes twice, every hash in the manifest true,
    // every standard document valid, the comparison with 1.0.0 inside.
    let next: Value = d
        .send(
            &admin,
            Method::POST,
            &format!("/api/v1/projects/{pid}/versions"),
            Some(json!({"name": "1.1.0"})),
        )
        .await
        .json()
        .await
        .expect("version");
    let next_id = next["id"].as_str().expect("vid").to_owned();
    let body = json!({"source": {"kind": "path", "path": tree}, "project": pid, "version": next_id, "crypto": false});
    let resp = d.send(&admin, Method::POST, "/api/v1/scans", Some(body)).await;
    let next_scan = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = crate::ws::follow(&d, &next_scan, &admin).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")));
    let export_path = format!("/api/v1/versions/{next_id}/export");
    let first = d.send(&admin, Method::GET, &export_path, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/zip");
    let first = first.bytes().await.expect("zip").to_vec();
    let second = d.send(&admin, Method::GET, &export_path, None).await.bytes().await.expect("zip").to_vec();
    assert_eq!(first, second, "the same data gives the same bytes");
    if let Some(out) = std::env::var_os("CAIRN_TEST_TECHNICAL_FILE_OUT") {
        // For checking the documents with ../shared/tools/validate-bom by hand; never read here.
        std::fs::write(out, &first).expect("write the technical file copy");
    }
    let files = unzip(&first);
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    assert_eq!(manifest["format"], "cairn-technical-file/1");
    assert_eq!(manifest["scan_id"], next_scan.as_str());
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    let mut in_zip: Vec<&str> = files.keys().map(String::as_str).filter(|p| *p != "manifest.json").collect();
    in_zip.sort_unstable();
    assert_eq!(listed, in_zip, "the manifest lists every file, sorted");
    for f in manifest["files"].as_array().expect("files") {
        let bytes = &files[f["path"].as_str().expect("path")];
        assert_eq!(f["sha256"].as_str(), Some(sha256_hex(bytes).as_str()), "{}", f["path"]);
        assert_eq!(f["bytes"].as_u64(), Some(bytes.len() as u64));
    }
    for (path, format) in [
        ("sbom/cyclonedx-1.6.json", "cyclonedx"),
        ("sbom/spdx-3.0.1.json", "spdx"),
        ("vex/openvex.json", "openvex"),
    ] {
        let doc: Value = serde_json::from_slice(&files[path]).unwrap_or_else(|e| panic!("{path}: {e}"));
        let errors = crate::schema::validate(format, &doc);
        assert!(errors.is_empty(), "{path}: {errors:?}");
    }
    // The scan's NOTICE, as the project serves it (the 1.1.0 scan is the project's latest).
    let notice = d.send(&admin, Method::GET, &format!("/api/v1/projects/{pid}/notice"), None).await;
    assert_eq!(notice.status(), 200);
    let notice = notice.bytes().await.expect("notice").to_vec();
    assert_eq!(files.get("NOTICE.txt"), Some(&notice), "the NOTICE is in the technical file");
    assert!(
        String::from_utf8_lossy(&notice).contains("pkg:pypi/salt@3000.1"),
        "the NOTICE names the package"
    );
    assert!(listed.contains(&"NOTICE.txt"), "and in the manifest with its hash");
    let comparison: Value = serde_json::from_slice(&files["comparison.json"]).expect("comparison");
    assert_eq!(comparison["to_scan"], next_scan.as_str());
    assert_eq!(comparison["from_scan"], scan.as_str(), "compared with the released 1.0.0");
    let report: Value = serde_json::from_slice(&files["vulnerabilities.json"]).expect("report");
    assert_eq!(report.as_array().map(Vec::len), Some(items.len()));
    let checklist: Value = serde_json::from_slice(&files["cra-status.json"]).expect("checklist");
    assert_eq!(checklist["evaluated_at"], manifest["as_of"], "judged as of the data's time");
    let audit: Value = serde_json::from_slice(&files["audit.json"]).expect("audit");
    assert!(
        audit
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "version.create" && e["object_id"] == next_id.as_str()),
        "{audit}"
    );
    // The compliance report of 1.1.0: well-formed self-contained HTML whose numbers a real
    // browser renders, and a PDF whose text says the same.
    let resp = d
        .send(&admin, Method::GET, &format!("/api/v1/versions/{next_id}/compliance-report?format=html"), None)
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    let html = resp.text().await.expect("html");
    well_formed(&html);
    for external in ["src=", "<link", "<script", "url(", "@import"] {
        assert!(!html.contains(external), "the page loads nothing from outside ({external})");
    }
    let cra_next = get_json(&d, &admin, &format!("/api/v1/versions/{next_id}/cra-status")).await;
    let met = format!("{} / {}", cra_next["met"], cra_next["items"].as_array().map(Vec::len).expect("items"));
    if let Some(out) = std::env::var_os("CAIRN_TEST_REPORT_OUT") {
        // For refreshing docs/compliance-report.png by hand; never read by the test.
        std::fs::write(out, &html).expect("write the report copy");
    }
    let dom = chromium_dom(&d.dir.path().join("report.html"), &html);
    for (card, want) in [
        ("components", "1".to_owned()),
        ("findings", items.len().to_string()),
        ("kev", "1".to_owned()),
        ("cra-met", met.clone()),
        ("cra-not-evaluated", cra_next["not_evaluated"].to_string()),
    ] {
        let shown = card_number(&dom, card);
        assert_eq!(shown, want, "the {card} card as Chromium renders it");
    }
    assert!(dom.contains("<svg"), "the charts are inline SVG");
    let resp = d
        .send(&admin, Method::GET, &format!("/api/v1/versions/{next_id}/compliance-report?format=pdf"), None)
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let pdf = resp.bytes().await.expect("pdf").to_vec();
    let text = pdf_text(&d.dir.path().join("report.pdf"), &pdf);
    for want in [
        "Components: 1".to_owned(),
        format!("Open findings: {}", items.len()),
        "Known exploited: 1".to_owned(),
        format!("CRA items met: {} of 6", cra_next["met"]),
        format!("CRA items not evaluated: {}", cra_next["not_evaluated"]),
        "known_exploited_triaged: met".to_owned(),
    ] {
        assert!(text.contains(&want), "the PDF says {want:?}: {text}");
    }
    let resp = d
        .send(&admin, Method::GET, &format!("/api/v1/versions/{next_id}/compliance-report?format=docx"), None)
        .await;
    let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
    assert_eq!(p["errors"][0]["field"], "query.format");

    // A scan from before NOTICE files were kept (its row removed behind the daemon): the manifest
    // says the NOTICE is not available and why, instead of leaving it out silently.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon");
    sqlx::query("DELETE FROM scan_documents WHERE format = 'notice'").execute(&pool).await.expect("delete");
    let old = d.send(&admin, Method::GET, &export_path, None).await.bytes().await.expect("zip").to_vec();
    let old = unzip(&old);
    assert!(!old.contains_key("NOTICE.txt"));
    let manifest: Value = serde_json::from_slice(&old["manifest.json"]).expect("manifest");
    let gap = manifest["not_included"]
        .as_array()
        .expect("not_included")
        .iter()
        .find(|g| g["part"] == "NOTICE.txt")
        .unwrap_or_else(|| panic!("the missing NOTICE is named: {manifest}"))
        .clone();
    assert!(
        gap["reason"].as_str().expect("reason").contains("not available for scans from before this change"),
        "{gap}"
    );

    // A version without a completed scan has no technical file yet.
    let empty: Value = d
        .send(
            &admin,
            Method::POST,
            &format!("/api/v1/projects/{pid}/versions"),
            Some(json!({"name": "2.0.0"})),
        )
        .await
        .json()
        .await
        .expect("version");
    let resp = d
        .send(
            &admin,
            Method::GET,
            &format!("/api/v1/versions/{}/export", empty["id"].as_str().expect("id")),
            None,
        )
        .await;
    expect_problem(resp, 404, "NOT_FOUND").await;

    // Another tenant's version is a 404.
    let other = d.register(&unique_email("other")).await;
    let resp = d.send(&other, Method::GET, &format!("/api/v1/versions/{vid}/cra-status"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
});

both!(without_kev_data_the_known_exploited_item_is_not_evaluated_not_failed, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    std::fs::write(tree.join("requirements.txt"), "salt==3000.1\n").expect("write");
    // OSV data only: known exploitation cannot be checked.
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![fixtures().join("osv")],
            ..Opts::default()
        },
    )
    .await;
    let admin = d.register(&unique_email("cra-nokev")).await;
    let pid = d.create_project(&admin, "unchecked").await["id"].as_str().expect("pid").to_owned();
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

    // Before any scan: the findings are not known, the SBOM is missing.
    let cra = get_json(&d, &admin, &format!("/api/v1/versions/{vid}/cra-status")).await;
    assert_eq!(item(&cra, "known_exploited_triaged")["status"], "not_evaluated", "{cra}");
    assert_eq!(item(&cra, "sbom")["status"], "not_met", "{cra}");

    let body =
        json!({"source": {"kind": "path", "path": tree}, "project": pid, "version": vid, "crypto": false});
    let resp = d.send(&admin, Method::POST, "/api/v1/scans", Some(body)).await;
    let scan = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = crate::ws::follow(&d, &scan, &admin).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{}", d.stderr());

    let cra = get_json(&d, &admin, &format!("/api/v1/versions/{vid}/cra-status")).await;
    let kev = item(&cra, "known_exploited_triaged");
    assert_eq!(kev["status"], "not_evaluated", "no KEV data: not a failure either, {cra}");
    assert!(kev["reason"].as_str().expect("reason").starts_with("no KEV data imported"), "{kev}");
    assert_eq!(item(&cra, "triaged_within_sla")["status"], "not_evaluated", "no SLA set: {cra}");
    assert_eq!((cra["not_evaluated"].as_u64(), cra["not_met"].as_u64()), (Some(2), Some(2)), "{cra}");

    // The report says it the same way.
    let html = d
        .send(&admin, Method::GET, &format!("/api/v1/versions/{vid}/compliance-report?format=html"), None)
        .await
        .text()
        .await
        .expect("html");
    well_formed(&html);
    assert!(html.contains("<td class=\"not-evaluated\">not_evaluated</td>"), "{html}");
    assert!(html.contains("<div class=\"card\" id=\"cra-not-evaluated\"><b>2</b>"), "{html}");
    let pdf = d
        .send(&admin, Method::GET, &format!("/api/v1/versions/{vid}/compliance-report?format=pdf"), None)
        .await
        .bytes()
        .await
        .expect("pdf")
        .to_vec();
    let text = pdf_text(&d.dir.path().join("report.pdf"), &pdf);
    for want in ["known_exploited_triaged: not_evaluated", "CRA items not evaluated: 2"] {
        assert!(text.contains(want), "the PDF says {want:?}: {text}");
    }
    let zip = d.send(&admin, Method::GET, &format!("/api/v1/versions/{vid}/export"), None).await;
    assert_eq!(zip.status(), 200);
    let files = unzip(&zip.bytes().await.expect("zip"));
    let checklist: Value = serde_json::from_slice(&files["cra-status.json"]).expect("checklist");
    assert_eq!(checklist["not_evaluated"], 2, "the technical file's checklist too");
});

both!(a_kev_catalogue_uploaded_through_the_api_marks_findings_like_the_cli_import, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("tree");
    std::fs::create_dir_all(&tree).expect("mkdir");
    std::fs::write(tree.join("requirements.txt"), "salt==3000.1\n").expect("write");
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root.path().to_path_buf()],
            vulndb_import: vec![fixtures().join("osv")],
            ..Opts::default()
        },
    )
    .await;
    let ops = crate::rematch::operator(&d).await;
    let admin = d.register(&unique_email("kev-upload")).await;
    let pid = d.create_project(&admin, "uploaded-kev").await["id"].as_str().expect("pid").to_owned();
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
    let body =
        json!({"source": {"kind": "path", "path": tree}, "project": pid, "version": vid, "crypto": false});
    let resp = d.send(&admin, Method::POST, "/api/v1/scans", Some(body)).await;
    let scan = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (events, _) = crate::ws::follow(&d, &scan, &admin).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")), "{}", d.stderr());
    let cra = get_json(&d, &admin, &format!("/api/v1/versions/{vid}/cra-status")).await;
    assert_eq!(item(&cra, "known_exploited_triaged")["status"], "not_evaluated", "no KEV yet: {cra}");

    let sample = std::fs::read(fixtures().join("known_exploited_vulnerabilities.json")).expect("kev");
    let upload = |bytes: Vec<u8>, ctype: &'static str| {
        d.http
            .post(d.url("/api/v1/admin/vulndb/import?name=cisa-kev"))
            .bearer_auth(&ops.token)
            .header("content-type", ctype)
            .body(bytes)
            .send()
    };
    // A catalogue with a bad entry is refused whole, naming the entry; nothing changes.
    let text = String::from_utf8(sample.clone()).expect("utf-8");
    let bad = text.replacen("\"CVE-2020-11651\"", "\"CVE-20-11651\"", 1);
    assert_ne!(bad, text, "the sample lists CVE-2020-11651");
    let p = expect_problem(
        upload(bad.into_bytes(), "application/json").await.expect("send"),
        400,
        "VALIDATION_FAILED",
    )
    .await;
    assert!(p.to_string().contains("CVE-20-11651"), "{p}");
    let status = get_json(&d, &admin, "/api/v1/vulndb/status").await;
    assert!(!status["sources"].as_array().expect("sources").iter().any(|s| s["kind"] == "kev"), "{status}");

    // The real sample: a KEV source of its own, like `cairnd vulndb import`.
    let resp = upload(sample.clone(), "application/json").await.expect("send");
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap_or_default());
    let parsed: Value = serde_json::from_slice(&sample).expect("json");
    let status = get_json(&d, &admin, "/api/v1/vulndb/status").await;
    let source = status["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["name"] == "cisa-kev")
        .unwrap_or_else(|| panic!("the uploaded source: {status}"))
        .clone();
    assert_eq!(source["kind"], "kev");
    assert_eq!(source["revision"], parsed["catalogVersion"]);
    assert_eq!(source["advisories"], parsed["vulnerabilities"].as_array().map(Vec::len).expect("entries"));
    let findings = get_json(&d, &admin, &format!("/api/v1/findings?scan={scan}&limit=100")).await;
    let listed = findings["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|f| f["vulnerability_id"] == "PYSEC-2020-102")
        .cloned()
        .unwrap_or_else(|| panic!("{findings}"));
    assert_eq!(listed["known_exploited"]["cve_id"], "CVE-2020-11651", "{listed}");
    let cra = get_json(&d, &admin, &format!("/api/v1/versions/{vid}/cra-status")).await;
    let kev = item(&cra, "known_exploited_triaged");
    assert_eq!(kev["status"], "not_met", "an untriaged listed finding now: {cra}");
    assert_eq!(kev["evidence"]["failing"], json!([listed["id"]]));
    // Told by content: the same catalogue sent as application/zip is still a KEV list.
    let resp = upload(sample, "application/zip").await.expect("send");
    assert_eq!(resp.status(), 200);
    let status = get_json(&d, &admin, "/api/v1/vulndb/status").await;
    let kev_sources =
        status["sources"].as_array().expect("sources").iter().filter(|s| s["kind"] == "kev").count();
    assert_eq!(kev_sources, 1, "the named source replaced, not doubled: {status}");
});

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every member of a ZIP by path.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).expect("member");
            let mut out = Vec::new();
            f.read_to_end(&mut out).expect("read");
            (f.name().expect("member name").into_owned(), out)
        })
        .collect()
}

/// Fails unless `html` parses as XML from start to end (every element closed, names matching).
fn well_formed(html: &str) {
    let body = html.strip_prefix("<!DOCTYPE html>").expect("a doctype");
    let mut reader = quick_xml::Reader::from_str(body);
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "every element is closed");
}

/// The DOM headless Chromium builds from the page (Debian package `chromium`). Set
/// `CAIRN_TEST_NO_BROWSER=1` to skip this check explicitly where no browser can be installed.
fn chromium_dom(path: &Path, html: &str) -> String {
    std::fs::write(path, html).expect("write the page");
    if std::env::var_os("CAIRN_TEST_NO_BROWSER").is_some() {
        eprintln!("CAIRN_TEST_NO_BROWSER: the report's rendering is not checked");
        return html.to_owned();
    }
    let profile = path.with_extension("chromium");
    let out = std::process::Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", path.display()))
        .output()
        .expect("run chromium (apt-get install chromium), or set CAIRN_TEST_NO_BROWSER=1");
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

/// The number in bold on the summary card `id`.
fn card_number(dom: &str, id: &str) -> String {
    let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("card {id} in {dom}"));
    let rest = &dom[start..];
    let b = rest.find("<b>").expect("<b>") + 3;
    let end = rest[b..].find("</b>").expect("</b>");
    rest[b..b + end].to_owned()
}

/// The PDF's text: `pdftotext` (Debian package `poppler-utils`) when installed, else a
/// structural check and the text of its content streams.
fn pdf_text(path: &Path, pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "a PDF header");
    std::fs::write(path, pdf).expect("write the PDF");
    match std::process::Command::new("pdftotext").args(["-layout"]).arg(path).arg("-").output() {
        Ok(out) => {
            assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
        Err(_) => {
            let text = String::from_utf8_lossy(pdf).into_owned();
            for part in ["xref", "trailer", "startxref", "%%EOF", "/Type /Catalog"] {
                assert!(text.contains(part), "PDF structure: {part}");
            }
            // Uncompressed content streams: the shown strings in order.
            text.split('(')
                .skip(1)
                .filter_map(|s| s.split_once(") Tj"))
                .map(|(t, _)| t)
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

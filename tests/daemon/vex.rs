//! VEX import on real daemons, both databases: project A's triage exported as OpenVEX and
//! imported into project B (the same findings) gives B the same states, recorded with the
//! document as the source; importing it again writes no new revision; a CycloneDX VEX export
//! sets the states too; the real documents in engine/tests/fixtures/vex (whose products are not
//! in this tree) come back as unmatched statements with the reason, nothing dropped; bad
//! documents are 400s naming the body; viewers cannot import.

use std::collections::BTreeMap;
use std::path::Path;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::findings::{osv, scan_to_completion};
use crate::harness::{Daemon, Opts, Session, expect_problem, unique_email};
use crate::scans::{get_json, tree_root};
use crate::schema::validate;

async fn findings_of(d: &Daemon, who: &Session, project: &str) -> Vec<Value> {
    let page = get_json(d, who, &format!("/api/v1/findings?project={project}&limit=1000")).await;
    page["items"].as_array().cloned().expect("items")
}

fn key(f: &Value) -> (String, String) {
    (f["vulnerability_id"].as_str().expect("v").to_owned(), f["purl"].as_str().expect("p").to_owned())
}

/// The project's latest document in `format`, schema-valid.
async fn export(d: &Daemon, who: &Session, project: &str, format: &str) -> Value {
    let resp =
        d.send(who, Method::GET, &format!("/api/v1/projects/{project}/sbom?format={format}"), None).await;
    assert_eq!(resp.status(), 200, "{format}");
    let doc: Value = resp.json().await.expect("json");
    let errors = validate(format, &doc);
    assert!(errors.is_empty(), "{format} invalid: {errors:?}");
    doc
}

/// (advisory, purl) → OpenVEX status of every statement.
fn statuses(doc: &Value) -> BTreeMap<(String, String), String> {
    doc["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| {
            (
                (
                    s["vulnerability"]["name"].as_str().expect("name").to_owned(),
                    s["products"][0]["@id"].as_str().expect("product").to_owned(),
                ),
                s["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

async fn import(d: &Daemon, who: &Session, project: &str, body: Vec<u8>) -> reqwest::Response {
    d.http
        .post(d.url(&format!("/api/v1/projects/{project}/vex")))
        .bearer_auth(&who.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("send")
}

async fn triage(d: &Daemon, who: &Session, id: &str, body: Value) {
    let resp = d
        .http
        .patch(d.url(&format!("/api/v1/findings/{id}")))
        .bearer_auth(&who.token)
        .header("if-match", "\"0\"")
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200, "{body}");
}

fn real(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/vex").join(name))
        .expect("fixture")
}

both!(vex_import_round_trip_idempotent_and_unmatched_reported, |db| async move {
    let (root, tree) = tree_root();
    // Versions the fixture advisories name, for findings across advisories and components.
    std::fs::create_dir_all(tree.join("more")).expect("mkdir");
    std::fs::write(tree.join("more/requirements.txt"), "lxml==4.6.2\npy==1.11.0\n").expect("write");
    let d = Daemon::start_with(
        db,
        Opts { scan_roots: vec![root.path().to_path_buf()], vulndb_import: vec![osv()], ..Opts::default() },
    )
    .await;
    let user = d.register(&unique_email("vex")).await;
    let viewer = d.invite(&user, &unique_email("vex-viewer"), "viewer").await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let p = d.create_project(&user, name).await["id"].as_str().expect("id").to_owned();
        scan_to_completion(&d, &user, &tree, Some(&p)).await;
        ids.push(p);
    }
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    let in_a = findings_of(&d, &user, a).await;
    assert!(in_a.len() >= 4, "four findings to triage four ways: {in_a:?}");
    let bodies = [
        json!({"state": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "note": "only the CLI"}),
        json!({"state": "fixed"}),
        json!({"state": "in_triage"}),
        json!({"state": "affected", "note": "upgrade next sprint"}),
    ];
    for (f, body) in in_a.iter().zip(bodies) {
        triage(&d, &user, f["id"].as_str().expect("id"), body).await;
    }
    let doc_a = export(&d, &user, a, "openvex").await;

    // Into B: the same states, by the document.
    let resp = import(&d, &user, b, serde_json::to_vec(&doc_a).expect("bytes")).await;
    assert_eq!(resp.status(), 200);
    let done: Value = resp.json().await.expect("import");
    assert_eq!(done["format"], "openvex");
    assert_eq!(done["document"], doc_a["@id"]);
    assert_eq!(done["unmatched"], json!([]), "every statement names a finding of B");
    let applied = done["applied"].as_array().expect("applied");
    assert_eq!(applied.len(), in_a.len());
    assert!(applied.iter().all(|x| x["changed"] == true));
    let a_now: BTreeMap<_, _> =
        findings_of(&d, &user, a).await.iter().map(|f| (key(f), f["triage"].clone())).collect();
    let in_b = findings_of(&d, &user, b).await;
    for f in &in_b {
        let t = &f["triage"];
        let ta = &a_now[&key(f)];
        if !ta.is_null() {
            for field in ["state", "justification", "note"] {
                assert_eq!(t[field], ta[field], "{field} of {:?}", key(f));
            }
        }
        assert_eq!(t["source"]["kind"], "vex");
        assert_eq!(t["source"]["document"], doc_a["@id"]);
        assert_eq!(t["source"]["import_id"], done["id"]);
        assert_eq!(t["version"], 1);
    }
    // The round trip: B's OpenVEX states what A's does, statement for statement.
    let doc_b = export(&d, &user, b, "openvex").await;
    assert_eq!(statuses(&doc_b), statuses(&doc_a));

    // Again: nothing changes, no new revision.
    let again: Value =
        import(&d, &user, b, serde_json::to_vec(&doc_a).expect("bytes")).await.json().await.expect("import");
    assert_ne!(again["id"], done["id"], "each import is recorded");
    assert!(again["applied"].as_array().expect("applied").iter().all(|x| x["changed"] == false), "{again}");
    let b_again = findings_of(&d, &user, b).await;
    assert!(
        b_again
            .iter()
            .all(|f| f["triage"]["version"] == 1 && f["triage"]["source"]["import_id"] == done["id"])
    );

    // CycloneDX VEX into C sets the states (not_affected, resolved → fixed, in_triage, exploitable → affected).
    let cdx = export(&d, &user, a, "cyclonedx").await;
    let resp = import(&d, &user, c, serde_json::to_vec(&cdx).expect("bytes")).await;
    assert_eq!(resp.status(), 200);
    let done_c: Value = resp.json().await.expect("import");
    assert_eq!(done_c["format"], "cyclonedx");
    let c_now: BTreeMap<_, _> =
        findings_of(&d, &user, c).await.iter().map(|f| (key(f), f["triage"]["state"].clone())).collect();
    for (k, t) in &a_now {
        if !t.is_null() {
            assert_eq!(c_now[k], t["state"], "{k:?}");
        }
    }

    // Real documents whose products are not in this tree: every statement reported, with why.
    for (file, format, reasons) in [
        ("vexctl-demo.openvex.json", "openvex", vec!["no_finding"]),
        ("bom-examples-vex.cdx.json", "cyclonedx", vec!["no_finding"]),
        ("bom-examples-cisa-case1-not-affected.cdx.json", "cyclonedx", vec!["no_package_url"]),
        ("vexctl-example.csaf.json", "csaf", vec!["no_finding"]),
        ("oasis-2022-evd-uc-01-na-001.csaf.json", "csaf", vec!["no_package_url"]),
    ] {
        let resp = import(&d, &user, b, real(file)).await;
        assert_eq!(resp.status(), 200, "{file}");
        let r: Value = resp.json().await.expect("import");
        assert_eq!(r["format"], format, "{file}");
        assert_eq!(r["applied"], json!([]), "{file}");
        let got: Vec<&str> = r["unmatched"]
            .as_array()
            .expect("unmatched")
            .iter()
            .map(|u| u["reason"].as_str().expect("reason"))
            .collect();
        assert_eq!(got, reasons, "{file}: {r}");
        assert_eq!(r["statements"], reasons.len(), "{file}");
    }
    // The same document as a multipart form's `document` field; a form without it is refused.
    let form = reqwest::multipart::Form::new().part(
        "document",
        reqwest::multipart::Part::bytes(real("vexctl-example.csaf.json")).file_name("csaf.json"),
    );
    let resp = d
        .http
        .post(d.url(&format!("/api/v1/projects/{b}/vex")))
        .bearer_auth(&user.token)
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let r: Value = resp.json().await.expect("import");
    assert_eq!(
        (r["format"].as_str(), r["unmatched"][0]["reason"].as_str()),
        (Some("csaf"), Some("no_finding"))
    );
    let form = reqwest::multipart::Form::new().text("other", "x");
    let resp = d
        .http
        .post(d.url(&format!("/api/v1/projects/{b}/vex")))
        .bearer_auth(&user.token)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let p = expect_problem(resp, 400, "VALIDATION_FAILED").await;
    assert_eq!(p["errors"][0]["field"], "body.document", "{p}");
    // B's triage is untouched by them.
    assert_eq!(findings_of(&d, &user, b).await, b_again);

    // Bad documents, a stranger's project, a viewer.
    for body in [
        b"not json".to_vec(),
        b"{}".to_vec(),
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"status":"maybe"}]}"#.to_vec(),
    ] {
        let p = expect_problem(import(&d, &user, b, body).await, 400, "VALIDATION_FAILED").await;
        assert_eq!(p["errors"][0]["field"], "body", "{p}");
    }
    let p = expect_problem(
        import(&d, &user, &uuid::Uuid::now_v7().to_string(), real("vexctl-demo.openvex.json")).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_eq!(p["status"], 404);
    expect_problem(import(&d, &viewer, b, real("vexctl-demo.openvex.json")).await, 403, "FORBIDDEN").await;
});

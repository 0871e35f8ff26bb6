//! A project's licenses, obligations and NOTICE (`/projects/{id}/licenses`, `/obligations`,
//! `/notice`) on real daemons (SQLite and Postgres), over mozilla/pdf.js's real
//! `package-lock.json` (engine fixture, from the shared corpus: MIT, ISC, Apache-2.0, BSD, MPL-2.0,
//! GPL-3.0-or-later and one package without a license) with a real ISC license file
//! (resolvelib's, engine fixture from the corpus' license files) in one installed package's
//! directory beside the manifest npm writes there.
//! The groups are checked against the scan's stored components read through
//! `/projects/{id}/components`, not against the engine's grouping.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::Value;

use crate::both;
use crate::findings::scan_to_completion;
use crate::harness::{Daemon, Db, Opts, expect_problem, unique_email};
use crate::scans::get_json;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures").join(rel)
}

/// Every item of a cursor-paged list (`query` its other parameters), following `next_cursor`.
async fn all_items(d: &Daemon, who: &crate::harness::Session, path: &str, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = format!("{path}?{query}");
    loop {
        let page = get_json(d, who, &url).await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("{path}?{query}&cursor={c}"),
            None => break,
        }
    }
    items
}

/// Small pages, so the cursor is followed; every component of a group listed.
const GROUPS: &str = "limit=7&components_limit=1000";

both!(a_projects_licenses_obligations_and_notice, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let tree = root.path().join("pdfjs");
    std::fs::create_dir_all(tree.join("node_modules/anymatch")).expect("mkdir");
    std::fs::copy(fixture("corpus/npm/mozilla__pdf.js/package-lock.json"), tree.join("package-lock.json"))
        .expect("copy lock");
    std::fs::copy(fixture("corpus/npm/mozilla__pdf.js/package.json"), tree.join("package.json"))
        .expect("copy");
    std::fs::copy(
        fixture("licenses/pypa__pipenv__pipenv_patched_pip__vendor_resolvelib_LICENSE"),
        tree.join("node_modules/anymatch/LICENSE"),
    )
    .expect("copy license");
    // The installed package's manifest roots the license file at the package (what npm writes
    // there: name, version and license, here taken from the lockfile's entry).
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(tree.join("package-lock.json")).expect("read lock"))
            .expect("lock json");
    let entry = &lock["packages"]["node_modules/anymatch"];
    let manifest =
        serde_json::json!({"name": "anymatch", "version": entry["version"], "license": entry["license"]});
    std::fs::write(tree.join("node_modules/anymatch/package.json"), manifest.to_string()).expect("write");
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root.path().to_path_buf()], ..Opts::default() }).await;
    let user = d.register(&unique_email("licenses")).await;
    let project = d.create_project(&user, "pdfjs").await;
    let pid = project["id"].as_str().expect("pid").to_owned();

    // Before any scan: 404 saying so.
    let resp = d.send(&user, Method::GET, &format!("/api/v1/projects/{pid}/licenses"), None).await;
    expect_problem(resp, 404, "NOT_FOUND").await;
    let scan = scan_to_completion(&d, &user, &tree, Some(&pid)).await;

    // The stored components, third-party only, by concluded license.
    let components = all_items(&d, &user, &format!("/api/v1/projects/{pid}/components"), "limit=1000").await;
    let third: Vec<&Value> = components.iter().filter(|c| c["local"] == false).collect();
    assert!(third.len() > 800, "pdf.js' lockfile: {}", third.len());
    let mut by_license: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for c in &third {
        *by_license.entry(c["license"].as_str().map(str::to_owned)).or_default() += 1;
    }

    let groups = all_items(&d, &user, &format!("/api/v1/projects/{pid}/licenses"), GROUPS).await;
    let mut got: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for g in &groups {
        assert_eq!(g["scan_id"], scan.as_str());
        let n = usize::try_from(g["components_total"].as_u64().expect("total")).expect("usize");
        assert_eq!(g["components"].as_array().map(Vec::len), Some(n), "components_limit=1000 lists all");
        *got.entry(g["expression"].as_str().map(str::to_owned)).or_default() += n;
        if g["expression"].is_null() {
            // Not determined: no category, and the reason said.
            assert!(g["category"].is_null() && g["not_determined"].is_string(), "{g}");
        }
    }
    assert_eq!(got, by_license, "one group per concluded license, every third-party component once");
    let category = |expr: &str| {
        groups.iter().find(|g| g["expression"] == expr).map(|g| g["category"].clone()).unwrap_or_default()
    };
    assert_eq!(category("MIT"), "permissive");
    assert_eq!(category("MPL-2.0"), "weak-copyleft");
    assert_eq!(category("GPL-3.0-or-later"), "strong-copyleft");
    assert!(groups.iter().any(|g| g["expression"].is_null()), "svg-tags declares no license");

    // Obligations: attribution covers every component with a conclusion of a permissive or
    // copyleft license; disclose_source only copyleft ones, named by their ids.
    let obligations = all_items(&d, &user, &format!("/api/v1/projects/{pid}/obligations"), GROUPS).await;
    let of = |name: &str| obligations.iter().find(|o| o["obligation"] == name).cloned();
    let disclose = of("disclose_source").expect("MPL and GPL ask for the source");
    let mut ids: Vec<&str> =
        disclose["licenses"].as_array().expect("ids").iter().filter_map(Value::as_str).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["GPL-3.0-or-later", "MPL-2.0"]);
    let copyleft: usize = groups
        .iter()
        .filter(|g| g["category"].as_str().is_some_and(|c| c.ends_with("copyleft")))
        .map(|g| usize::try_from(g["components_total"].as_u64().expect("n")).expect("usize"))
        .sum();
    assert_eq!(disclose["components_total"].as_u64(), Some(copyleft as u64));
    let attribution = of("attribution").expect("attribution");
    let mit = by_license.get(&Some("MIT".to_owned())).copied().unwrap_or(0);
    assert!(attribution["components_total"].as_u64().expect("n") >= mit as u64);

    // A capped group still counts every component.
    let capped =
        get_json(&d, &user, &format!("/api/v1/projects/{pid}/licenses?limit=1000&components_limit=3")).await;
    let mit_group =
        capped["items"].as_array().expect("items").iter().find(|g| g["expression"] == "MIT").expect("MIT");
    assert_eq!(mit_group["components"].as_array().map(Vec::len), Some(3));
    assert_eq!(mit_group["components_total"].as_u64(), Some(mit as u64));

    // The NOTICE: text, every third-party component's purl, the license file's copyright line.
    let resp = d.send(&user, Method::GET, &format!("/api/v1/projects/{pid}/notice"), None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/plain; charset=utf-8")
    );
    let notice = resp.text().await.expect("text");
    assert!(notice.starts_with("NOTICE for pdfjs"), "{}", &notice[..80.min(notice.len())]);
    for c in &third {
        let purl = c["purl"].as_str().expect("purl");
        assert!(notice.contains(&format!("purl: {purl}\n")), "{purl} not in the NOTICE");
    }
    assert!(
        notice.contains("Copyright (c) 2018, Tzu-ping Chung <uranusjr@gmail.com>"),
        "the file's copyright"
    );

    // Bad input names the field; another tenant sees nothing.
    for q in ["limit=0", "components_limit=0", "components_limit=1001", "cursor=nope", "colour=red"] {
        let resp = d.send(&user, Method::GET, &format!("/api/v1/projects/{pid}/licenses?{q}"), None).await;
        expect_problem(resp, 400, "VALIDATION_FAILED").await;
    }
    let other = d.register(&unique_email("other")).await;
    for view in ["licenses", "obligations", "notice"] {
        let resp = d.send(&other, Method::GET, &format!("/api/v1/projects/{pid}/{view}"), None).await;
        expect_problem(resp, 404, "NOT_FOUND").await;
    }

    // A scan from before NOTICE files were kept (its row removed behind the daemon) says so.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&d.db_url).await.expect("connect behind the daemon");
    sqlx::query("DELETE FROM scan_documents WHERE format = 'notice'").execute(&pool).await.expect("delete");
    let resp = d.send(&user, Method::GET, &format!("/api/v1/projects/{pid}/notice"), None).await;
    let problem = expect_problem(resp, 409, "SCAN_NOT_COMPLETED").await;
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.contains("not available for scans from before this change"), "{detail}");
});

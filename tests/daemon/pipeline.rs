//! The scan pipeline in-process (the daemon as a library), with real OSV advisories installed as
//! the vulnerability snapshot: its stored findings equal `match_inventory` on the engine's own
//! inventory of the same tree, and the scan records the data it used.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use cairn_daemon::jobs::pipeline::{self, Outcome};
use cairn_daemon::jobs::queue::{JobPayload, JobSource, enqueue};
use cairn_daemon::store::{FindingFilter, NewScan};
use cairn_daemon::vulndb::Snapshot;
use cairn_engine::bom::{BomInput, to_cbom};
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};
use cairn_sdk::types::{ScanSource, ScanStatus, VulnDataState};

use crate::both;
use crate::harness::in_process_state;
use crate::scans::{copy_dir, tree_root};
use serde_json::{Value, json};

fn advisories() -> cairn_engine::vuln::Database {
    load_paths(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/osv-scan")])
        .expect("OSV fixtures")
}

both!(pipeline_findings_equal_the_engines_match, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (root, tree) = tree_root();
    let (state, pg) = in_process_state(db, dir.path(), &[root.path().to_path_buf()]).await;
    let db = advisories();
    let count = db.info().advisories as u64;
    assert!(count > 5, "fixtures loaded: {count}");
    let updated_at = time::OffsetDateTime::now_utc();
    state.vulndb.install(Snapshot {
        database: db.into(),
        id: "fixture-1".into(),
        updated_at,
        advisories: count,
    });

    let user = state.store.user_create("p@example.test", "P", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("pipeline", user.id).await.expect("tenant");
    let new = NewScan {
        project: None,
        version: None,
        source: ScanSource::Path { path: tree.display().to_string() },
        requested_by: Some(user.id),
        crypto: false,
    };
    let payload = JobPayload { source: JobSource::Path { path: tree.clone() }, crypto: false };
    let scan = enqueue(&state, tenant, &new, &payload, None).await.expect("enqueue");
    let job = state.store.job_claim("test/0").await.expect("claim").expect("a job");
    assert_eq!(job.scan, scan.id);
    let outcome = pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await;
    assert_eq!(outcome, Outcome::Completed);

    let engine = scan_path(&tree, &ScanOptions::default(), &NoProgress).expect("engine scan");
    let expected = match_inventory(&engine.inventory, &advisories());
    assert!(!expected.findings.is_empty(), "the fixture tree has a known vulnerable pin");
    let want: BTreeSet<(String, String, Option<String>)> =
        expected.findings.iter().map(|f| (f.id.clone(), f.purl.clone(), f.nearest_fixed.clone())).collect();
    let (rows, total) = state
        .store
        .scan_findings(tenant, scan.id, &FindingFilter::default(), -1, 1000)
        .await
        .expect("findings");
    let got: BTreeSet<(String, String, Option<String>)> = rows
        .iter()
        .map(|(_, f)| (f.vulnerability_id.clone(), f.purl.clone(), f.fixed_version.clone()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(total as usize, expected.findings.len());

    let done = state.store.scan_get(tenant, scan.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed);
    let used = done.vulndb.expect("vulndb recorded");
    assert_eq!(
        (used.state, used.snapshot.as_deref(), used.advisories),
        (VulnDataState::Fresh, Some("fixture-1"), count)
    );
    assert_eq!(done.counts.findings, expected.findings.len() as u64);
    assert_eq!(done.counts.components, engine.inventory.components.len() as u64);
    // With findings there is something to state: the OpenVEX document exists.
    state.store.scan_document(tenant, scan.id, "openvex").await.expect("openvex stored");
    let vulnerable: Vec<_> = state
        .store
        .scan_components(tenant, scan.id, -1, 1000)
        .await
        .expect("components")
        .0
        .into_iter()
        .filter(|(_, c)| c.findings > 0)
        .map(|(_, c)| c.purl)
        .collect();
    let want_purls: BTreeSet<String> = expected.findings.iter().map(|f| f.purl.clone()).collect();
    assert_eq!(vulnerable.into_iter().collect::<BTreeSet<_>>(), want_purls);
    // The job is done; nothing is left to claim.
    assert!(state.store.job_claim("test/0").await.expect("claim").is_none());
    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});

/// A crypto asset row without its id: type, name, primitive, quantum level, detail as stored
/// text, locations.
type AssetRow = (String, String, Option<String>, Option<i64>, String, Vec<String>);

/// The rows the CBOM's assets were read back into before the daemon built them from the
/// engine's model: the oracle for `crypto_assets_equal_the_engines_cbom`.
fn assets_of_cbom(cbom: &str) -> Vec<AssetRow> {
    let doc: Value = serde_json::from_str(cbom).expect("CBOM JSON");
    doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["type"] == "cryptographic-asset")
        .map(|c| {
            let props = &c["cryptoProperties"];
            let algo = &props["algorithmProperties"];
            let locations = c["evidence"]["occurrences"]
                .as_array()
                .expect("occurrences")
                .iter()
                .map(|o| format!("{}:{}", o["location"].as_str().expect("location"), o["line"]))
                .collect();
            let detail =
                json!({"bom_ref": c["bom-ref"], "cryptoProperties": props, "properties": c["properties"]});
            (
                props["assetType"].as_str().expect("assetType").to_owned(),
                c["name"].as_str().expect("name").to_owned(),
                algo["primitive"].as_str().map(str::to_owned),
                algo["nistQuantumSecurityLevel"].as_i64(),
                detail.to_string(),
                locations,
            )
        })
        .collect()
}

// The daemon's crypto asset rows, component words and diagnostics equal what the engine says
// directly about the same tree: the CBOM it renders (algorithms from real sources, certificates,
// keys, key stores, a CRL and a CSR, a TLS setting) and its report's words (scopes and license
// categories of a real composer.lock).
both!(pipeline_crypto_assets_equal_the_engines_cbom, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (root, tree) = tree_root();
    let crypto_fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/crypto");
    copy_dir(&crypto_fixtures, &tree.join("crypto-fixtures"));
    // A real composer.lock (BookStack's, committed for the engine's corpus test): declared licenses.
    let composer = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/fixtures/corpus/composer/BookStackApp__BookStack/composer.lock");
    std::fs::create_dir_all(tree.join("php")).expect("mkdir");
    std::fs::copy(composer, tree.join("php/composer.lock")).expect("copy composer.lock");
    // The TLS setting engine/tests/crypto_cbom.rs uses: a protocol asset marked weak.
    std::fs::write(tree.join("nginx.conf"), "server {\n  ssl_protocols TLSv1 TLSv1.2;\n}\n").expect("write");
    let (state, pg) = in_process_state(db, dir.path(), &[root.path().to_path_buf()]).await;
    let user = state.store.user_create("c@example.test", "C", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("crypto", user.id).await.expect("tenant");
    let new = NewScan {
        project: None,
        version: None,
        source: ScanSource::Path { path: tree.display().to_string() },
        requested_by: Some(user.id),
        crypto: true,
    };
    let payload = JobPayload { source: JobSource::Path { path: tree.clone() }, crypto: true };
    let scan = enqueue(&state, tenant, &new, &payload, None).await.expect("enqueue");
    let job = state.store.job_claim("test/0").await.expect("claim").expect("a job");
    let outcome = pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await;
    assert_eq!(outcome, Outcome::Completed);

    let engine = scan_path(&tree, &ScanOptions { crypto: true, ..ScanOptions::default() }, &NoProgress)
        .expect("engine scan");
    let stamp = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("seconds")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("stamp");
    let input = BomInput::from_scan("tree", None, stamp, &engine, None);
    let want = assets_of_cbom(&to_cbom(&input));
    let (rows, total) = state.store.scan_crypto_assets(tenant, scan.id, -1, 100_000).await.expect("assets");
    let got: Vec<_> = rows
        .into_iter()
        .map(|(_, a)| (a.asset_type, a.name, a.primitive, a.quantum_level, a.detail.to_string(), a.locations))
        .collect();
    for kind in ["algorithm", "certificate", "related-crypto-material", "protocol"] {
        assert!(want.iter().any(|w| w.0 == kind), "the tree yields a {kind} asset");
    }
    assert_eq!(got, want);
    assert_eq!(total as usize, want.len());

    // Component scopes and license categories, and diagnostic severities: the engine's words.
    let words = |v: Value| v.as_str().map(str::to_owned);
    let mut want_components: Vec<(String, Option<String>, Option<String>)> = engine
        .inventory
        .components
        .iter()
        .map(|c| {
            let category = c.licenses.categories.last().map(|k| serde_json::to_value(k).expect("category"));
            (c.purl.clone(), words(serde_json::to_value(c.scope).expect("scope")), category.and_then(words))
        })
        .collect();
    want_components.sort();
    let (components, _) =
        state.store.scan_components(tenant, scan.id, -1, 100_000).await.expect("components");
    let (licensed, _) = state.store.scan_licenses(tenant, scan.id, -1, 100_000).await.expect("licenses");
    let mut got_categories: Vec<(String, Option<String>)> =
        licensed.into_iter().map(|(_, l)| (l.purl, l.category)).collect();
    got_categories.sort();
    let want_categories: Vec<(String, Option<String>)> = want_components
        .iter()
        .filter(|(p, _, _)| got_categories.iter().any(|(g, _)| g == p))
        .map(|(p, _, c)| (p.clone(), c.clone()))
        .collect();
    assert!(want_categories.iter().any(|(_, c)| c.is_some()), "the tree has licensed components");
    assert_eq!(got_categories, want_categories);
    let mut got_scopes: Vec<(String, Option<String>)> =
        components.into_iter().map(|(_, c)| (c.purl, c.scope.map(|s| s.as_str().to_owned()))).collect();
    got_scopes.sort();
    assert_eq!(
        got_scopes,
        want_components.iter().map(|(p, s, _)| (p.clone(), s.clone())).collect::<Vec<_>>()
    );
    let (diagnostics, _) =
        state.store.scan_diagnostics(tenant, scan.id, -1, 100_000).await.expect("diagnostics");
    let want_severities: Vec<String> = engine
        .inventory
        .diagnostics
        .iter()
        .map(|d| words(serde_json::to_value(d.severity).expect("severity")).expect("a word"))
        .collect();
    assert!(!want_severities.is_empty(), "the tree yields diagnostics (the private key's warning)");
    assert_eq!(diagnostics.into_iter().map(|(_, d)| d.severity).collect::<Vec<_>>(), want_severities);

    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});

// Issue 19: the gate at the end of each scan, with the project's triage. The tree pins werkzeug
// 2.3.3, which the real PYSEC-2023-221 (high) affects: the default policy fails on it until it is
// triaged (the stored gate evaluated again, then the next scan's), and the project's gate is its
// latest scan's.
both!(the_gate_is_evaluated_and_stored_with_each_scan, |db| async move {
    use cairn_daemon::store::TriageWrite;
    use cairn_sdk::types::{CreateProject, GateStatus, GateSubject, ProjectKind, TriageState};
    let dir = tempfile::tempdir().expect("dir");
    let (root, tree) = tree_root();
    let (state, pg) = in_process_state(db, dir.path(), &[root.path().to_path_buf()]).await;
    let db = advisories();
    let count = db.info().advisories as u64;
    let updated_at = time::OffsetDateTime::now_utc();
    state.vulndb.install(Snapshot {
        database: db.into(),
        id: "fixture-1".into(),
        updated_at,
        advisories: count,
    });
    let user = state.store.user_create("g@example.test", "G", Some("not-a-hash"), false).await.expect("user");
    let tenant = state.store.tenant_create("gates", user.id).await.expect("tenant");
    let project = state
        .store
        .project_create(
            tenant,
            &CreateProject {
                name: "web".into(),
                kind: ProjectKind::Repo,
                repo_url: None,
                default_ref: None,
                team_id: None,
                tags: vec![],
            },
        )
        .await
        .expect("project");
    let run_scan = || {
        let state = state.clone();
        let tree = tree.clone();
        async move {
            let new = NewScan {
                project: Some(project.id),
                version: None,
                source: ScanSource::Path { path: tree.display().to_string() },
                requested_by: Some(user.id),
                crypto: false,
            };
            let payload = JobPayload { source: JobSource::Path { path: tree.clone() }, crypto: false };
            let scan = enqueue(&state, tenant, &new, &payload, None).await.expect("enqueue");
            let job = state.store.job_claim("test/0").await.expect("claim").expect("a job");
            assert_eq!(
                pipeline::run(&state, &job, Arc::new(AtomicBool::new(false))).await,
                Outcome::Completed
            );
            scan.id
        }
    };
    let first = run_scan().await;
    let gate = state.store.gate_of_scan(tenant, first).await.expect("gate stored");
    assert_eq!(gate.status, GateStatus::Fail, "{gate:?}");
    assert_eq!((gate.policy.id.as_str(), gate.policy.revision), ("default", 1));
    assert_eq!((gate.scan_id, gate.project_id), (first, Some(project.id)));
    let high: Vec<&GateSubject> =
        gate.violations.iter().filter(|v| v.rule == "untriaged-high").map(|v| &v.subject).collect();
    assert_eq!(
        high,
        [&GateSubject::Finding { advisory: "PYSEC-2023-221".into(), purl: "pkg:pypi/werkzeug@2.3.3".into() }]
    );
    // No crypto stage ran: the key-exchange rule says so instead of passing.
    assert!(gate.not_evaluated.iter().any(|n| n.rule == "quantum-vulnerable-key-exchange"), "{gate:?}");

    let (rows, _) = state
        .store
        .scan_findings(tenant, first, &FindingFilter::default(), -1, 1000)
        .await
        .expect("findings");
    let finding =
        rows.iter().map(|(_, f)| f).find(|f| f.vulnerability_id == "PYSEC-2023-221").expect("finding");
    let w = TriageWrite {
        state: TriageState::NotAffected,
        justification: None,
        response: None,
        note: Some("not reachable".into()),
        user: user.id,
    };
    state.store.triage_write(tenant, finding, 0, &w).await.expect("triage");
    // A triage change evaluates the project's latest gate again (what PATCH /findings/{id} calls).
    pipeline::gate::reevaluate_after_triage(&state, tenant, Some(project.id), first)
        .await
        .expect("re-evaluated");
    let gate = state.store.gate_of_scan(tenant, first).await.expect("gate");
    assert!(gate.violations.iter().all(|v| v.rule != "untriaged-high"), "{gate:?}");
    assert_ne!(gate.status, GateStatus::Fail, "{gate:?}");
    let second = run_scan().await;
    let gate = state.store.gate_of_project(tenant, project.id).await.expect("project gate");
    assert_eq!(gate.scan_id, second);
    assert!(gate.violations.iter().all(|v| v.rule != "untriaged-high"), "{gate:?}");
    assert_ne!(gate.status, GateStatus::Fail, "{gate:?}");
    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});

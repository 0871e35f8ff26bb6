//! Issue 19: policy documents and their evaluation on real scans — the policy fixture tree
//! (werkzeug 2.3.3 with the real PYSEC-2023-221, an AGPL distribution; tests/fixtures/policy),
//! vaultwarden's lockfiles with real RustSec records and no npm data (tests/fixtures/vaultwarden),
//! and the labelled certificates and keys of the crypto corpus (fixtures/crypto/pem).

use cairn_engine::policy::{
    Action, CryptoFacts, Exception, GateStatus, Policy, PolicyInput, ProjectFacts, Subject, VulnFacts,
    apply_exceptions, evaluate,
};
use cairn_engine::vuln::{Database, Matches, load_paths, match_inventory};
use cairn_engine::{NoProgress, Scan, ScanOptions, scan_path};
use cairn_vocab::TriageState;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::macros::datetime;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scanned(tree: &Path, crypto: bool) -> Scan {
    scan_path(tree, &ScanOptions { crypto, ..ScanOptions::default() }, &NoProgress).expect("scan")
}

/// The policy fixture scanned and matched against the PyPA records.
fn fixture() -> (Scan, Database, Matches) {
    let scan = scanned(&root().join("tests/fixtures/policy/tree"), false);
    let db = load_paths(&[root().join("tests/fixtures/osv-scan")]).expect("osv");
    let m = match_inventory(&scan.inventory, &db);
    (scan, db, m)
}

fn policy(rules: &str) -> Policy {
    Policy::parse(&format!("format = \"cairn-policy/1\"\nid = \"t\"\n{rules}")).expect("policy")
}

const NOW: OffsetDateTime = datetime!(2026-12-07 00:00 UTC);

fn input<'a>(scan: &'a Scan, vulns: Option<VulnFacts>) -> PolicyInput<'a> {
    PolicyInput {
        project: ProjectFacts { name: "web".into(), tags: vec!["prod".into()] },
        now: NOW,
        components: &scan.inventory.components,
        vulnerabilities: vulns,
        crypto: None,
    }
}

fn subjects(p: &Policy, i: &PolicyInput<'_>) -> Vec<String> {
    evaluate(p, i).violations.iter().map(|v| format!("{} {}", v.rule, v.subject)).collect()
}

#[test]
fn the_default_policy_reads_and_says_what_the_issue_asks() {
    let p = Policy::builtin_default();
    assert_eq!((p.id.as_str(), p.revision), ("default", 1));
    let ids: Vec<(&str, Action)> = p.rules.iter().map(|r| (r.id.as_str(), r.action)).collect();
    assert_eq!(
        ids,
        [
            ("untriaged-high", Action::Fail),
            ("medium", Action::Warn),
            ("unknown-severity", Action::Warn),
            ("unmaintained-unsound", Action::Warn),
            ("network-copyleft-runtime", Action::Warn),
            ("quantum-vulnerable-key-exchange", Action::Warn),
            ("stale-vulnerability-data", Action::Warn),
        ]
    );
}

#[test]
fn bad_documents_name_the_rule_and_the_field() {
    let head = "format = \"cairn-policy/1\"\nid = \"p\"\n[[rules]]\nid = \"r\"\naction = \"fail\"\nmessage = \"m\"\n";
    for (body, expected) in [
        (
            "finding = { min_severity = \"hihg\" }",
            "rule \"r\": field finding.min_severity: unknown variant `hihg`",
        ),
        (
            "license = { categories = [\"agpl\"] }",
            "rule \"r\": field license.categories[0]: unknown variant `agpl`",
        ),
        (
            "license = { obligations = [\"share\"] }",
            "rule \"r\": field license.obligations[0]: unknown obligation \"share\"",
        ),
        (
            "inventory = { deny = [\"left-pad\"] }",
            "rule \"r\": field inventory.deny: \"left-pad\" is not a purl pattern",
        ),
        (
            "finding = { min_cvss = 11.0 }",
            "rule \"r\": field finding.min_cvss: a CVSS score is between 0.0 and 10.0",
        ),
        (
            "crypto = { readiness_below = 101 }",
            "rule \"r\": field crypto.readiness_below: the readiness score is 0 to 100",
        ),
        ("crypto = {}", "rule \"r\": field crypto: needs at least one check"),
        ("finding = {}\ndata = { older_than_days = 1 }", "rule \"r\": needs exactly one condition table"),
        ("", "rule \"r\": needs exactly one condition table"),
        (
            "finding = {}\nscope = { ecosystems = [\"cargo\"] }",
            "rule \"r\": field scope.ecosystems[0]: unknown variant `cargo`",
        ),
        (
            "finding = {}\n[[rules]]\nid = \"r\"\naction = \"warn\"\nmessage = \"m\"\ndata = { older_than_days = 1 }",
            "rule \"r\": field id: used by an earlier rule",
        ),
    ] {
        let e = Policy::parse(&format!("{head}{body}")).expect_err(body).to_string();
        assert!(e.starts_with(expected), "{body}: {e}");
    }
    let e = Policy::parse("format = \"cairn-policy/1\"\nid = \"p\"\n[[rules]]\naction = \"block\"\n")
        .expect_err("action");
    assert!(e.to_string().starts_with("rule \"#1\": field action: unknown variant `block`"), "{e}");
    let e = Policy::parse("format = \"cairn-policy/2\"\nid = \"p\"\n").expect_err("format");
    assert_eq!(
        e.to_string(),
        "field format: \"cairn-policy/2\" is not a format this version reads (cairn-policy/1)"
    );
    let e = Policy::parse("{\"format\":\"cairn-policy/1\",\"id\":\"p\",\"rules\":[{\"id\":\"j\",\"action\":\"warn\",\"message\":\"m\",\"finding\":{\"triage\":[\"ignored\"]}}]}")
        .expect_err("json");
    assert!(e.to_string().starts_with("rule \"j\": field finding.triage"), "{e}");
    assert!(Policy::parse("format = [").expect_err("toml").to_string().starts_with("not valid TOML"));
}

#[test]
fn finding_conditions_on_a_real_advisory() {
    let (scan, db, m) = fixture();
    let open = || Some(VulnFacts::of(&m, &db, |_| None));
    let hit = vec!["r PYSEC-2023-221 in pkg:pypi/werkzeug@2.3.3".to_owned()];
    for (cond, expected) in [
        ("min_severity = \"high\"", hit.clone()),
        ("min_severity = \"critical\"", vec![]),
        ("severity = [\"high\"]", hit.clone()),
        ("min_cvss = 7.5", hit.clone()),
        ("min_cvss = 7.6", vec![]),
        ("fix_available = true", hit.clone()),
        ("fix_available = false", vec![]),
        // Published 2023-10-25: over three years before NOW.
        ("min_age_days = 365", hit.clone()),
        ("min_age_days = 5000", vec![]),
        ("triage = [\"affected\"]", vec![]),
    ] {
        let p = policy(&format!(
            "[[rules]]\nid = \"r\"\naction = \"fail\"\nmessage = \"m\"\nfinding = {{ {cond} }}"
        ));
        assert_eq!(subjects(&p, &input(&scan, open())), expected, "{cond}");
    }
    // A person settled it: the default (open findings) no longer counts it; asking for it does.
    let settled = || Some(VulnFacts::of(&m, &db, |_| Some(TriageState::NotAffected)));
    let p = policy(
        "[[rules]]\nid = \"r\"\naction = \"fail\"\nmessage = \"m\"\nfinding = { min_severity = \"high\" }",
    );
    assert_eq!(evaluate(&p, &input(&scan, settled())).status, GateStatus::Pass);
    assert_eq!(evaluate(&p, &input(&scan, open())).status, GateStatus::Fail);
    let p = policy(
        "[[rules]]\nid = \"r\"\naction = \"warn\"\nmessage = \"m\"\nfinding = { triage = [\"not_affected\"] }",
    );
    assert_eq!(evaluate(&p, &input(&scan, settled())).status, GateStatus::Warn);
    // Scopes: another project, another tag, another ecosystem.
    for scope in ["projects = [\"api\"]", "tags = [\"dev\"]", "ecosystems = [\"npm\"]"] {
        let p = policy(&format!(
            "[[rules]]\nid = \"r\"\naction = \"fail\"\nmessage = \"m\"\nfinding = {{}}\nscope = {{ {scope} }}"
        ));
        assert!(subjects(&p, &input(&scan, open())).is_empty(), "{scope}");
    }
    let p = policy(
        "[[rules]]\nid = \"r\"\naction = \"fail\"\nmessage = \"m\"\nfinding = {}\nscope = { tags = [\"prod\"], ecosystems = [\"PyPI\"] }",
    );
    assert_eq!(subjects(&p, &input(&scan, open())), hit);
}

#[test]
fn what_cannot_be_evaluated_is_said_never_passed() {
    let (scan, _, _) = fixture();
    let p = Policy::builtin_default();
    let r = evaluate(&p, &input(&scan, None));
    let reasons: Vec<(&str, &str)> =
        r.not_evaluated.iter().map(|n| (n.rule.as_str(), n.reason.as_str())).collect();
    assert!(
        reasons.contains(&("untriaged-high", "no vulnerability data: findings were not matched")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("stale-vulnerability-data", "no vulnerability data: nothing to date")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(
            "quantum-vulnerable-key-exchange",
            "cryptography was not inventoried in this scan (crypto detection did not run)"
        )),
        "{reasons:?}"
    );
    // Vaultwarden: npm components and no npm data: every finding rule says so.
    let f = root().join("tests/fixtures/vaultwarden");
    let scan = scanned(&f.join("tree"), false);
    let db = load_paths(&[f.join("osv")]).expect("osv");
    let m = match_inventory(&scan.inventory, &db);
    let r = evaluate(&p, &input(&scan, Some(VulnFacts::of(&m, &db, |_| None))));
    assert!(
        r.not_evaluated.iter().any(|n| n.rule == "untriaged-high" && n.reason == "npm 200 not evaluated — no advisories loaded"),
        "{:?}",
        r.not_evaluated
    );
    // The two unmaintained notices warn; the four unrated findings warn as unknown severity.
    assert_eq!(r.violations.iter().filter(|v| &*v.rule == "unmaintained-unsound").count(), 2);
    assert_eq!(r.violations.iter().filter(|v| &*v.rule == "unknown-severity").count(), 4);
    let p = policy("[[rules]]\nid = \"s\"\naction = \"fail\"\nmessage = \"m\"\nfinding = { min_cvss = 1.0 }");
    let r = evaluate(&p, &input(&scan, Some(VulnFacts::of(&m, &db, |_| None))));
    assert!(
        r.not_evaluated.iter().any(|n| n.reason == "4 findings have no CVSS score (min_cvss)"),
        "{:?}",
        r.not_evaluated
    );
}

#[test]
fn license_conditions_per_id_category_obligation_and_usage() {
    let (scan, db, m) = fixture();
    let vulns = || Some(VulnFacts::of(&m, &db, |_| None));
    let agpl = vec!["l pkg:pypi/pymupdf@1.23.8 (AGPL-3.0-only)".to_owned()];
    for (cond, expected) in [
        ("ids = [\"AGPL-*\"]", agpl.clone()),
        ("ids = [\"GPL-*\"]", vec![]),
        ("categories = [\"network-copyleft\"]", agpl.clone()),
        ("categories = [\"strong-copyleft\"]", vec![]),
        ("obligations = [\"network_use\"]", agpl.clone()),
        ("ids = [\"AGPL-*\"], allow = [\"AGPL-3.0-only\"]", vec![]),
        ("categories = [\"network-copyleft\"], usage = [\"dev\"]", vec![]),
        ("categories = [\"network-copyleft\"], usage = [\"runtime\"]", agpl.clone()),
    ] {
        let p = policy(&format!(
            "[[rules]]\nid = \"l\"\naction = \"fail\"\nmessage = \"m\"\nlicense = {{ {cond} }}"
        ));
        assert_eq!(subjects(&p, &input(&scan, vulns())), expected, "{cond}");
    }
    let p = policy(
        "[[rules]]\nid = \"l\"\naction = \"info\"\nmessage = \"m\"\nlicense = { not_determined = true }",
    );
    let r = evaluate(&p, &input(&scan, vulns()));
    assert_eq!(r.violations.len(), 7, "the seven requirements.txt pins carry no license data");
    assert_eq!(r.status, GateStatus::Pass, "info never changes the status");
}

#[test]
fn inventory_conditions_deny_and_unpinned() {
    let (scan, _, _) = fixture();
    let p = policy(
        "[[rules]]\nid = \"d\"\naction = \"fail\"\nmessage = \"m\"\ninventory = { deny = [\"pkg:pypi/werkzeug@2.3.3\", \"pkg:pypi/flask*\", \"pkg:pypi/jinja2@9.9.9\"] }",
    );
    assert_eq!(subjects(&p, &input(&scan, None)), ["d pkg:pypi/flask@2.3.2", "d pkg:pypi/werkzeug@2.3.3"]);
    // Every component of the fixture is pinned by requirements.txt.
    let unpinned = policy(
        "[[rules]]\nid = \"u\"\naction = \"warn\"\nmessage = \"m\"\ninventory = { unpinned = true, no_lockfile = true }",
    );
    assert!(subjects(&unpinned, &input(&scan, None)).is_empty());
    // A manifest no lockfile resolves: its requirements and the manifest itself.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"web\"\nversion = \"0.1.0\"\ndependencies = [\"flask>=2.3\", \"werkzeug>=2.3\"]\n",
    )
    .expect("write");
    let bare = scanned(dir.path(), false);
    assert_eq!(
        subjects(&unpinned, &input(&bare, None)),
        ["u pkg:pypi/flask", "u pkg:pypi/werkzeug", "u pyproject.toml"]
    );
}

#[test]
fn crypto_conditions_on_corpus_keys_and_sources() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crypto/pem");
    let scan = scanned(&tree, true);
    let facts = CryptoFacts { uses: &scan.crypto, material: &scan.crypto_material };
    let with = |now: OffsetDateTime| PolicyInput { crypto: Some(facts), now, ..input(&scan, None) };
    let keys =
        policy("[[rules]]\nid = \"k\"\naction = \"fail\"\nmessage = \"m\"\ncrypto = { private_keys = true }");
    assert_eq!(
        subjects(&keys, &with(NOW)),
        ["k private key (PEM PKCS#8) at Keats__jsonwebtoken__private_ed448_key.pem:1"]
    );
    let expired = policy(
        "[[rules]]\nid = \"x\"\naction = \"fail\"\nmessage = \"m\"\ncrypto = { expired_certificates = true }",
    );
    // lego's test certificate ends 2027-03-05, jsonwebtoken's in 3003 (openssl x509 -enddate).
    let hits = |now| subjects(&expired, &with(now));
    assert!(hits(NOW).is_empty());
    let lego = hits(datetime!(2027-06-01 00:00 UTC));
    assert_eq!(lego.len(), 1, "{lego:?}");
    assert!(lego[0].contains("expired 2027-03-05T00:19:02Z at go-acme__lego__cert-p256.pem:1"), "{lego:?}");
    assert_eq!(hits(datetime!(3100-01-01 00:00 UTC)).len(), 2);
    assert!(evaluate(&expired, &with(datetime!(2000-01-01 00:00 UTC))).violations.is_empty());

    // Sources: paramiko's group-14 key exchange (finite-field DH) is quantum-vulnerable key agreement.
    let src = scanned(&root().join("tests/fixtures/scan-tree/crypto"), true);
    let facts = CryptoFacts { uses: &src.crypto, material: &src.crypto_material };
    let i = PolicyInput { crypto: Some(facts), ..input(&src, None) };
    let kex = Policy::builtin_default();
    let r = evaluate(&kex, &i);
    let hits: Vec<String> = r
        .violations
        .iter()
        .filter(|v| &*v.rule == "quantum-vulnerable-key-exchange")
        .map(|v| v.subject.to_string())
        .collect();
    assert!(
        !hits.is_empty() && hits.iter().all(|h| h.contains("paramiko__paramiko__kex_group14.py")),
        "{hits:?}"
    );
    let ready = policy(
        "[[rules]]\nid = \"q\"\naction = \"warn\"\nmessage = \"m\"\ncrypto = { readiness_below = 100 }",
    );
    let r = evaluate(&ready, &i);
    assert!(
        matches!(&r.violations[0].subject, Subject::Scan { detail } if detail.starts_with("readiness ")),
        "{r:?}"
    );
}

#[test]
fn data_age_and_exceptions_until_they_expire() {
    let (scan, db, m) = fixture();
    let p = policy(
        "[[rules]]\nid = \"high\"\naction = \"fail\"\nmessage = \"m\"\nfinding = { min_severity = \"high\" }\n[[rules]]\nid = \"stale\"\naction = \"warn\"\nmessage = \"m\"\ndata = { older_than_days = 7 }",
    );
    let i = input(&scan, Some(VulnFacts::of(&m, &db, |_| None)));
    let mut r = evaluate(&p, &i);
    assert_eq!(r.status, GateStatus::Fail);
    assert!(
        r.violations.iter().any(|v| &*v.rule == "stale"
            && v.subject.to_string().starts_with("vulnerability data as of 2023-11-08"))
    );
    let key = r.violations[0].subject.key();
    assert_eq!(key, "finding:PYSEC-2023-221:pkg:pypi/werkzeug@2.3.3");
    let exception = Exception {
        id: "a1".into(),
        rule: Some("high".into()),
        subject: key,
        expires_at: datetime!(2026-12-31 00:00 UTC),
    };
    let before = r.clone();
    apply_exceptions(&mut r, std::slice::from_ref(&exception), NOW);
    assert_eq!(r.status, GateStatus::Warn, "the fail is waived; the stale data still warns");
    assert_eq!(r.waived.len(), 1);
    assert_eq!(r.waived[0].expires_at, "2026-12-31T00:00:00Z");
    let mut later = before;
    apply_exceptions(&mut later, &[exception], datetime!(2027-01-01 00:00 UTC));
    assert_eq!(later.status, GateStatus::Fail, "an expired exception waives nothing");
}

#[test]
fn every_example_in_docs_policies_md_reads() {
    let doc = std::fs::read_to_string(root().join("docs/policies.md")).expect("docs/policies.md");
    let blocks: Vec<&str> = doc.split("```toml\n").skip(1).filter_map(|b| b.split("```").next()).collect();
    assert!(blocks.len() >= 4, "{}", blocks.len());
    for b in blocks {
        if let Err(e) = Policy::parse(b) {
            panic!("{e}\n{b}");
        }
    }
}

/// The shared strings (`Arc<str>`) of violations and facts read and write as the plain strings
/// the daemon stored before they were shared: a gate and its facts stored earlier still read, and
/// a gate written now is the same JSON.
#[test]
fn shared_strings_keep_the_stored_json() {
    let (scan, db, m) = fixture();
    let facts = VulnFacts::of(&m, &db, |_| None);
    let stored = serde_json::to_value(&facts).expect("facts");
    let first = &stored["findings"][0];
    assert!(first["advisory"].is_string() && first["purl"].is_string(), "{first}");
    let back: VulnFacts = serde_json::from_value(stored).expect("facts read back");
    assert_eq!(back, facts);
    let p = policy(
        "[[rules]]\nid = \"any\"\naction = \"fail\"\nmessage = \"no findings\"\nfinding = { triage = [\"untriaged\"] }",
    );
    let gate = evaluate(&p, &input(&scan, Some(facts)));
    let v = &gate.violations[0];
    let Subject::Finding { advisory, purl } = &v.subject else { panic!("{v:?}") };
    assert_eq!(
        serde_json::to_value(v).expect("violation"),
        serde_json::json!({
            "rule": "any",
            "action": "fail",
            "subject": {"kind": "finding", "advisory": &**advisory, "purl": &**purl},
            "message": "no findings",
        })
    );
    let json = serde_json::to_string(&gate).expect("gate");
    assert_eq!(
        serde_json::from_str::<cairn_engine::policy::GateResult>(&json).expect("gate read back"),
        gate
    );
}

//! Test data with fixed ids and timestamps (no clock), shaped like the daemon's answers.

use cairn_sdk::types::{
    CryptoAsset, Finding, PqcSummary, Project, ProjectId, ProjectKind, ProjectRisk, Scan, ScanComponent,
    ScanCounts, ScanDiagnostic, ScanEdge, ScanEvent, ScanFinding, ScanId, ScanLicense, ScanSource,
    ScanStatus, ScanWarning, Severity, SeverityCounts, Triage, TriageState, UserId, VulnDataState,
    VulnDataUsed, VulnDbStatus, WarningKind,
};
use cairn_tui::dash::msg::Session;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

pub const T0: OffsetDateTime = datetime!(2026-11-20 10:00 UTC);
pub const NOW: OffsetDateTime = datetime!(2026-11-20 10:03 UTC);

pub fn scan_id(n: u128) -> ScanId {
    ScanId(Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_0000 + n))
}

pub fn project_id(n: u128) -> ProjectId {
    ProjectId(Uuid::from_u128(0x0198_1111_0000_7000_8000_0000_0000_0000 + n))
}

pub fn session() -> Session {
    Session {
        server: "https://cairn.example.test".into(),
        local: false,
        user: "ada@example.test".into(),
        tenant: "acme".into(),
        user_id: Some(user_id(1)),
        role: Some(cairn_sdk::types::Role::Admin),
    }
}

pub fn user_id(n: u128) -> UserId {
    UserId(Uuid::from_u128(0x0198_2222_0000_7000_8000_0000_0000_0000 + n))
}

pub fn version_id(n: u128) -> cairn_sdk::types::VersionId {
    cairn_sdk::types::VersionId(Uuid::from_u128(0x0198_3333_0000_7000_8000_0000_0000_0000 + n))
}

pub fn request_id(n: u128) -> cairn_sdk::types::FeatureRequestId {
    cairn_sdk::types::FeatureRequestId(Uuid::from_u128(0x0198_4444_0000_7000_8000_0000_0000_0000 + n))
}

/// A digest of 64 hex digits made of `c`.
pub fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

/// An image project (kind image), named as the daemon names catalogue projects.
pub fn image(n: u128, name: &str, scanned: bool) -> Project {
    Project { kind: ProjectKind::Image, tags: Vec::new(), ..project(n, name, scanned) }
}

/// Tag `name` of image project 1, resolved to `digest` when scanned.
pub fn image_version(n: u128, name: &str, digest: Option<String>) -> cairn_sdk::types::Version {
    cairn_sdk::types::Version {
        id: version_id(n),
        project_id: project_id(1),
        name: name.into(),
        release_state: cairn_sdk::types::ReleaseState::Released,
        support_until: None,
        released_at: None,
        version: 1,
        created_at: T0,
        updated_at: T0,
        image_digest: digest,
    }
}

/// A feature request asked by `user_id(by)`.
pub fn request(
    n: u128,
    kind: cairn_sdk::types::FeatureRequestKind,
    status: cairn_sdk::types::FeatureRequestStatus,
    by: u128,
    version: i64,
) -> cairn_sdk::types::FeatureRequest {
    cairn_sdk::types::FeatureRequest {
        id: request_id(n),
        kind,
        title: format!("Support distroless images ({n})"),
        body: "status.d instead of status\nas in gcr.io/distroless/base".into(),
        status,
        requested_by: Some(user_id(by)),
        status_note: None,
        status_changed_by: None,
        status_changed_at: None,
        version,
        created_at: T0,
        updated_at: T0,
    }
}

pub fn vulndb(state: VulnDataState) -> VulnDbStatus {
    VulnDbStatus {
        state,
        snapshot: Some("2026-11-20T09:00:00Z".into()),
        advisories: if state == VulnDataState::None { 0 } else { 48_213 },
        updated_at: Some(T0),
        current_as_of: Some(T0),
        age_seconds: Some(if state == VulnDataState::Stale { 9 * 86_400 } else { 3 * 3600 }),
        stale_after_seconds: 7 * 86_400,
        mirror: "https://mirror.example.test".into(),
        sources: Vec::new(),
    }
}

pub fn counts(findings: u64) -> ScanCounts {
    ScanCounts {
        components: 42,
        findings,
        severities: SeverityCounts {
            critical: 1,
            high: 2,
            medium: findings.saturating_sub(4),
            low: 1,
            none: 0,
            unknown: 0,
        },
        licensed_components: 40,
        crypto_assets: 3,
        diagnostics: 0,
        ..ScanCounts::default()
    }
}

pub fn scan(n: u128, status: ScanStatus, percent: u8) -> Scan {
    Scan {
        id: scan_id(n),
        project_id: Some(project_id(1)),
        version_id: None,
        status,
        source: ScanSource::Git {
            url: format!("https://git.example.test/acme/app{n}.git"),
            reference: Some("main".into()),
        },
        requested_by: None,
        error: (status == ScanStatus::Failed).then(|| "clone failed: repository not found".into()),
        vulndb: Some(VulnDataUsed {
            state: VulnDataState::Fresh,
            snapshot: None,
            advisories: 48_213,
            updated_at: Some(T0),
            current_as_of: Some(T0),
        }),
        counts: counts(7),
        percent,
        version: 1,
        created_at: T0,
        started_at: Some(T0),
        finished_at: status.is_terminal().then_some(T0),
        pqc: Some(PqcSummary {
            score: Some(62),
            methodology: "cairn-pqc-1".into(),
            rated: 3,
            safe: 1,
            quantum_vulnerable: 2,
            assets: 3,
        }),
    }
}

pub fn project(n: u128, name: &str, scanned: bool) -> Project {
    Project {
        id: project_id(n),
        name: name.into(),
        kind: ProjectKind::Repo,
        repo_url: None,
        default_ref: None,
        team_id: None,
        tags: vec!["web".into()],
        product: Default::default(),
        version: 1,
        created_at: T0,
        updated_at: T0,
        risk: scanned.then(|| ProjectRisk {
            scan_id: scan_id(n),
            scanned_at: T0,
            counts: counts(7),
            open_findings: 5,
            pqc_score: Some(62),
        }),
    }
}

pub fn triage(state: TriageState, version: i64) -> Triage {
    Triage {
        state,
        justification: None,
        response: None,
        note: Some("checked by ada".into()),
        updated_by: Some(UserId(Uuid::from_u128(7))),
        updated_by_email: Some("ada@example.test".into()),
        source: None,
        updated_at: T0,
        version,
    }
}

pub fn finding(scan: ScanId, i: usize, t: Option<Triage>) -> Finding {
    let severity =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Unknown][i % 5];
    Finding {
        finding: ScanFinding {
            id: format!("f-{i:06}"),
            scan_id: scan,
            project_id: Some(project_id(1)),
            component_id: format!("c-{i}"),
            purl: format!("pkg:npm/package-{i}@1.{i}.0"),
            vulnerability_id: format!("GHSA-{:04x}-abcd-{:04}", i % 65_536, i % 10_000),
            aliases: vec![format!("CVE-2026-{:05}", i % 100_000)],
            summary: Some(format!("Prototype pollution in package-{i}")),
            severity,
            cvss_score: Some(7.5),
            cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into()),
            fixed_version: Some(format!("1.{i}.1")),
            created_at: T0,
        },
        triage: t,
        known_exploited: None,
        details: None,
        references: Vec::new(),
    }
}

pub fn findings(scan: ScanId, n: usize) -> Vec<Finding> {
    (0..n).map(|i| finding(scan, i, (i % 3 == 1).then(|| triage(TriageState::NotAffected, 2)))).collect()
}

pub fn components() -> Vec<ScanComponent> {
    ["express", "lodash", "qs", "négociateur-ünicode-with-a-very-long-name-that-does-not-fit-anywhere"]
        .iter()
        .enumerate()
        .map(|(i, name)| ScanComponent {
            id: format!("c-{i}"),
            purl: format!("pkg:npm/{name}@4.{i}.0"),
            ecosystem: "npm".into(),
            name: (*name).into(),
            version: Some(format!("4.{i}.0")),
            scope: Some(cairn_sdk::types::DependencyScope::Required),
            direct: i < 2,
            local: false,
            license: Some("MIT".into()),
            locations: vec![format!("package-lock.json:{}", 10 + i)],
            hashes: Vec::new(),
            findings: u64::try_from(i).unwrap_or(0),
        })
        .collect()
}

/// Edges between `components()`, by purl as the daemon gives them: express → lodash, qs;
/// qs → lodash; lodash → négociateur.
pub fn edges() -> Vec<ScanEdge> {
    let cs = components();
    let e = |a: usize, b: usize| ScanEdge { from: cs[a].purl.clone(), to: cs[b].purl.clone() };
    vec![e(0, 1), e(0, 2), e(2, 1), e(1, 3)]
}

pub fn diagnostic(severity: &str, path: Option<&str>, line: Option<u32>, message: &str) -> ScanDiagnostic {
    ScanDiagnostic { severity: severity.into(), path: path.map(str::to_owned), line, message: message.into() }
}

pub fn licenses() -> Vec<ScanLicense> {
    vec![
        ScanLicense {
            component_id: "c-0".into(),
            purl: "pkg:npm/express@4.0.0".into(),
            declared: Some("MIT".into()),
            detected: Some("MIT".into()),
            concluded: Some("MIT".into()),
            category: Some("permissive".into()),
        },
        ScanLicense {
            component_id: "c-1".into(),
            purl: "pkg:npm/gpl-thing@1.0.0".into(),
            declared: Some("GPL-3.0-only".into()),
            detected: None,
            concluded: Some("GPL-3.0-only".into()),
            category: Some("copyleft".into()),
        },
    ]
}

pub fn crypto() -> Vec<CryptoAsset> {
    vec![
        CryptoAsset {
            id: "a-1".into(),
            asset_type: "algorithm".into(),
            name: "RSA-2048".into(),
            primitive: Some("pke".into()),
            quantum_level: Some(0),
            detail: serde_json::json!({"properties": [{"name": "cairn:crypto:replacement", "value": "ML-KEM-768"}]}),
            locations: vec!["src/tls.rs:12".into(), "src/keys.rs:3".into()],
        },
        CryptoAsset {
            id: "a-2".into(),
            asset_type: "algorithm".into(),
            name: "AES-256-GCM".into(),
            primitive: Some("ae".into()),
            quantum_level: Some(5),
            detail: serde_json::json!({}),
            locations: vec!["src/store.rs:40".into()],
        },
    ]
}

pub fn event(scan: ScanId, seq: i64, status: ScanStatus, percent: u8) -> ScanEvent {
    ScanEvent {
        scan_id: scan,
        seq,
        status,
        step: Some(status.as_str().into()),
        percent,
        message: Some(format!("{} at {percent}%", status.as_str())),
        ts: T0,
        counts: counts(7),
    }
}

/// The two informational advisories on vaultwarden's real lockfile (tests/fixtures/vaultwarden:
/// RUSTSEC-2025-0052 and RUSTSEC-2025-0134 on the Cargo.lock's async-std and rustls-pemfile).
pub fn warnings() -> Vec<ScanWarning> {
    let one = |id: &str, name: &str, version: &str, summary: &str| ScanWarning {
        kind: WarningKind::Unmaintained,
        advisory_id: id.into(),
        aliases: Vec::new(),
        purl: format!("pkg:cargo/{name}@{version}"),
        ecosystem: "cargo".into(),
        name: name.into(),
        version: version.into(),
        summary: Some(summary.into()),
        fixed: Vec::new(),
        url: Some(format!("https://rustsec.org/advisories/{id}.html")),
    };
    vec![
        one("RUSTSEC-2025-0052", "async-std", "1.13.2", "async-std has been discontinued"),
        one("RUSTSEC-2025-0134", "rustls-pemfile", "1.0.4", "rustls-pemfile is unmaintained"),
    ]
}

pub fn notification_id(n: u128) -> cairn_sdk::types::NotificationId {
    cairn_sdk::types::NotificationId(Uuid::from_u128(0x0198_2222_0000_7000_8000_0000_0000_0000 + n))
}

/// A notification made `minutes` after `T0` from an event of `kind` with `data`; read or not.
pub fn notification(
    n: u128,
    kind: cairn_sdk::types::EventKind,
    title: &str,
    data: serde_json::Value,
    minutes: i64,
    read: bool,
) -> cairn_sdk::types::Notification {
    let at = T0 + time::Duration::minutes(minutes);
    cairn_sdk::types::Notification {
        id: notification_id(n),
        kind,
        event: cairn_sdk::types::EventId(Uuid::from_u128(0x0198_3333_0000_7000_8000_0000_0000_0000 + n)),
        project: Some(project_id(1)),
        severity: Some(Severity::High),
        title: title.into(),
        data,
        created_at: at,
        read_at: read.then_some(at),
    }
}

pub fn watch_id(n: u128) -> cairn_sdk::types::CveWatchId {
    cairn_sdk::types::CveWatchId(Uuid::from_u128(0x0198_4444_0000_7000_8000_0000_0000_0000 + n))
}

pub fn watch(n: u128, target: cairn_sdk::types::WatchTarget, hits: u64) -> cairn_sdk::types::CveWatch {
    cairn_sdk::types::CveWatch { id: watch_id(n), target, hits, created_by: None, created_at: T0 }
}

/// A hit of watch `w` in project 1: of an advisory (with its finding) or of a package.
pub fn watch_hit(
    w: u128,
    n: u128,
    advisory: Option<&str>,
    at_creation: bool,
) -> cairn_sdk::types::CveWatchHit {
    cairn_sdk::types::CveWatchHit {
        id: cairn_sdk::types::CveWatchHitId(Uuid::from_u128(0x0198_5555_0000_7000_8000_0000_0000_0000 + n)),
        watch: watch_id(w),
        project: project_id(1),
        scan: scan_id(1),
        advisory: advisory.map(str::to_owned),
        purl: "pkg:pypi/lxml@4.6.2".into(),
        finding: advisory.map(|_| format!("0198aaaa-0000-7000-8000-00000000000{n}")),
        severity: advisory.map(|_| Severity::High),
        at_creation,
        found_at: T0 + time::Duration::minutes(i64::try_from(n).unwrap_or(0)),
    }
}

/// Scan 1's gate under the stored policy "Release gate" revision 2: `fail` with a fail and a warn
/// violation, one waived and one rule not evaluated; or `pass` with nothing.
pub fn gate(status: cairn_sdk::types::GateStatus) -> cairn_tui::dash::msg::GateView {
    use cairn_sdk::types::{
        GateNotEvaluated, GatePolicy, GateResult, GateStatus, GateSubject, GateViolation, GateWaived,
        PolicyAction, PolicyId,
    };
    let failing = status == GateStatus::Fail;
    let violations = if failing {
        vec![
            GateViolation {
                rule: "no-high".into(),
                action: PolicyAction::Fail,
                subject: GateSubject::Finding {
                    advisory: "PYSEC-2023-221".into(),
                    purl: "pkg:pypi/werkzeug@2.3.3".into(),
                },
                message: "No high or critical vulnerabilities".into(),
            },
            GateViolation {
                rule: "no-agpl".into(),
                action: PolicyAction::Warn,
                subject: GateSubject::License {
                    purl: "pkg:npm/ghostscript-js@1.0.0".into(),
                    license: "AGPL-3.0-only".into(),
                },
                message: "AGPL in a shipped dependency".into(),
            },
        ]
    } else {
        Vec::new()
    };
    cairn_tui::dash::msg::GateView {
        gate: GateResult {
            scan_id: scan_id(1),
            project_id: Some(project_id(1)),
            status,
            policy: GatePolicy {
                id: "release-gate".into(),
                revision: 2,
                stored_id: Some(PolicyId(Uuid::from_u128(0x0198_6666_0000_7000_8000_0000_0000_0001))),
            },
            violations,
            waived: if failing {
                vec![GateWaived {
                    rule: "no-high".into(),
                    action: PolicyAction::Fail,
                    subject: GateSubject::Finding {
                        advisory: "PYSEC-2023-73".into(),
                        purl: "pkg:pypi/redis@4.5.4".into(),
                    },
                    message: "No high or critical vulnerabilities".into(),
                    exception: "0198aaaa-0000-7000-8000-0000000000e1".into(),
                    expires_at: "2026-12-20T10:00:00Z".into(),
                }]
            } else {
                Vec::new()
            },
            not_evaluated: vec![GateNotEvaluated {
                rule: "pqc".into(),
                action: PolicyAction::Warn,
                reason: "the scan did not look for cryptography".into(),
            }],
            evaluated_at: NOW,
        },
        policy_name: Some("Release gate".into()),
    }
}

pub fn approval_id(n: u128) -> cairn_sdk::types::ApprovalId {
    cairn_sdk::types::ApprovalId(Uuid::from_u128(0x0198_7777_0000_7000_8000_0000_0000_0000 + n))
}

/// Approval `n` of project 1 for the werkzeug finding, in `state`, at `version`.
pub fn approval(n: u128, state: cairn_sdk::types::ApprovalState, version: i64) -> cairn_sdk::types::Approval {
    cairn_sdk::types::Approval {
        id: approval_id(n),
        project_id: project_id(1),
        rule: Some("no-high".into()),
        subject: cairn_sdk::types::GateSubject::Finding {
            advisory: "PYSEC-2023-221".into(),
            purl: "pkg:pypi/werkzeug@2.3.3".into(),
        },
        finding_id: None,
        state,
        reason: format!("fixed in the next release ({n})"),
        expires_at: datetime!(2026-12-20 10:00 UTC),
        requested_by: None,
        decided_by: None,
        decided_at: None,
        decision_note: None,
        version,
        created_at: T0,
        updated_at: T0,
    }
}

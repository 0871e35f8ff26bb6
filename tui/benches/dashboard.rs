//! The dashboard with 100k findings loaded: drawing the Vulnerabilities tab on a 200x50
//! TestBackend, a filter keystroke (then its draw), and a `G` jump (then its draw). The goal is
//! well under 16 ms a frame.

use std::hint::black_box;

use cairn_sdk::types::{Finding, Scan, ScanCounts, ScanFinding, ScanId, ScanSource, ScanStatus, Severity};
use cairn_tui::dash::msg::Msg;
use cairn_tui::dash::{App, Options};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::macros::datetime;
use uuid::Uuid;

const FINDINGS: usize = 100_000;

fn key(app: &mut App, code: KeyCode) {
    black_box(app.handle(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE))));
}

fn loaded() -> App {
    let id = ScanId(Uuid::from_u128(1));
    let t0 = datetime!(2026-11-20 10:00 UTC);
    let scan = Scan {
        id,
        project_id: None,
        version_id: None,
        status: ScanStatus::Completed,
        source: ScanSource::Path { path: "/srv/app".into() },
        requested_by: None,
        error: None,
        vulndb: None,
        counts: ScanCounts::default(),
        percent: 100,
        version: 1,
        created_at: t0,
        started_at: Some(t0),
        finished_at: Some(t0),
        pqc: None,
    };
    let findings: Vec<Finding> = (0..FINDINGS)
        .map(|i| Finding {
            finding: ScanFinding {
                id: format!("f-{i}"),
                scan_id: id,
                project_id: None,
                component_id: format!("c-{i}"),
                purl: format!("pkg:npm/package-{i}@1.{}.0", i % 97),
                vulnerability_id: format!("GHSA-{:04x}-{:04x}-wxyz", i % 65_536, i / 7),
                aliases: vec![format!("CVE-2026-{i:06}")],
                summary: Some(format!("Issue number {i} in a dependency")),
                severity: [Severity::Critical, Severity::High, Severity::Medium, Severity::Low][i % 4],
                cvss_score: None,
                cvss_vector: None,
                fixed_version: Some("2.0.0".into()),
                created_at: t0,
            },
            triage: None,
            known_exploited: None,
            details: None,
            references: Vec::new(),
        })
        .collect();
    let mut app = App::new(Options { readonly: false, color: true });
    app.init();
    app.update(Msg::Scans(Ok(vec![scan])));
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('3'));
    app.update(Msg::Findings { scan: id, result: Ok(findings) });
    app
}

fn bench(c: &mut Criterion) {
    let mut app = loaded();
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    c.bench_function("draw vulnerabilities tab, 100k findings, 200x50", |b| {
        b.iter(|| term.draw(|f| app.draw(f)).map(|_| ()).expect("draw"));
    });
    c.bench_function("filter keystroke over 100k findings + draw", |b| {
        b.iter(|| {
            // Type `9` (narrowing: only current matches are checked), draw, then delete it
            // (widening: a full pass), draw.
            key(&mut app, KeyCode::Char('/'));
            key(&mut app, KeyCode::Char('9'));
            term.draw(|f| app.draw(f)).map(|_| ()).expect("draw");
            key(&mut app, KeyCode::Backspace);
            key(&mut app, KeyCode::Enter);
            term.draw(|f| app.draw(f)).map(|_| ()).expect("draw");
        });
    });
    c.bench_function("G jump over 100k findings + draw", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Char('G'));
            term.draw(|f| app.draw(f)).map(|_| ()).expect("draw");
            key(&mut app, KeyCode::Char('g'));
            key(&mut app, KeyCode::Char('g'));
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The Summary tab: what was scanned, when, its policy gate (verdict, policy and revision, every
//! violation, what was waived and what was not evaluated), the counts by severity, the
//! vulnerability data the scan matched against, and its PQC score.

use cairn_sdk::types::{GateStatus, PolicyAction, Scan, ScanCounts, ScanStatus, Severity, VulnDataState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::ScanScreen;
use crate::dash::msg::GateView;
use crate::dash::remote::Remote;
use crate::dash::screens::queue::source_text;
use crate::dash::screens::{Ctx, failure_text, field, message};
use crate::dash::time::{ago, date};

/// Draw the summary.
pub fn draw(screen: &mut ScanScreen, frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let s = match &screen.scan {
        Remote::Loaded(s) => s,
        Remote::Failed(f) => {
            let lines = vec![
                Line::styled(format!("Could not load the scan: {}", failure_text(f)), t.bad()),
                Line::styled("Press r to retry.", t.dim()),
            ];
            return message(frame, area, ctx, "Summary", lines);
        }
        _ => {
            return message(
                frame,
                area,
                ctx,
                "Summary",
                vec![Line::styled(format!("{} Loading the scan…", ctx.spinner), t.dim())],
            );
        }
    };
    let mut lines = lines(s, screen.project_name.as_deref(), ctx);
    // The gate goes after the scan's identity, before the counts it judged.
    let at = lines.len().min(7);
    let gate = gate_lines(s, &screen.gate, ctx);
    lines.splice(at..at, gate);
    screen.summary_scroll =
        screen.summary_scroll.min(u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX));
    let block = Block::default().borders(Borders::ALL).title(" Summary ");
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((screen.summary_scroll, 0)),
        area,
    );
}

fn lines<'a>(s: &Scan, project: Option<&str>, ctx: &Ctx) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let c = &s.counts;
    let sev = c.severities;
    let mut lines = vec![
        field("Scan", s.id.to_string(), t, t.text()),
        field("Status", format!("{} ({}%)", s.status.as_str(), s.percent), t, t.text()),
        field("Source", source_text(&s.source), t, t.text()),
        field(
            "Project",
            match (project, s.project_id) {
                (Some(name), _) => name.to_owned(),
                (None, Some(id)) => id.to_string(),
                (None, None) => "(ad hoc)".to_owned(),
            },
            t,
            t.text(),
        ),
        field("Created", format!("{} ({})", date(s.created_at), ago(ctx.now, s.created_at)), t, t.text()),
        field("Started", s.started_at.map(date).unwrap_or_else(|| "-".into()), t, t.text()),
        field("Finished", s.finished_at.map(date).unwrap_or_else(|| "-".into()), t, t.text()),
        Line::raw(""),
        field("Components", c.components.to_string(), t, t.text()),
        findings_field(c, ctx),
        field(
            "  by severity",
            Severity::ALL.map(|s| format!("{s} {}", sev.get(s))).join("  "),
            t,
            if sev.critical + sev.high > 0 { t.bad() } else { t.text() },
        ),
        field(
            "Warnings",
            if c.warnings > 0 {
                format!(
                    "{} (unmaintained, unsound or notice advisories; not findings) · 8 lists them",
                    c.warnings
                )
            } else {
                "0 (unmaintained, unsound or notice advisories; not findings)".to_owned()
            },
            t,
            if c.warnings > 0 { t.warn() } else { t.text() },
        ),
        field("Licensed", format!("{} of {} components", c.licensed_components, c.components), t, t.text()),
        field("Crypto assets", c.crypto_assets.to_string(), t, t.text()),
        if c.diagnostics > 0 {
            field("Diagnostics", format!("{} (enter lists them)", c.diagnostics), t, t.warn())
        } else {
            field("Diagnostics", "0", t, t.text())
        },
    ];
    lines.push(match &s.vulndb {
        None => field("Vuln data", "not recorded for this scan", t, t.dim()),
        Some(v) => match v.state {
            VulnDataState::None | VulnDataState::Unknown => {
                field("Vuln data", "NONE: no advisories were matched; import or update the data", t, t.bad())
            }
            VulnDataState::Stale => field(
                "Vuln data",
                format!(
                    "STALE: {} advisories, updated {}",
                    v.advisories,
                    v.updated_at.map(date).unwrap_or_default()
                ),
                t,
                t.warn(),
            ),
            VulnDataState::Fresh => field(
                "Vuln data",
                format!(
                    "fresh: {} advisories, updated {}",
                    v.advisories,
                    v.updated_at.map(date).unwrap_or_default()
                ),
                t,
                t.good(),
            ),
        },
    });
    lines.extend(coverage_lines(c, ctx));
    if let Some(p) = &s.pqc {
        lines.push(field(
            "PQC score",
            format!(
                "{} ({} rated, {} safe, {} quantum-vulnerable; {})",
                p.score.map_or_else(|| "-".to_owned(), |s| s.to_string()),
                p.rated,
                p.safe,
                p.quantum_vulnerable,
                p.methodology
            ),
            t,
            if p.quantum_vulnerable > 0 { t.warn() } else { t.good() },
        ));
    }
    if let Some(e) = &s.error {
        lines.push(field("Error", e.clone(), t, t.bad()));
    }
    lines
}

/// Components of ecosystems without data were not checked: "Findings 0" alone would read as
/// "checked, nothing found", so the count says how many were not evaluated.
fn findings_field<'a>(c: &ScanCounts, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    let not_evaluated: u64 = c.coverage.iter().map(|e| e.not_evaluated_count()).sum();
    if not_evaluated > 0 {
        return field(
            "Findings",
            format!(
                "{} in evaluated components; {not_evaluated} components NOT evaluated (see Coverage)",
                c.findings
            ),
            t,
            t.warn(),
        );
    }
    field("Findings", c.findings.to_string(), t, if c.findings > 0 { t.warn() } else { t.good() })
}

/// One line per ecosystem part: `npm 1767 not evaluated — no advisories loaded` (as the CLI).
fn coverage_lines<'a>(c: &ScanCounts, ctx: &Ctx) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let mut out = Vec::new();
    for e in &c.coverage {
        for (i, line) in e.lines().into_iter().enumerate() {
            let style = if i == 0 && e.evaluated > 0 { t.text() } else { t.warn() };
            let label = if out.is_empty() { "Coverage" } else { "" };
            out.push(field(label, line, t, style));
        }
    }
    out
}

/// The gate: the verdict in its colour with the policy's name and revision, then one line per
/// violation (action, rule, subject, message), waived ones with their exception's end, and the
/// rules that could not look at everything (a pass is only as good as what was evaluated).
fn gate_lines<'a>(s: &Scan, gate: &Remote<Option<GateView>>, ctx: &Ctx) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let g = match gate {
        Remote::Loaded(Some(g)) => g,
        Remote::Loaded(None) => return vec![field("Gate", "none: this scan was not evaluated", t, t.dim())],
        Remote::Failed(f) => {
            return vec![field(
                "Gate",
                format!("could not load: {} (r retries)", failure_text(f)),
                t,
                t.bad(),
            )];
        }
        _ if s.status != ScanStatus::Completed => {
            return vec![field("Gate", "evaluated when the scan completes", t, t.dim())];
        }
        _ => return vec![field("Gate", format!("{} loading…", ctx.spinner), t, t.dim())],
    };
    let gate = &g.gate;
    let (word, style) = match gate.status {
        GateStatus::Pass => ("PASS", t.good()),
        GateStatus::Warn => ("WARN", t.warn()),
        GateStatus::Fail => ("FAIL", t.bad()),
    };
    let policy = match (&g.policy_name, gate.policy.stored_id) {
        (Some(name), _) => format!("{name} ({} revision {})", gate.policy.id, gate.policy.revision),
        (None, Some(_)) => format!("{} revision {}", gate.policy.id, gate.policy.revision),
        (None, None) => format!("{} revision {} (built in)", gate.policy.id, gate.policy.revision),
    };
    let mut out = vec![field("Gate", format!("{word} · policy {policy}"), t, style)];
    let action_style = |a: PolicyAction| match a {
        PolicyAction::Fail => t.bad(),
        PolicyAction::Warn => t.warn(),
        PolicyAction::Info => t.text(),
    };
    let count = gate.violations.len();
    out.push(field(
        "  violations",
        match count {
            0 => "none".to_owned(),
            n => format!("{n} (a asks for an exception to one)"),
        },
        t,
        t.text(),
    ));
    for v in &gate.violations {
        out.push(field(
            "",
            format!(
                "{} {}: {} — {}",
                action_word(v.action),
                v.rule,
                crate::comparison_text::subject(&v.subject),
                v.message
            ),
            t,
            action_style(v.action),
        ));
    }
    for w in &gate.waived {
        out.push(field(
            "  waived",
            format!(
                "{} {}: {} — exception until {}",
                action_word(w.action),
                w.rule,
                crate::comparison_text::subject(&w.subject),
                w.expires_at
            ),
            t,
            t.dim(),
        ));
    }
    for n in &gate.not_evaluated {
        out.push(field("  left out", format!("{}: {}", n.rule, n.reason), t, t.warn()));
    }
    out
}

fn action_word(a: PolicyAction) -> &'static str {
    match a {
        PolicyAction::Fail => "fail",
        PolicyAction::Warn => "warn",
        PolicyAction::Info => "info",
    }
}

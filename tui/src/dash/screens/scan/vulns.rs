//! The Vulnerabilities tab: one row per finding (advisory, severity, triage state, purl, fix);
//! `space` marks rows for bulk triage, `enter` opens one. Built for 100k rows: only the visible
//! rows are drawn and the filter runs over haystacks computed when the findings arrived.

use cairn_sdk::types::{Finding, Scan, VulnDataState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph};

use super::TabData;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::widgets::list::{Columns, draw_table};

/// A finding's triage state as shown: `untriaged` when nobody triaged it.
pub fn state_text(f: &Finding) -> &'static str {
    f.triage.as_ref().map_or("untriaged", |t| t.state.as_str())
}

/// Findings worst first ([`Finding::worst_first`]; the daemon pages them in id order).
pub fn worst_first(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(Finding::worst_first);
    findings
}

/// A finding's filter text.
pub fn haystack(f: &Finding) -> String {
    let s = &f.finding;
    format!(
        "{} {} {} {} {} {}",
        s.vulnerability_id,
        s.aliases.join(" "),
        s.purl,
        s.severity,
        state_text(f),
        s.summary.as_deref().unwrap_or("")
    )
}

/// Draw the tab; a warning line first when the scan matched against missing or stale data.
pub fn draw(tab: &mut TabData<Finding>, scan: Option<&Scan>, frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let warning = scan.and_then(|s| s.vulndb.as_ref()).and_then(|v| match v.state {
        VulnDataState::None => Some(Line::styled(
            "No vulnerability data was available for this scan: findings are missing.",
            t.bad(),
        )),
        VulnDataState::Stale => Some(Line::styled(
            "This scan matched against stale vulnerability data: findings may be missing.",
            t.warn(),
        )),
        VulnDataState::Fresh => None,
    });
    let area = match warning {
        Some(w) => {
            let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
            frame.render_widget(Paragraph::new(w), top);
            rest
        }
        None => area,
    };
    if !list_state(frame, area, ctx, "Vulnerabilities", "findings", &tab.data) {
        return;
    }
    let Some(rows) = tab.data.get() else { return };
    let widths = [
        Constraint::Length(20),
        Constraint::Length(8),
        Constraint::Length(14),
        Constraint::Fill(2),
        Constraint::Length(12),
        Constraint::Fill(1),
    ];
    let header = ["Advisory", "Severity", "State", "Package", "Fixed in", "Summary"];
    draw_table(
        frame,
        area,
        t,
        &mut tab.list,
        Columns { title: "Vulnerabilities", header: &header, widths: &widths },
        |i| {
            let Some(f) = rows.get(i) else { return Vec::new() };
            let s = &f.finding;
            let state = state_text(f);
            vec![
                Cell::from(s.vulnerability_id.as_str()),
                Cell::from(s.severity.as_str()).style(t.severity(&s.severity)),
                Cell::from(state).style(if state == "untriaged" { t.dim() } else { t.text() }),
                Cell::from(s.purl.as_str()),
                Cell::from(s.fixed_version.as_deref().unwrap_or("-")),
                Cell::from(s.summary.as_deref().unwrap_or("")),
            ]
        },
    );
}

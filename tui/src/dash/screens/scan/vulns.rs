//! The Vulnerabilities tab: one row per finding (advisory, severity, triage state, package as name@version, fix, summary);
//! `space` marks rows for bulk triage, `enter` opens one. Built for 100k rows: only the visible
//! rows are drawn and the filter runs over haystacks computed when the findings arrived.

use cairn_sdk::types::{Finding, Scan, VulnDataState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph};

use super::TabData;
use crate::dash::package;
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

/// The Package column's width for `findings`: the longest name@version, between 7 and 28.
pub fn package_width(findings: &[Finding]) -> u16 {
    let longest = findings.iter().map(|f| package::label(&f.finding.purl).chars().count()).max().unwrap_or(0);
    u16::try_from(longest.clamp(7, 28)).unwrap_or(28)
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
pub fn draw(
    tab: &mut TabData<Finding>,
    package_width: u16,
    scan: Option<&Scan>,
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
) {
    let t = ctx.theme;
    let warning = scan.and_then(|s| s.vulndb.as_ref()).and_then(|v| match v.state {
        VulnDataState::None | VulnDataState::Unknown => Some(Line::styled(
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
    // Name@version, not the purl: at 80 columns a purl column showed `pkg:cargo/r`. The column is
    // as wide as the longest name (measured when the findings arrived) and the Summary takes the
    // rest; below 100 columns `Fixed in` gives way to it (the finding's detail says it).
    let with_fix = area.width >= 100;
    let mut widths = vec![
        Constraint::Length(19),
        Constraint::Length(8),
        Constraint::Length(14),
        Constraint::Length(package_width),
    ];
    let mut header = vec!["Advisory", "Severity", "State", "Package"];
    if with_fix {
        widths.push(Constraint::Length(10));
        header.push("Fixed in");
    }
    widths.push(Constraint::Fill(1));
    header.push("Summary");
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
            let mut cells = vec![
                Cell::from(s.vulnerability_id.as_str()),
                Cell::from(s.severity.as_str()).style(t.severity(s.severity)),
                Cell::from(state).style(if state == "untriaged" { t.dim() } else { t.text() }),
                Cell::from(package::label(&s.purl)),
            ];
            if with_fix {
                cells.push(Cell::from(s.fixed_version.as_deref().unwrap_or("-")));
            }
            cells.push(Cell::from(s.summary.as_deref().unwrap_or("")));
            cells
        },
    );
}

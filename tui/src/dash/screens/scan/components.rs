//! The Components tab: every component with version, ecosystem, scope, license and findings.

use cairn_sdk::types::ScanComponent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::TabData;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::widgets::list::{Columns, draw_table};

/// A component's filter text.
pub fn haystack(c: &ScanComponent) -> String {
    format!("{} {} {} {}", c.purl, c.name, c.ecosystem, c.license.as_deref().unwrap_or(""))
}

/// Draw the tab.
pub fn draw(tab: &mut TabData<ScanComponent>, frame: &mut Frame, area: Rect, ctx: &Ctx) {
    if !list_state(frame, area, ctx, "Components", "components", &tab.data) {
        return;
    }
    let Some(rows) = tab.data.get() else { return };
    let t = ctx.theme;
    let widths = [
        Constraint::Fill(2),
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Fill(1),
        Constraint::Length(8),
    ];
    let header = ["Name", "Version", "Ecosystem", "Direct", "License", "Findings"];
    draw_table(
        frame,
        area,
        t,
        &mut tab.list,
        Columns { title: "Components", header: &header, widths: &widths },
        |i| {
            let Some(c) = rows.get(i) else { return Vec::new() };
            vec![
                Cell::from(c.name.as_str()),
                Cell::from(c.version.as_deref().unwrap_or("-")),
                Cell::from(c.ecosystem.as_str()),
                Cell::from(if c.direct { "direct" } else { "" }),
                Cell::from(c.license.as_deref().unwrap_or("-")),
                Cell::from(c.findings.to_string()).style(if c.findings > 0 { t.warn() } else { t.dim() }),
            ]
        },
    );
}

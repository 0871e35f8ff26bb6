//! The Warnings tab: informational advisories (RustSec unmaintained, unsound, notice) on the
//! scan's components. They are not vulnerabilities, so they have their own list, behind the
//! Summary's count.

use cairn_sdk::types::{ScanWarning, WarningKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::TabData;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::widgets::list::{Columns, draw_table};

/// A warning's filter text.
pub fn haystack(w: &ScanWarning) -> String {
    format!("{} {} {} {} {}", w.kind, w.advisory_id, w.name, w.version, w.summary.as_deref().unwrap_or(""))
}

/// Draw the tab.
pub fn draw(tab: &mut TabData<ScanWarning>, frame: &mut Frame, area: Rect, ctx: &Ctx) {
    if !list_state(frame, area, ctx, "Warnings", "warnings", &tab.data) {
        return;
    }
    let Some(rows) = tab.data.get() else { return };
    let t = ctx.theme;
    let widths = [Constraint::Length(12), Constraint::Length(18), Constraint::Fill(1), Constraint::Fill(2)];
    draw_table(
        frame,
        area,
        t,
        &mut tab.list,
        Columns { title: "Warnings", header: &["Kind", "Advisory", "Package", "Summary"], widths: &widths },
        |i| {
            let Some(w) = rows.get(i) else { return Vec::new() };
            // Unsound code is reachable undefined behaviour: the one kind worth more than a note.
            let style = if w.kind == WarningKind::Unsound { t.bad() } else { t.warn() };
            vec![
                Cell::from(w.kind.as_str()).style(style),
                Cell::from(w.advisory_id.as_str()),
                Cell::from(format!("{}@{}", w.name, w.version)),
                Cell::from(w.summary.as_deref().unwrap_or("-")),
            ]
        },
    );
}

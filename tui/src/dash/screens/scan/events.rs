//! The Events tab: the scan's progress events, live while it runs.

use cairn_sdk::types::ScanEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::TabData;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::time::date;
use crate::dash::widgets::list::{Columns, draw_table};

/// An event's filter text.
pub fn haystack(e: &ScanEvent) -> String {
    format!(
        "{} {} {}",
        e.status.as_str(),
        e.step.as_deref().unwrap_or(""),
        e.message.as_deref().unwrap_or("")
    )
}

/// Draw the tab.
pub fn draw(tab: &mut TabData<ScanEvent>, frame: &mut Frame, area: Rect, ctx: &Ctx) {
    if !list_state(frame, area, ctx, "Events", "events", &tab.data) {
        return;
    }
    let Some(rows) = tab.data.get() else { return };
    let widths = [
        Constraint::Length(5),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Length(4),
        Constraint::Length(12),
        Constraint::Fill(1),
    ];
    let header = ["Seq", "Time", "Status", "%", "Step", "Message"];
    draw_table(
        frame,
        area,
        ctx.theme,
        &mut tab.list,
        Columns { title: "Events", header: &header, widths: &widths },
        |i| {
            let Some(e) = rows.get(i) else { return Vec::new() };
            vec![
                Cell::from(e.seq.to_string()),
                Cell::from(date(e.ts)),
                Cell::from(e.status.as_str()),
                Cell::from(e.percent.to_string()),
                Cell::from(e.step.as_deref().unwrap_or("")),
                Cell::from(e.message.as_deref().unwrap_or("")),
            ]
        },
    );
}

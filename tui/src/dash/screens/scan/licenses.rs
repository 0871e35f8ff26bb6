//! The Licenses tab: declared, detected and concluded licenses per component, with category.

use cairn_sdk::types::ScanLicense;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::TabData;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::widgets::list::{Columns, draw_table};

/// A license row's filter text.
pub fn haystack(l: &ScanLicense) -> String {
    format!(
        "{} {} {} {} {}",
        l.purl,
        l.declared.as_deref().unwrap_or(""),
        l.detected.as_deref().unwrap_or(""),
        l.concluded.as_deref().unwrap_or(""),
        l.category.as_deref().unwrap_or("")
    )
}

/// Draw the tab.
pub fn draw(tab: &mut TabData<ScanLicense>, frame: &mut Frame, area: Rect, ctx: &Ctx) {
    if !list_state(frame, area, ctx, "Licenses", "licenses", &tab.data) {
        return;
    }
    let Some(rows) = tab.data.get() else { return };
    let t = ctx.theme;
    let widths = [
        Constraint::Fill(2),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(12),
    ];
    let header = ["Component", "Declared", "Detected", "Concluded", "Category"];
    draw_table(
        frame,
        area,
        t,
        &mut tab.list,
        Columns { title: "Licenses", header: &header, widths: &widths },
        |i| {
            let Some(l) = rows.get(i) else { return Vec::new() };
            let category = l.category.as_deref().unwrap_or("-");
            let style = match category {
                "copyleft" | "strong_copyleft" | "network_copyleft" | "unknown" => t.warn(),
                "forbidden" | "denied" => t.bad(),
                _ => t.text(),
            };
            vec![
                Cell::from(l.purl.as_str()),
                Cell::from(l.declared.as_deref().unwrap_or("-")),
                Cell::from(l.detected.as_deref().unwrap_or("-")),
                Cell::from(l.concluded.as_deref().unwrap_or("-")),
                Cell::from(category).style(style),
            ]
        },
    );
}

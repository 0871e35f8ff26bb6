//! A scan's diagnostics (`enter` on the Summary tab, where their count is): what the scan could not
//! read fully, with the file and line, so a count is never the only thing the user gets.

use cairn_sdk::types::{ScanDiagnostic, ScanId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::scan::TabData;
use super::{Ctx, list_state};
use crate::dash::remote::Remote;
use crate::dash::widgets::list::{Columns, draw_table};

/// One open diagnostics list.
#[derive(Debug)]
pub struct DiagnosticsScreen {
    /// The scan.
    pub scan: ScanId,
    /// Its diagnostics.
    pub rows: TabData<ScanDiagnostic>,
}

impl DiagnosticsScreen {
    /// A list of `scan`'s diagnostics, loading.
    pub fn new(scan: ScanId) -> Self {
        DiagnosticsScreen { scan, rows: TabData { data: Remote::Loading, ..TabData::default() } }
    }

    /// Draw it.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        if !list_state(frame, area, ctx, "Diagnostics", "diagnostics", &self.rows.data) {
            return;
        }
        let Some(rows) = self.rows.data.get() else { return };
        let t = ctx.theme;
        let widths = [Constraint::Length(8), Constraint::Fill(1), Constraint::Fill(2)];
        draw_table(
            frame,
            area,
            t,
            &mut self.rows.list,
            Columns { title: "Diagnostics", header: &["Severity", "Where", "Message"], widths: &widths },
            |i| {
                let Some(d) = rows.get(i) else { return Vec::new() };
                let style = if d.severity == "error" { t.bad() } else { t.warn() };
                vec![
                    Cell::from(d.severity.as_str()).style(style),
                    Cell::from(place(d)),
                    Cell::from(d.message.as_str()),
                ]
            },
        );
    }
}

/// `path:line`, `path`, or `-` for a diagnostic on the scan as a whole.
pub fn place(d: &ScanDiagnostic) -> String {
    match (&d.path, d.line) {
        (Some(p), Some(l)) => format!("{p}:{l}"),
        (Some(p), None) => p.clone(),
        (None, _) => "-".to_owned(),
    }
}

/// A diagnostic's filter text.
pub fn haystack(d: &ScanDiagnostic) -> String {
    format!("{} {} {}", d.severity, place(d), d.message)
}

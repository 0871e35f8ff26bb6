//! Where a package is used (the palette's `where PACKAGE`): every project whose latest completed
//! scan has it, with the version, the scan and each file and line; `enter` opens the scan.

use cairn_sdk::types::{ComponentUsage, ScanId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::scan::TabData;
use super::{Ctx, list_state, tail};
use crate::dash::remote::Remote;
use crate::dash::widgets::list::{Columns, draw_table};

/// One open where-used answer.
#[derive(Debug)]
pub struct WhereUsedScreen {
    /// What was asked for (a name or a purl).
    pub package: String,
    /// The usages.
    pub rows: TabData<ComponentUsage>,
}

impl WhereUsedScreen {
    /// The answer for `package`, loading.
    pub fn new(package: String) -> Self {
        WhereUsedScreen { package, rows: TabData { data: Remote::Loading, ..TabData::default() } }
    }

    /// The scan of the row under the cursor.
    pub fn current_scan(&self) -> Option<ScanId> {
        Some(self.rows.data.get()?.get(self.rows.list.current()?)?.scan_id)
    }

    /// Draw it.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let title = format!("Where is {}", self.package);
        let what = format!("projects using {}", self.package);
        if !list_state(frame, area, ctx, &title, &what, &self.rows.data) {
            return;
        }
        let Some(rows) = self.rows.data.get() else { return };
        let widths = [
            Constraint::Fill(1),
            Constraint::Length(10),
            Constraint::Fill(1),
            Constraint::Fill(2),
            Constraint::Length(9),
        ];
        draw_table(
            frame,
            area,
            ctx.theme,
            &mut self.rows.list,
            Columns {
                title: &title,
                header: &["Project", "Version", "Package", "File", "Scan"],
                widths: &widths,
            },
            |i| {
                let Some(u) = rows.get(i) else { return Vec::new() };
                vec![
                    Cell::from(u.project_name.as_str()),
                    Cell::from(u.version_name.clone().unwrap_or_else(|| "-".to_owned())),
                    Cell::from(format!("{}@{}", u.name, u.version.as_deref().unwrap_or("?"))),
                    Cell::from(files(u)),
                    Cell::from(tail(&u.scan_id)),
                ]
            },
        );
    }
}

/// Each file that declares it, with the line when known.
pub fn files(u: &ComponentUsage) -> String {
    let places: Vec<String> = u
        .locations
        .iter()
        .map(|l| match l.line {
            Some(n) => format!("{}:{n}", l.path),
            None => l.path.clone(),
        })
        .collect();
    places.join(", ")
}

/// A usage's filter text.
pub fn haystack(u: &ComponentUsage) -> String {
    format!("{} {} {} {}", u.project_name, u.name, u.version.as_deref().unwrap_or(""), files(u))
}

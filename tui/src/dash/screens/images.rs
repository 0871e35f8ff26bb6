//! The image catalogue (`images` in the palette): the tenant's projects of kind image with their
//! latest scan; `enter` lists an image's versions (tag, digest, latest completed scan and its
//! counts), `enter` on a version opens its scan history ([`super::image_history`]), `e` downloads
//! the version's SBOM.

use cairn_sdk::types::{GateStatus, HistoryPoint, Project, ProjectId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::{Ctx, list_state};
use crate::dash::msg::{ImageVersion, Loaded};
use crate::dash::remote::Remote;
use crate::dash::theme::Theme;
use crate::dash::time::{ago, date};
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// The catalogue's images.
#[derive(Debug, Default)]
pub struct ImagesScreen {
    /// The tenant's image projects.
    pub rows: Remote<Vec<Project>>,
    /// Cursor, filter.
    pub list: ListState,
}

impl ImagesScreen {
    /// The catalogue while its first load is on its way.
    pub fn loading() -> Self {
        ImagesScreen { rows: Remote::Loading, ..ImagesScreen::default() }
    }

    /// The images arrived.
    pub fn set(&mut self, result: Loaded<Vec<Project>>) {
        self.rows = result.into();
        if let Some(rows) = self.rows.get() {
            self.list.set_items(rows.iter().map(|p| p.name.clone()).collect());
        }
    }

    /// The image under the cursor.
    pub fn current(&self) -> Option<&Project> {
        self.rows.get()?.get(self.list.current()?)
    }

    /// Draw the catalogue.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        if !list_state(frame, area, ctx, "Images", "images", &self.rows) {
            return;
        }
        let Some(rows) = self.rows.get() else { return };
        let widths =
            [Constraint::Fill(1), Constraint::Length(17), Constraint::Length(14), Constraint::Length(12)];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns {
                title: "Images",
                header: &["Image", "Latest scan", "Open findings", "Created"],
                widths: &widths,
            },
            |i| {
                let Some(p) = rows.get(i) else { return Vec::new() };
                // No scan yet: nothing to count, which is not zero.
                let (scanned, open) = match &p.risk {
                    Some(r) => (Cell::from(date(r.scanned_at)), Cell::from(r.open_findings.to_string())),
                    None => (Cell::from("no completed scan").style(t.dim()), Cell::from("-").style(t.dim())),
                };
                vec![Cell::from(p.name.clone()), scanned, open, Cell::from(ago(ctx.now, p.created_at))]
            },
        );
    }
}

/// One image's versions (tags).
#[derive(Debug)]
pub struct ImageVersionsScreen {
    /// The image project.
    pub project: ProjectId,
    /// Its name (`registry/repository`).
    pub name: String,
    /// Its versions, newest first.
    pub rows: Remote<Vec<ImageVersion>>,
    /// Cursor, filter.
    pub list: ListState,
}

impl ImageVersionsScreen {
    /// The versions of `project`, loading.
    pub fn new(project: ProjectId, name: String) -> Self {
        ImageVersionsScreen { project, name, rows: Remote::Loading, list: ListState::default() }
    }

    /// The versions arrived.
    pub fn set(&mut self, result: Loaded<Vec<ImageVersion>>) {
        self.rows = result.into();
        if let Some(rows) = self.rows.get() {
            self.list.set_items(
                rows.iter()
                    .map(|v| {
                        format!("{} {}", v.version.name, v.version.image_digest.as_deref().unwrap_or(""))
                    })
                    .collect(),
            );
        }
    }

    /// The version under the cursor.
    pub fn current(&self) -> Option<&ImageVersion> {
        self.rows.get()?.get(self.list.current()?)
    }

    /// `image:tag` (`image@sha256:…` for a version named by its digest).
    pub fn label(&self, v: &ImageVersion) -> String {
        let sep = if v.version.name.starts_with("sha256:") { '@' } else { ':' };
        format!("{}{sep}{}", self.name, v.version.name)
    }

    /// Draw the versions.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let title = format!("Versions of {}", self.name);
        if !list_state(frame, area, ctx, &title, "versions", &self.rows) {
            return;
        }
        let Some(rows) = self.rows.get() else { return };
        let widths = [
            Constraint::Length(16),
            Constraint::Fill(1),
            Constraint::Length(17),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(17),
            Constraint::Length(5),
        ];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns {
                title: &title,
                header: &[
                    "Tag",
                    "Digest",
                    "Last scan",
                    "Components",
                    "Findings",
                    "Crit/High/Med/Low",
                    "Gate",
                ],
                widths: &widths,
            },
            |i| {
                let Some(v) = rows.get(i) else { return Vec::new() };
                let mut cells = vec![
                    Cell::from(v.version.name.clone()),
                    Cell::from(
                        v.version.image_digest.as_deref().map_or_else(|| "-".to_owned(), short_digest),
                    ),
                ];
                match &v.latest {
                    Some(p) => cells.extend(point_cells(p, t)),
                    None => {
                        cells.push(Cell::from("no completed scan").style(t.dim()));
                        cells.extend((0..4).map(|_| Cell::from("-").style(t.dim())));
                    }
                }
                cells
            },
        );
    }
}

/// A digest as a table shows it: the algorithm and 12 hex digits, then `…` (the filter reads the
/// whole digest).
pub fn short_digest(d: &str) -> String {
    match d.char_indices().nth(19) {
        Some((end, _)) => format!("{}…", &d[..end]),
        None => d.to_owned(),
    }
}

/// A completed scan's cells: when, components, findings (`not matched` when the scan was not
/// matched against vulnerability data: not looked, not zero), by severity, gate.
pub fn point_cells(p: &HistoryPoint, t: Theme) -> Vec<Cell<'static>> {
    vec![
        Cell::from(p.finished_at.map_or_else(|| "-".to_owned(), date)),
        Cell::from(p.components.to_string()),
        match p.findings {
            Some(n) => Cell::from(n.to_string()),
            None => Cell::from("not matched").style(t.warn()),
        },
        Cell::from(
            p.severities.map_or_else(
                || "-".to_owned(),
                |s| format!("{}/{}/{}/{}", s.critical, s.high, s.medium, s.low),
            ),
        ),
        gate_cell(p.gate, t),
    ]
}

/// A gate's word, coloured.
pub fn gate_cell(g: Option<GateStatus>, t: Theme) -> Cell<'static> {
    match g {
        Some(GateStatus::Fail) => Cell::from("fail").style(t.bad()),
        Some(GateStatus::Warn) => Cell::from("warn").style(t.warn()),
        Some(GateStatus::Pass) => Cell::from("pass").style(t.good()),
        None => Cell::from("-").style(t.dim()),
    }
}

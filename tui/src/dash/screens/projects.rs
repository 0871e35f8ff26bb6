//! The projects screen: one row per project with its risk (findings by severity, open findings,
//! PQC score, when last scanned); `enter` opens the latest scan.

use cairn_sdk::types::{Project, ScanId, Severity};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::queue::Queue;
use super::{Ctx, list_state};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::time::ago;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// The projects and the list's state.
#[derive(Debug, Default)]
pub struct Projects {
    /// The projects.
    pub data: Remote<Vec<Project>>,
    /// Cursor, filter.
    pub list: ListState,
}

impl Projects {
    /// Projects arrived.
    pub fn set(&mut self, result: Loaded<Vec<Project>>) {
        if let Ok(ps) = &result {
            self.list.set_items(
                ps.iter().map(|p| format!("{} {} {}", p.name, p.kind.as_str(), p.tags.join(" "))).collect(),
            );
        }
        self.data = result.into();
    }

    /// The project under the cursor.
    pub fn current(&self) -> Option<&Project> {
        self.data.get()?.get(self.list.current()?)
    }

    /// The latest scan of the project under the cursor: its risk's scan, else the newest scan
    /// of it that `queue` knows; its name when there is none.
    pub fn open(&self, queue: &Queue) -> Option<Result<ScanId, String>> {
        let p = self.current()?;
        let latest = p.risk.as_ref().map(|r| r.scan_id).or_else(|| queue.latest_of(p.id).map(|s| s.id));
        Some(latest.ok_or_else(|| p.name.clone()))
    }

    /// Draw the list.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx, queue: &Queue) {
        if !list_state(frame, area, ctx, "Projects", "projects", &self.data) {
            return;
        }
        let Some(projects) = self.data.get() else { return };
        let t = ctx.theme;
        let widths = [
            Constraint::Fill(3),
            Constraint::Length(7),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Length(16),
        ];
        let header = ["Project", "Kind", "Crit", "High", "Med", "Low", "Open", "PQC", "Scanned"];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns { title: "Projects", header: &header, widths: &widths },
            |i| {
                let Some(p) = projects.get(i) else { return Vec::new() };
                let mut cells = vec![Cell::from(p.name.as_str()), Cell::from(p.kind.as_str())];
                match &p.risk {
                    Some(r) => {
                        let s = r.counts.severities;
                        cells.push(Cell::from(s.critical.to_string()).style(if s.critical > 0 {
                            t.severity(Severity::Critical)
                        } else {
                            t.dim()
                        }));
                        cells.push(Cell::from(s.high.to_string()).style(if s.high > 0 {
                            t.severity(Severity::High)
                        } else {
                            t.dim()
                        }));
                        cells.push(Cell::from(s.medium.to_string()));
                        cells.push(Cell::from(s.low.to_string()));
                        cells.push(Cell::from(r.open_findings.to_string()));
                        cells.push(Cell::from(r.pqc_score.map_or_else(|| "-".to_owned(), |s| s.to_string())));
                        cells.push(Cell::from(ago(ctx.now, r.scanned_at)));
                    }
                    None => {
                        for _ in 0..6 {
                            cells.push(Cell::from("-").style(t.dim()));
                        }
                        // No risk summary from the daemon: the newest scan the queue knows.
                        cells.push(match queue.latest_of(p.id) {
                            Some(s) => Cell::from(ago(ctx.now, s.created_at)),
                            None => Cell::from("not scanned").style(t.dim()),
                        });
                    }
                }
                cells
            },
        );
    }
}

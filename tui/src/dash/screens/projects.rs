//! The projects screen: one row per project with its risk (findings by severity, open findings,
//! PQC score, when last scanned) and its findings over its recent scans as a sparkline (a scan not
//! matched against vulnerability data is a gap); `enter` opens the latest scan.

use std::collections::BTreeMap;

use cairn_sdk::types::{Project, ProjectId, ScanHistory, ScanId, Severity};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::queue::Queue;
use super::{Ctx, list_state};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::time::ago;
use crate::dash::widgets::chart::sparkline;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// Scans a row's sparkline shows (the newest).
pub const TREND_POINTS: usize = 12;
/// Projects whose history is asked for when the list arrives (one request each).
pub const TREND_PROJECTS: usize = 200;

/// The projects and the list's state.
#[derive(Debug, Default)]
pub struct Projects {
    /// The projects.
    pub data: Remote<Vec<Project>>,
    /// Cursor, filter.
    pub list: ListState,
    /// Each project's scan history, as far as asked for.
    pub histories: BTreeMap<ProjectId, Remote<ScanHistory>>,
}

impl Projects {
    /// Projects arrived; the histories to ask for (scanned projects, at most
    /// [`TREND_PROJECTS`]), each marked loading.
    pub fn set(&mut self, result: Loaded<Vec<Project>>) -> Vec<ProjectId> {
        let mut ask = Vec::new();
        if let Ok(ps) = &result {
            self.list.set_items(
                ps.iter().map(|p| format!("{} {} {}", p.name, p.kind.as_str(), p.tags.join(" "))).collect(),
            );
            for p in ps.iter().filter(|p| p.risk.is_some()).take(TREND_PROJECTS) {
                self.histories.insert(p.id, Remote::Loading);
                ask.push(p.id);
            }
        }
        self.data = result.into();
        ask
    }

    /// A project's history arrived.
    pub fn set_history(&mut self, project: ProjectId, result: Loaded<ScanHistory>) {
        self.histories.insert(project, result.into());
    }

    /// The sparkline of a project's findings over its newest scans; `-` when not asked for or
    /// failed, `…` while loading.
    pub fn trend(&self, project: ProjectId) -> String {
        trend_of(&self.histories, project)
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
        let histories = &self.histories;
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
            Constraint::Length(TREND_POINTS as u16 + 2),
        ];
        let header = ["Project", "Kind", "Crit", "High", "Med", "Low", "Open", "PQC", "Scanned", "Findings"];
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
                        cells.push(Cell::from(trend_of(histories, p.id)));
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
                        cells.push(Cell::from("-").style(t.dim()));
                    }
                }
                cells
            },
        );
    }
}

/// The sparkline of `project`'s findings over its newest scans (see [`Projects::trend`]).
fn trend_of(histories: &BTreeMap<ProjectId, Remote<ScanHistory>>, project: ProjectId) -> String {
    match histories.get(&project) {
        Some(Remote::Loaded(h)) => {
            let skip = h.points.len().saturating_sub(TREND_POINTS);
            let values: Vec<Option<u64>> = h.points.iter().skip(skip).map(|p| p.findings).collect();
            sparkline(&values)
        }
        Some(Remote::Loading) => "…".to_owned(),
        _ => "-".to_owned(),
    }
}

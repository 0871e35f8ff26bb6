//! The scan queue: unfinished scans from the live feed (with progress as events arrive) above the
//! most recent scans; `enter` opens one.

use cairn_sdk::types::{ProjectId, Scan, ScanEvent, ScanSource};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::{Ctx, bar, list_state, tail};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::time::ago;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// Live and recent scans, merged into rows.
#[derive(Debug, Default)]
pub struct Queue {
    /// Unfinished scans as the live feed's last sync said (kept when they finish).
    live: Vec<Scan>,
    /// The recent scans.
    recent: Remote<Vec<Scan>>,
    /// Live first, then recent ones not already shown.
    pub rows: Remote<Vec<Scan>>,
    /// Cursor, filter.
    pub list: ListState,
}

/// What was scanned, in one line.
pub fn source_text(source: &ScanSource) -> String {
    match source {
        ScanSource::Git { url, reference: Some(r) } => format!("git {url} @ {r}"),
        ScanSource::Git { url, reference: None } => format!("git {url}"),
        ScanSource::Path { path } => format!("path {path}"),
        ScanSource::Upload { filename, bytes } => format!("upload {filename} ({bytes} bytes)"),
        ScanSource::Sbom { filename, .. } => format!("sbom {filename}"),
        ScanSource::Image { reference, platform: Some(p) } => format!("image {reference} ({p})"),
        ScanSource::Image { reference, platform: None } => format!("image {reference}"),
    }
}

impl Queue {
    /// Recent scans arrived.
    pub fn set_recent(&mut self, result: Loaded<Vec<Scan>>) {
        self.recent = result.into();
        self.rebuild();
    }

    /// The recent scans were asked for.
    pub fn loading(&mut self) {
        self.recent = Remote::Loading;
        self.rebuild();
    }

    /// The live feed's sync: the unfinished scans now.
    pub fn set_live(&mut self, scans: Vec<Scan>) {
        self.live = scans;
        self.rebuild();
    }

    /// One scan changed (loaded, submitted): keep the rows current.
    pub fn upsert(&mut self, scan: &Scan) {
        if let Some(s) = self.live.iter_mut().find(|s| s.id == scan.id) {
            *s = scan.clone();
        } else if !scan.status.is_terminal() {
            self.live.insert(0, scan.clone());
        }
        if let Remote::Loaded(r) = &mut self.recent
            && let Some(s) = r.iter_mut().find(|s| s.id == scan.id)
        {
            *s = scan.clone();
        }
        self.rebuild();
    }

    /// A progress event: update the row in place. True when a scan shown as unfinished just
    /// finished (the history and the projects' risk changed).
    pub fn progress(&mut self, ev: &ScanEvent) -> bool {
        let finished_now = ev.status.is_terminal()
            && self
                .rows
                .get()
                .is_some_and(|r| r.iter().any(|s| s.id == ev.scan_id && !s.status.is_terminal()));
        let apply = |s: &mut Scan| {
            if s.id == ev.scan_id {
                s.status = ev.status;
                s.percent = ev.percent;
                s.counts = ev.counts.clone();
            }
        };
        self.live.iter_mut().for_each(apply);
        if let Remote::Loaded(r) = &mut self.recent {
            r.iter_mut().for_each(apply);
        }
        if let Remote::Loaded(rows) = &mut self.rows {
            for (i, s) in rows.iter_mut().enumerate() {
                if s.id == ev.scan_id {
                    apply(s);
                    self.list.update_item(i, &haystack(s));
                }
            }
        }
        finished_now
    }

    fn rebuild(&mut self) {
        let mut rows: Vec<Scan> = self.live.clone();
        match &self.recent {
            Remote::Loaded(recent) => {
                rows.extend(recent.iter().filter(|r| !self.live.iter().any(|l| l.id == r.id)).cloned());
            }
            Remote::Failed(f) if rows.is_empty() => {
                self.rows = Remote::Failed(f.clone());
                return;
            }
            Remote::NotAsked | Remote::Loading if rows.is_empty() => {
                self.rows = Remote::Loading;
                return;
            }
            _ => {}
        }
        self.list.set_items(rows.iter().map(haystack).collect());
        self.rows = Remote::Loaded(rows);
    }

    /// The newest scan of a project that the queue knows (live or recent).
    pub fn latest_of(&self, project: ProjectId) -> Option<&Scan> {
        self.rows.get()?.iter().filter(|s| s.project_id == Some(project)).max_by_key(|s| s.created_at)
    }

    /// The scan under the cursor.
    pub fn open(&self) -> Option<Scan> {
        self.rows.get()?.get(self.list.current()?).cloned()
    }

    /// Draw the queue.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        if !list_state(frame, area, ctx, "Queue", "scans", &self.rows) {
            return;
        }
        let Some(rows) = self.rows.get() else { return };
        let t = ctx.theme;
        let widths = [
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Length(17),
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(16),
        ];
        let header = ["Scan", "Status", "Progress", "Source", "Findings", "Created"];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns { title: "Queue", header: &header, widths: &widths },
            |i| {
                let Some(s) = rows.get(i) else { return Vec::new() };
                let style = match s.status.as_str() {
                    "completed" => t.good(),
                    "failed" => t.bad(),
                    "cancelled" => t.dim(),
                    _ => t.warn(),
                };
                vec![
                    Cell::from(tail(&s.id)),
                    Cell::from(s.status.as_str()).style(style),
                    Cell::from(bar(s.percent, 10)),
                    Cell::from(source_text(&s.source)),
                    Cell::from(s.counts.findings.to_string()),
                    Cell::from(ago(ctx.now, s.created_at)),
                ]
            },
        );
    }
}

fn haystack(s: &Scan) -> String {
    format!("{} {} {}", s.id, s.status.as_str(), source_text(&s.source))
}

//! The CVE watches screen (`w`, or `watches` in the palette): the tenant's watches with their hit
//! counts; `enter` lists a watch's hits (each project whose latest results hold the watched
//! advisory or package, when it was found, whether it was there at the watch's creation), and
//! `enter` on a hit opens its finding (advisory watches) or its scan (package watches).

use cairn_sdk::types::{CveWatch, CveWatchHit, CveWatchId, WatchTarget};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::inbox::Target;
use super::{Ctx, list_state};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::time::{ago, date};
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// One watch's hits, once opened.
#[derive(Debug)]
pub struct Hits {
    /// The watch.
    pub watch: CveWatch,
    /// Its hits, oldest first.
    pub rows: Remote<Vec<CveWatchHit>>,
    /// Cursor, filter.
    pub list: ListState,
}

/// The watches and, when one is opened, its hits.
#[derive(Debug, Default)]
pub struct WatchesScreen {
    /// The tenant's watches.
    pub rows: Remote<Vec<CveWatch>>,
    /// Cursor, filter.
    pub list: ListState,
    /// The opened watch.
    pub hits: Option<Hits>,
}

fn kind(t: &WatchTarget) -> &'static str {
    match t {
        WatchTarget::Advisory { .. } => "advisory",
        WatchTarget::Package { .. } => "package",
    }
}

impl WatchesScreen {
    /// The watches arrived.
    pub fn set(&mut self, result: Loaded<Vec<CveWatch>>) {
        self.rows = result.into();
        if let Some(rows) = self.rows.get() {
            self.list.set_items(rows.iter().map(|w| format!("{} {}", w.target, kind(&w.target))).collect());
        }
    }

    /// A watch's hits arrived (ignored when another watch is open now).
    pub fn set_hits(&mut self, watch: CveWatchId, result: Loaded<Vec<CveWatchHit>>) {
        let Some(h) = self.hits.as_mut().filter(|h| h.watch.id == watch) else { return };
        h.rows = result.into();
        if let Some(rows) = h.rows.get() {
            h.list.set_items(
                rows.iter()
                    .map(|x| {
                        format!("{} {} {}", x.purl, x.advisory.as_deref().unwrap_or_default(), x.project)
                    })
                    .collect(),
            );
        }
    }

    /// Opens the watch under the cursor: the watch to load the hits of.
    pub fn open_watch(&mut self) -> Option<CveWatchId> {
        let w = self.rows.get()?.get(self.list.current()?)?.clone();
        let id = w.id;
        self.hits = Some(Hits { watch: w, rows: Remote::Loading, list: ListState::default() });
        Some(id)
    }

    /// What the hit under the cursor opens.
    pub fn open_hit(&self) -> Option<Target> {
        let h = self.hits.as_ref()?;
        let hit = h.rows.get()?.get(h.list.current()?)?;
        Some(match &hit.finding {
            Some(f) => Target::Finding(f.clone()),
            None => Target::Scan(hit.scan),
        })
    }

    /// The focused list.
    pub fn list(&mut self) -> &mut ListState {
        match &mut self.hits {
            Some(h) => &mut h.list,
            None => &mut self.list,
        }
    }

    /// Draw the watches, or the opened watch's hits.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        if let Some(h) = &mut self.hits {
            let title = format!("Hits of {}", h.watch.target);
            if !list_state(frame, area, ctx, &title, "hits", &h.rows) {
                return;
            }
            let Some(rows) = h.rows.get() else { return };
            let widths = [
                Constraint::Length(8),
                Constraint::Fill(1),
                Constraint::Length(20),
                Constraint::Length(8),
                Constraint::Length(16),
                Constraint::Length(11),
            ];
            draw_table(
                frame,
                area,
                t,
                &mut h.list,
                Columns {
                    title: &title,
                    header: &["Project", "Package", "Advisory", "Severity", "Found", "When"],
                    widths: &widths,
                },
                |i| {
                    let Some(x) = rows.get(i) else { return Vec::new() };
                    vec![
                        Cell::from(super::tail(&x.project)),
                        Cell::from(x.purl.as_str()),
                        Cell::from(x.advisory.as_deref().unwrap_or("-")),
                        Cell::from(x.severity.map_or("-", |s| s.as_str())),
                        Cell::from(date(x.found_at)),
                        Cell::from(if x.at_creation { "at creation" } else { "later" }),
                    ]
                },
            );
            return;
        }
        if !list_state(frame, area, ctx, "CVE watches", "CVE watches", &self.rows) {
            return;
        }
        let Some(rows) = self.rows.get() else { return };
        let widths =
            [Constraint::Fill(1), Constraint::Length(9), Constraint::Length(6), Constraint::Length(16)];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns {
                title: "CVE watches",
                header: &["Watches", "Kind", "Hits", "Created"],
                widths: &widths,
            },
            |i| {
                let Some(w) = rows.get(i) else { return Vec::new() };
                vec![
                    Cell::from(w.target.to_string()),
                    Cell::from(kind(&w.target)),
                    Cell::from(w.hits.to_string()).style(if w.hits > 0 { t.warn() } else { t.dim() }),
                    Cell::from(ago(ctx.now, w.created_at)),
                ]
            },
        );
    }
}

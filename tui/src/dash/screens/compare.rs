//! Two scans compared (two scans marked on a project's history, then `enter`): the counts, what
//! was not compared and why, then components added, removed and changed, findings new, fixed and
//! still open, license and crypto changes and the gate change, as `cairn diff` prints them.

use cairn_sdk::types::{ScanComparison, ScanId};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::{Ctx, failure_text, message, tail};
use crate::comparison_text;
use crate::dash::remote::Remote;

/// One open comparison.
#[derive(Debug)]
pub struct CompareScreen {
    /// The earlier scan.
    pub from: ScanId,
    /// The later scan.
    pub to: ScanId,
    /// What changed.
    pub comparison: Remote<ScanComparison>,
    /// Scroll.
    pub scroll: u16,
}

impl CompareScreen {
    /// `from` against `to`, loading.
    pub fn new(from: ScanId, to: ScanId) -> Self {
        CompareScreen { from, to, comparison: Remote::Loading, scroll: 0 }
    }

    /// Draw it.
    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let title = format!("Scan {} → {}", tail(&self.from), tail(&self.to));
        let c = match &self.comparison {
            Remote::Loaded(c) => c,
            Remote::Failed(e) => {
                let lines = vec![
                    Line::styled(format!("Could not compare: {}", failure_text(e)), t.bad()),
                    Line::styled("Press r to retry.", t.dim()),
                ];
                return message(frame, area, ctx, &title, lines);
            }
            Remote::NotAsked | Remote::Loading => {
                let lines = vec![Line::styled(format!("{} Comparing…", ctx.spinner), t.dim())];
                return message(frame, area, ctx, &title, lines);
            }
        };
        let text = comparison_text::table(&c.comparison, false);
        let lines: Vec<Line> =
            text.lines().skip(usize::from(self.scroll)).map(|l| Line::raw(l.to_owned())).collect();
        message(frame, area, ctx, &title, lines);
    }
}

//! A project's history (the palette's `history [PROJECT]`): its findings per completed scan as a
//! bar chart (a scan not matched against vulnerability data is a gap: not looked, not zero), then
//! one row per scan with its counts, data state and gate. `space` marks scans; with two marked,
//! `enter` compares them (the older as `from`), with none, opens the scan under the cursor.

use cairn_sdk::types::{GateStatus, HistoryPoint, ProjectId, ScanHistory, ScanId, VulnDataState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph};

use super::{Ctx, failure_text, message, tail};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::time::date;
use crate::dash::widgets::chart::bars;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// Rows of the chart.
const CHART_ROWS: usize = 6;

/// One open project history.
#[derive(Debug)]
pub struct HistoryScreen {
    /// The project.
    pub project: ProjectId,
    /// Its name, for the title.
    pub name: String,
    /// Its series, oldest first.
    pub history: Remote<ScanHistory>,
    /// Cursor, filter and marks over the scans (oldest first, like the chart).
    pub list: ListState,
}

/// What `enter` does on the history screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Open this scan.
    Open(ScanId),
    /// Compare these (older first).
    Compare(ScanId, ScanId),
}

impl HistoryScreen {
    /// The history of `project`, loading.
    pub fn new(project: ProjectId, name: String) -> Self {
        HistoryScreen { project, name, history: Remote::Loading, list: ListState::default() }
    }

    /// The series arrived.
    pub fn set(&mut self, result: Loaded<ScanHistory>) {
        if let Ok(h) = &result {
            self.list.set_items(h.points.iter().map(haystack).collect());
        }
        self.history = result.into();
    }

    /// `enter`: two marked scans compared (older first), else the scan under the cursor.
    pub fn pick(&self) -> Option<Pick> {
        let points = &self.history.get()?.points;
        let marked: Vec<usize> = self.list.marked().iter().copied().collect();
        match marked.as_slice() {
            // Marks index the oldest-first series, so the first is the older.
            [a, b] => Some(Pick::Compare(points.get(*a)?.scan_id, points.get(*b)?.scan_id)),
            _ => Some(Pick::Open(points.get(self.list.current()?)?.scan_id)),
        }
    }

    /// Draw it.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let title = format!("History of {}", self.name);
        let h = match &self.history {
            Remote::Loaded(h) => h,
            Remote::Failed(e) => {
                let lines = vec![
                    Line::styled(format!("Could not load the history: {}", failure_text(e)), t.bad()),
                    Line::styled("Press r to retry.", t.dim()),
                ];
                return message(frame, area, ctx, &title, lines);
            }
            Remote::NotAsked | Remote::Loading => {
                let lines = vec![Line::styled(format!("{} Loading the history…", ctx.spinner), t.dim())];
                return message(frame, area, ctx, &title, lines);
            }
        };
        if h.points.is_empty() {
            return message(frame, area, ctx, &title, vec![Line::styled("No completed scan yet.", t.dim())]);
        }
        let [chart, rows] =
            Layout::vertical([Constraint::Length(CHART_ROWS as u16 + 3), Constraint::Fill(1)]).areas(area);
        // The newest points that fit, two columns each (a bar and a space).
        let fit = usize::from(chart.width.saturating_sub(2)) / 2;
        let shown = &h.points[h.points.len().saturating_sub(fit)..];
        let values: Vec<Option<u64>> = shown.iter().map(|p| p.findings).collect();
        let max = values.iter().flatten().max().copied();
        let mut lines: Vec<Line> = bars(&values, CHART_ROWS)
            .into_iter()
            .map(|row| Line::styled(row.chars().flat_map(|c| [c, ' ']).collect::<String>(), t.text()))
            .collect();
        let gaps = values.iter().filter(|v| v.is_none()).count();
        let mut legend = vec![Span::styled(
            format!(
                "findings per scan, {} scan(s), highest {}",
                shown.len(),
                max.map_or_else(|| "-".to_owned(), |m| m.to_string())
            ),
            t.dim(),
        )];
        if gaps > 0 {
            legend.push(Span::styled(
                format!(
                    "; {gaps} gap(s): scans not matched against vulnerability data (not looked, not zero)"
                ),
                t.warn(),
            ));
        }
        lines.push(Line::from(legend));
        let block =
            Block::default().borders(Borders::ALL).title(Span::styled(format!(" {title} "), t.title()));
        frame.render_widget(Paragraph::new(lines).block(block), chart);
        let widths = [
            Constraint::Length(16),
            Constraint::Length(9),
            Constraint::Length(10),
            Constraint::Length(9),
            Constraint::Length(20),
            Constraint::Length(6),
            Constraint::Fill(1),
        ];
        let points = &h.points;
        draw_table(
            frame,
            rows,
            t,
            &mut self.list,
            Columns {
                title: "Scans (space marks two, enter compares)",
                header: &["Completed", "Scan", "Components", "Findings", "Crit/High/Med/Low", "Gate", "Data"],
                widths: &widths,
            },
            |i| {
                let Some(p) = points.get(i) else { return Vec::new() };
                vec![
                    Cell::from(p.finished_at.map_or_else(|| "-".to_owned(), date)),
                    Cell::from(tail(&p.scan_id)),
                    Cell::from(p.components.to_string()),
                    match p.findings {
                        Some(n) => Cell::from(n.to_string()),
                        None => Cell::from("not matched").style(t.warn()),
                    },
                    Cell::from(p.severities.map_or_else(
                        || "-".to_owned(),
                        |s| format!("{}/{}/{}/{}", s.critical, s.high, s.medium, s.low),
                    )),
                    match p.gate {
                        Some(GateStatus::Fail) => Cell::from("fail").style(t.bad()),
                        Some(GateStatus::Warn) => Cell::from("warn").style(t.warn()),
                        Some(GateStatus::Pass) => Cell::from("pass").style(t.good()),
                        None => Cell::from("-").style(t.dim()),
                    },
                    Cell::from(data_word(p.vulndb)),
                ]
            },
        );
    }
}

fn data_word(v: VulnDataState) -> &'static str {
    match v {
        VulnDataState::Fresh => "fresh",
        VulnDataState::Stale => "stale",
        VulnDataState::None => "none",
        VulnDataState::Unknown => "unknown",
    }
}

/// A point's filter text.
fn haystack(p: &HistoryPoint) -> String {
    format!("{} {}", p.scan_id, p.finished_at.map_or_else(String::new, date))
}

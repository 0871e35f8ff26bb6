//! One image version's scan history (`enter` on a version in the catalogue): its findings per
//! completed scan as a bar chart (a scan not matched against vulnerability data is a gap: not
//! looked, not zero), then one row per scan with the digest the tag resolved to, its counts and
//! gate; `enter` opens the scan, `e` downloads the version's SBOM.

use cairn_sdk::types::{HistoryPoint, ProjectId, ScanId, VersionId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph};

use super::images::{point_cells, short_digest};
use super::{Ctx, failure_text, message, tail};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::time::date;
use crate::dash::widgets::chart::bars;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// Rows of the chart.
const CHART_ROWS: usize = 6;

/// One version's history.
#[derive(Debug)]
pub struct VersionHistoryScreen {
    /// The image project.
    pub project: ProjectId,
    /// The version.
    pub version: VersionId,
    /// `image:tag`, for the title.
    pub label: String,
    /// The tag (the version's name), for the breadcrumb.
    pub tag: String,
    /// Its completed scans, oldest first.
    pub points: Remote<Vec<HistoryPoint>>,
    /// Cursor, filter over the scans (oldest first, like the chart).
    pub list: ListState,
}

impl VersionHistoryScreen {
    /// The history of `version` (named `tag`, of the image `label` names), loading.
    pub fn new(project: ProjectId, version: VersionId, tag: String, label: String) -> Self {
        VersionHistoryScreen {
            project,
            version,
            label,
            tag,
            points: Remote::Loading,
            list: ListState::default(),
        }
    }

    /// The series arrived.
    pub fn set(&mut self, result: Loaded<Vec<HistoryPoint>>) {
        if let Ok(points) = &result {
            self.list.set_items(
                points
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {} {}",
                            p.scan_id,
                            p.image_digest.as_deref().unwrap_or(""),
                            p.finished_at.map_or_else(String::new, date)
                        )
                    })
                    .collect(),
            );
        }
        self.points = result.into();
    }

    /// The scan under the cursor.
    pub fn current_scan(&self) -> Option<ScanId> {
        Some(self.points.get()?.get(self.list.current()?)?.scan_id)
    }

    /// Draw it.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let title = format!("Scan history of {}", self.label);
        let points = match &self.points {
            Remote::Loaded(p) => p,
            Remote::Failed(e) => {
                let lines = vec![
                    Line::styled(format!("Could not load the scan history: {}", failure_text(e)), t.bad()),
                    Line::styled("Press r to retry.", t.dim()),
                ];
                return message(frame, area, ctx, &title, lines);
            }
            Remote::NotAsked | Remote::Loading => {
                let lines = vec![Line::styled(format!("{} Loading the scan history…", ctx.spinner), t.dim())];
                return message(frame, area, ctx, &title, lines);
            }
        };
        if points.is_empty() {
            let lines = vec![Line::styled("No completed scan of this version yet.", t.dim())];
            return message(frame, area, ctx, &title, lines);
        }
        let [chart, rows] =
            Layout::vertical([Constraint::Length(CHART_ROWS as u16 + 3), Constraint::Fill(1)]).areas(area);
        // The newest points that fit, two columns each (a bar and a space).
        let fit = usize::from(chart.width.saturating_sub(2)) / 2;
        let shown = &points[points.len().saturating_sub(fit)..];
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
            Constraint::Length(9),
            Constraint::Fill(1),
            Constraint::Length(17),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(17),
            Constraint::Length(5),
        ];
        draw_table(
            frame,
            rows,
            t,
            &mut self.list,
            Columns {
                title: "Scans (enter opens one)",
                header: &[
                    "Scan",
                    "Digest",
                    "Completed",
                    "Components",
                    "Findings",
                    "Crit/High/Med/Low",
                    "Gate",
                ],
                widths: &widths,
            },
            |i| {
                let Some(p) = points.get(i) else { return Vec::new() };
                let mut cells = vec![
                    Cell::from(tail(&p.scan_id)),
                    Cell::from(p.image_digest.as_deref().map_or_else(|| "-".to_owned(), short_digest)),
                ];
                cells.extend(point_cells(p, t));
                cells
            },
        );
    }
}

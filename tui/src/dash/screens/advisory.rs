//! An advisory (the palette's `advisory ID`, or `enter` on a finding): its ids, aliases, summary
//! and whether the loaded vulnerability data has it, then every project of the tenant it affects
//! now with the package, severity, fix and triage; `enter` opens that project's scan.

use cairn_sdk::types::{AdvisoryDetail, ScanId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Wrap};

use super::{Ctx, failure_text, field, message, tail};
use crate::dash::package;
use crate::dash::remote::Remote;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// One open advisory.
#[derive(Debug)]
pub struct AdvisoryScreen {
    /// The id or alias asked for.
    pub id: String,
    /// The advisory.
    pub detail: Remote<AdvisoryDetail>,
    /// Cursor and filter over the affected projects.
    pub list: ListState,
}

impl AdvisoryScreen {
    /// The advisory `id`, loading.
    pub fn new(id: String) -> Self {
        AdvisoryScreen { id, detail: Remote::Loading, list: ListState::default() }
    }

    /// The advisory arrived.
    pub fn set(&mut self, result: crate::dash::msg::Loaded<AdvisoryDetail>) {
        if let Ok(d) = &result {
            self.list.set_items(
                d.affected
                    .iter()
                    .map(|a| format!("{} {}", a.project_name.as_deref().unwrap_or("ad hoc"), a.purl))
                    .collect(),
            );
        }
        self.detail = result.into();
    }

    /// The scan of the affected row under the cursor.
    pub fn current_scan(&self) -> Option<ScanId> {
        Some(self.detail.get()?.affected.get(self.list.current()?)?.scan_id)
    }

    /// Draw it.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let d = match &self.detail {
            Remote::Loaded(d) => d,
            Remote::Failed(e) => {
                let lines = vec![
                    Line::styled(format!("Could not load {}: {}", self.id, failure_text(e)), t.bad()),
                    Line::styled("Press r to retry.", t.dim()),
                ];
                return message(frame, area, ctx, "Advisory", lines);
            }
            Remote::NotAsked | Remote::Loading => {
                let lines = vec![Line::styled(format!("{} Loading {}…", ctx.spinner, self.id), t.dim())];
                return message(frame, area, ctx, "Advisory", lines);
            }
        };
        let [head, rows] = Layout::vertical([Constraint::Length(7), Constraint::Fill(1)]).areas(area);
        let data = if d.in_vulnerability_data {
            field("In data", "yes", t, t.good())
        } else {
            // Only findings know it: the record may have been withdrawn or removed since.
            field("In data", "no: only findings name it", t, t.warn())
        };
        let lines = vec![
            field("Advisory", d.ids.join(", "), t, t.text()),
            field(
                "Aliases",
                if d.aliases.is_empty() { "-".to_owned() } else { d.aliases.join(", ") },
                t,
                t.text(),
            ),
            field("Summary", d.summary.clone().unwrap_or_else(|| "-".to_owned()), t, t.text()),
            data,
            field(
                "Affects",
                format!("{} finding(s) in the tenant's latest scans", d.affected.len()),
                t,
                t.text(),
            ),
        ];
        let block = Block::default()
            .borders(Borders::ALL)
            .title(ratatui::text::Span::styled(" Advisory ", t.title()));
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), head);
        if d.affected.is_empty() {
            let lines = vec![Line::styled("No project of this tenant is affected now.", t.dim())];
            return message(frame, rows, ctx, "Affected projects", lines);
        }
        let widths = [
            Constraint::Fill(1),
            Constraint::Fill(2),
            Constraint::Length(9),
            Constraint::Length(12),
            Constraint::Length(20),
            Constraint::Length(9),
        ];
        draw_table(
            frame,
            rows,
            t,
            &mut self.list,
            Columns {
                title: "Affected projects",
                header: &["Project", "Package", "Severity", "Fixed in", "Triage", "Scan"],
                widths: &widths,
            },
            |i| {
                let Some(a) = d.affected.get(i) else { return Vec::new() };
                vec![
                    Cell::from(a.project_name.clone().unwrap_or_else(|| "ad hoc".to_owned())),
                    Cell::from(package::label(&a.purl)),
                    Cell::from(a.severity.to_string()).style(t.severity(a.severity)),
                    Cell::from(a.fixed_version.clone().unwrap_or_else(|| "-".to_owned())),
                    match a.triage {
                        Some(s) => Cell::from(s.to_string()),
                        None => Cell::from("untriaged").style(t.warn()),
                    },
                    Cell::from(tail(&a.scan_id)),
                ]
            },
        );
    }
}

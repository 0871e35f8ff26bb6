//! The approvals queue (`approvals` in the palette): the tenant's exception requests, pending
//! first, each with its project, rule, subject, reason and expiry. `enter` on a pending one opens
//! the decision ([`DecisionDialog`]: approve or reject), sent with the version shown
//! (`If-Match`); when someone else decided it first the daemon answers 412 and the row is
//! reloaded as it is now. Anyone who may read the tenant sees the queue; only admins' decisions
//! are accepted (others get the daemon's refusal).

use std::collections::HashMap;

use cairn_sdk::types::{Approval, ApprovalState, Project, ProjectId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Wrap};

use super::dialog::Dialog;
use super::{Ctx, Outcome, list_state, popup};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::{Cmd, Loaded};
use crate::dash::remote::Remote;
use crate::dash::time::{ago, date};
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// The queue.
#[derive(Debug, Default)]
pub struct ApprovalsScreen {
    /// The approvals, pending first.
    pub rows: Remote<Vec<Approval>>,
    /// Cursor, filter.
    pub list: ListState,
    /// Project names, from the projects list when the approvals arrived.
    names: HashMap<ProjectId, String>,
}

fn haystack(a: &Approval, names: &HashMap<ProjectId, String>) -> String {
    format!(
        "{} {} {} {} {}",
        a.state.as_str(),
        names.get(&a.project_id).map_or("", String::as_str),
        a.rule.as_deref().unwrap_or("any rule"),
        crate::comparison_text::subject(&a.subject),
        a.reason
    )
}

impl ApprovalsScreen {
    /// The queue while its first load is on its way.
    pub fn loading() -> Self {
        ApprovalsScreen { rows: Remote::Loading, ..ApprovalsScreen::default() }
    }

    /// The approvals arrived; `projects` names their projects.
    pub fn set(&mut self, result: Loaded<Vec<Approval>>, projects: Option<&[Project]>) {
        self.names = projects.into_iter().flatten().map(|p| (p.id, p.name.clone())).collect();
        self.rows = result.into();
        if let Some(rows) = self.rows.get() {
            self.list.set_items(rows.iter().map(|a| haystack(a, &self.names)).collect());
        }
    }

    /// An approval changed (decided, or found changed by someone else): its row as it is now.
    pub fn replace(&mut self, a: &Approval) {
        let Some(rows) = self.rows.get_mut() else { return };
        if let Some(i) = rows.iter().position(|x| x.id == a.id) {
            rows[i] = a.clone();
            self.list.update_item(i, &haystack(a, &self.names));
        }
    }

    /// The approval under the cursor.
    pub fn current(&self) -> Option<&Approval> {
        self.rows.get()?.get(self.list.current()?)
    }

    /// Draw the queue.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        if !list_state(frame, area, ctx, "Approvals", "approvals", &self.rows) {
            return;
        }
        let Some(rows) = self.rows.get() else { return };
        let names = &self.names;
        let widths = [
            Constraint::Length(9),
            Constraint::Length(14),
            Constraint::Length(18),
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(8),
        ];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns {
                title: "Approvals",
                header: &["State", "Project", "Rule", "Subject", "Reason", "Expires", "Asked"],
                widths: &widths,
            },
            |i| {
                let Some(a) = rows.get(i) else { return Vec::new() };
                let state = match a.state {
                    ApprovalState::Pending => t.warn(),
                    ApprovalState::Approved => t.good(),
                    ApprovalState::Rejected => t.bad(),
                    ApprovalState::Expired => t.dim(),
                };
                vec![
                    Cell::from(a.state.as_str()).style(state),
                    Cell::from(
                        names.get(&a.project_id).cloned().unwrap_or_else(|| super::tail(&a.project_id)),
                    ),
                    Cell::from(a.rule.clone().unwrap_or_else(|| "(any rule)".to_owned())),
                    Cell::from(crate::comparison_text::subject(&a.subject)),
                    Cell::from(a.reason.clone()),
                    Cell::from(date(a.expires_at)),
                    Cell::from(ago(ctx.now, a.created_at)),
                ]
            },
        );
    }
}

/// The decision on one pending request: `left`/`right` (or `j`/`k`) pick approve or reject,
/// `enter` sends it with the version shown, `esc` leaves it pending.
#[derive(Debug)]
pub struct DecisionDialog {
    approval: Approval,
    project: Option<String>,
    /// Approve (else reject).
    pub approve: bool,
    hint: String,
}

impl DecisionDialog {
    /// The decision on `approval` (of the project named `project`, when known).
    pub fn new(approval: Approval, project: Option<String>, keys: &KeyMap) -> Self {
        let hint = keys.hint(&[
            (Action::Right, "approve / reject"),
            (Action::Confirm, "send"),
            (Action::Cancel, "keep it pending"),
        ]);
        DecisionDialog { approval, project, approve: true, hint }
    }
}

impl Dialog for DecisionDialog {
    fn key(&mut self, action: Action) -> Outcome {
        match action {
            Action::Confirm | Action::Submit => Outcome::CloseWith(vec![Cmd::Decide {
                id: self.approval.id,
                version: self.approval.version,
                approve: self.approve,
            }]),
            Action::Cancel | Action::Back | Action::Quit => Outcome::Close,
            Action::Left
            | Action::Right
            | Action::Up
            | Action::Down
            | Action::FieldUp
            | Action::FieldDown => {
                self.approve = !self.approve;
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let a = &self.approval;
        let label = |l: &str| Span::styled(format!("{l:<10}"), t.header());
        let line = |l: &str, v: String| Line::from(vec![label(l), Span::styled(v, t.text())]);
        let choice = if self.approve { "< approve >" } else { "< reject >" };
        let lines = vec![
            line("Project", self.project.clone().unwrap_or_else(|| super::tail(&a.project_id))),
            line("Rule", a.rule.clone().unwrap_or_else(|| "(any rule)".to_owned())),
            line("Subject", crate::comparison_text::subject(&a.subject)),
            line("Reason", a.reason.clone()),
            line("Expires", date(a.expires_at)),
            Line::raw(""),
            Line::from(vec![
                label("Decision"),
                Span::styled(choice, if self.approve { t.good() } else { t.bad() }),
            ]),
            Line::raw(""),
            Line::styled(self.hint.clone(), t.dim()),
        ];
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(3);
        let r = popup(frame, area, 90, height);
        let block =
            Block::default().borders(Borders::ALL).title(Span::styled(" Decide the exception ", t.title()));
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}

//! The exception request (`a` on a scan's Summary when its gate has violations): which violation
//! (a choice over the gate's violations), why, and for how many days; `ctrl-s` sends
//! `Cmd::RequestApproval` (`POST /approvals`), and an admin decides it on the approvals screen.
//! The form is checked before sending (a reason, 1–365 days) and the daemon's refusal is shown in
//! it with the user's text kept.

use cairn_sdk::types::{GateViolation, ProjectId};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::dialog::Dialog;
use super::{Ctx, Outcome, failure_text, popup};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::{ApprovalAsk, Cmd, Msg};
use crate::dash::widgets::input::Input;

const FIELDS: [&str; 3] = ["Violation", "Reason", "Days"];
const VIOLATION: usize = 0;
const REASON: usize = 1;
const DAYS: usize = 2;
/// The daemon's limits: a reason of at most 4000 characters, an expiry at most a year ahead.
const MAX_REASON: usize = 4000;
const MAX_DAYS: u16 = 365;
/// What the days field starts as.
const DEFAULT_DAYS: &str = "30";

/// The request form.
#[derive(Debug)]
pub struct ApprovalDialog {
    project: ProjectId,
    violations: Vec<GateViolation>,
    /// The violation picked.
    pub pick: usize,
    focus: usize,
    reason: Input,
    days: Input,
    sending: bool,
    /// Why the form cannot be sent as it is, or why the daemon refused it.
    pub problem: Option<String>,
    hint: String,
}

impl ApprovalDialog {
    /// A request for one of `violations` of `project`'s gate; its hint names `keys`' keys.
    pub fn new(project: ProjectId, violations: Vec<GateViolation>, keys: &KeyMap) -> Self {
        let hint = keys.hint(&[
            (Action::NextField, "next field"),
            (Action::Left, "other violation"),
            (Action::Submit, "send"),
            (Action::Cancel, "cancel"),
        ]);
        ApprovalDialog {
            project,
            violations,
            pick: 0,
            focus: VIOLATION,
            reason: Input::default(),
            days: Input::new(DEFAULT_DAYS),
            sending: false,
            problem: None,
            hint,
        }
    }

    /// The request the form makes, or why it cannot be sent.
    pub fn ask(&self) -> Result<ApprovalAsk, String> {
        let v = self.violations.get(self.pick).ok_or("the gate has no violation to ask about")?;
        let reason = self.reason.value().trim();
        if reason.is_empty() {
            return Err("say why the exception is needed (Reason)".into());
        }
        if reason.chars().count() > MAX_REASON {
            return Err(format!("the reason is longer than {MAX_REASON} characters"));
        }
        let days = self
            .days
            .value()
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or(format!("Days must be a whole number from 1 to {MAX_DAYS}"))?;
        Ok(ApprovalAsk {
            project: self.project,
            rule: v.rule.clone(),
            subject: v.subject.clone(),
            reason: reason.to_owned(),
            days,
        })
    }

    fn send(&mut self) -> Outcome {
        if self.sending {
            return Outcome::Stay;
        }
        match self.ask() {
            Ok(ask) => {
                self.problem = None;
                self.sending = true;
                Outcome::Cmds(vec![Cmd::RequestApproval(ask)])
            }
            Err(why) => {
                self.problem = Some(why);
                Outcome::Stay
            }
        }
    }

    fn field(&mut self) -> Option<&mut Input> {
        match self.focus {
            REASON => Some(&mut self.reason),
            DAYS => Some(&mut self.days),
            _ => None,
        }
    }

    fn cycle(&mut self, by: isize) {
        let n = self.violations.len();
        if n > 0 {
            self.pick = (self.pick + n).saturating_add_signed(by) % n;
        }
    }
}

impl Dialog for ApprovalDialog {
    fn key(&mut self, action: Action) -> Outcome {
        match action {
            Action::Submit => return self.send(),
            Action::Cancel => return Outcome::Close,
            Action::NextField | Action::FieldDown => self.focus = (self.focus + 1) % FIELDS.len(),
            Action::PrevField | Action::FieldUp => {
                self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len()
            }
            Action::Confirm if self.focus == DAYS => return self.send(),
            Action::Confirm => self.focus += 1,
            other => match self.field() {
                Some(input) => {
                    if input.act(other) {
                        self.problem = None;
                    }
                }
                // On the violation, `j`/`k` arrive as the screens' down/up.
                None => match other {
                    Action::Right | Action::Down => self.cycle(1),
                    Action::Left | Action::Up => self.cycle(-1),
                    _ => {}
                },
            },
        }
        Outcome::Stay
    }

    fn paste(&mut self, text: &str) {
        if let Some(input) = self.field() {
            input.paste(text);
            self.problem = None;
        }
    }

    fn text_focus(&self) -> bool {
        self.focus != VIOLATION
    }

    fn update(&mut self, msg: &Msg) -> Option<Outcome> {
        let Msg::ApprovalRequested(result) = msg else { return None };
        if !self.sending {
            return None;
        }
        self.sending = false;
        match result {
            Ok(_) => Some(Outcome::Close),
            Err(f) => {
                self.problem = Some(failure_text(f));
                Some(Outcome::Stay)
            }
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let label = |i: usize| Span::styled(format!("{:<11}", FIELDS[i]), t.header());
        let mut lines = Vec::new();
        match self.violations.get(self.pick) {
            Some(v) => {
                let style = if self.focus == VIOLATION { t.focused() } else { t.text() };
                lines.push(Line::from(vec![
                    label(VIOLATION),
                    Span::styled(
                        format!("< {} of {}: {} >", self.pick + 1, self.violations.len(), v.rule),
                        style,
                    ),
                ]));
                lines.push(Line::styled(
                    format!("{:<11}{}", "", crate::comparison_text::subject(&v.subject)),
                    t.text(),
                ));
                lines.push(Line::styled(format!("{:<11}{}", "", v.message), t.dim()));
            }
            None => lines.push(Line::styled("The gate has no violation to ask about.", t.dim())),
        }
        let mut reason = vec![label(REASON)];
        reason.extend(self.reason.spans(self.focus == REASON, t));
        lines.push(Line::from(reason));
        let mut days = vec![label(DAYS)];
        days.extend(self.days.spans(self.focus == DAYS, t));
        days.push(Span::styled("  days until it expires (1–365)", t.dim()));
        lines.push(Line::from(days));
        lines.push(Line::raw(""));
        if let Some(p) = &self.problem {
            lines.push(Line::styled(format!("Not sent: {p}"), t.bad()));
        }
        if self.sending {
            lines.push(Line::styled(format!("{} Sending…", ctx.spinner), t.warn()));
        }
        lines.push(Line::styled("An admin approves or rejects it on the approvals screen.", t.dim()));
        lines.push(Line::styled(self.hint.clone(), t.dim()));
        let block =
            Block::default().borders(Borders::ALL).title(Span::styled(" Ask for an exception ", t.title()));
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(3);
        let r = popup(frame, area, 90, height);
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}

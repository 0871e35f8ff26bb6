//! One feature request (`enter` on the feature requests): kind, title, status, who asked, when,
//! the body and the latest status note. A tenant admin also gets `Status` (`left`/`right` or
//! `j`/`k`) and `Note`; `ctrl-s` (or `enter` on the note) sends the change with the version shown
//! as `If-Match`. Anyone else sees why they cannot change it.

use cairn_sdk::types::{
    FEATURE_REQUEST_BODY_MAX, FeatureRequest, FeatureRequestStatus, FeatureRequestStatusChange, UserId,
};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::dialog::Dialog;
use super::requests::{author, status_style};
use super::{Ctx, Outcome, popup};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::Cmd;
use crate::dash::time::date;
use crate::dash::widgets::input::Input;

const STATUSES: [FeatureRequestStatus; 5] = [
    FeatureRequestStatus::Open,
    FeatureRequestStatus::Planned,
    FeatureRequestStatus::InProgress,
    FeatureRequestStatus::Done,
    FeatureRequestStatus::Declined,
];
const STATUS: usize = 0;
const NOTE: usize = 1;

/// The request, and the admin's status change.
#[derive(Debug)]
pub struct RequestDialog {
    request: FeatureRequest,
    me: Option<UserId>,
    /// `Err(why)`: the status cannot be changed from here (not an admin, read-only).
    may_change: Result<(), String>,
    /// The status picked (index into the statuses).
    pub status: usize,
    focus: usize,
    note: Input,
    problem: Option<String>,
    hint: String,
}

impl RequestDialog {
    /// `request` as `me` sees it; `may_change` says whether its status can be changed here.
    pub fn new(
        request: FeatureRequest,
        me: Option<UserId>,
        may_change: Result<(), String>,
        keys: &KeyMap,
    ) -> Self {
        let hint = match may_change {
            Ok(()) => keys.hint(&[
                (Action::Left, "status"),
                (Action::NextField, "note"),
                (Action::Submit, "send"),
                (Action::Cancel, "close"),
            ]),
            Err(_) => keys.hint(&[(Action::Cancel, "close")]),
        };
        let status = STATUSES.iter().position(|s| *s == request.status).unwrap_or(0);
        RequestDialog {
            request,
            me,
            may_change,
            status,
            focus: STATUS,
            note: Input::default(),
            problem: None,
            hint,
        }
    }

    fn send(&mut self) -> Outcome {
        if self.may_change.is_err() {
            return Outcome::Stay;
        }
        let status = STATUSES[self.status.min(STATUSES.len() - 1)];
        let note = self.note.value().trim();
        if note.chars().count() > FEATURE_REQUEST_BODY_MAX {
            self.problem = Some(format!("the note is longer than {FEATURE_REQUEST_BODY_MAX} characters"));
            return Outcome::Stay;
        }
        if status == self.request.status && note.is_empty() {
            self.problem =
                Some(format!("it is {} already: pick another status or write a note", status.as_str()));
            return Outcome::Stay;
        }
        let change = FeatureRequestStatusChange { status, note: (!note.is_empty()).then(|| note.to_owned()) };
        Outcome::CloseWith(vec![Cmd::SetRequestStatus {
            id: self.request.id,
            version: self.request.version,
            change,
        }])
    }
}

impl Dialog for RequestDialog {
    fn key(&mut self, action: Action) -> Outcome {
        match action {
            Action::Cancel | Action::Back => return Outcome::Close,
            _ if self.may_change.is_err() => {}
            Action::Submit => return self.send(),
            Action::Confirm if self.focus == NOTE => return self.send(),
            Action::Confirm | Action::NextField | Action::PrevField | Action::FieldDown | Action::FieldUp => {
                self.focus = 1 - self.focus;
            }
            Action::Right | Action::Down if self.focus == STATUS => {
                self.status = (self.status + 1) % STATUSES.len();
                self.problem = None;
            }
            Action::Left | Action::Up if self.focus == STATUS => {
                self.status = (self.status + STATUSES.len() - 1) % STATUSES.len();
                self.problem = None;
            }
            other if self.focus == NOTE && self.note.act(other) => self.problem = None,
            _ => {}
        }
        Outcome::Stay
    }

    fn paste(&mut self, text: &str) {
        if self.focus == NOTE && self.may_change.is_ok() {
            self.note.paste(text);
        }
    }

    fn text_focus(&self) -> bool {
        self.focus == NOTE && self.may_change.is_ok()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let r = &self.request;
        let label = |l: &str, focused: bool| {
            Span::styled(format!("{l:<12}"), if focused { t.focused() } else { t.header() })
        };
        let line = |l: &str, v: String| Line::from(vec![label(l, false), Span::styled(v, t.text())]);
        let mut lines = vec![
            line("Kind", r.kind.as_str().to_owned()),
            line("Title", r.title.clone()),
            Line::from(vec![
                label("Status", false),
                Span::styled(r.status.as_str(), status_style(r.status, t)),
            ]),
            line("Asked by", author(r.requested_by, self.me)),
            line("Created", date(r.created_at)),
            line("Version", format!("{} (sent as If-Match with a change)", r.version)),
        ];
        if let Some(note) = &r.status_note {
            let when = r.status_changed_at.map(|at| format!(" ({})", date(at))).unwrap_or_default();
            lines.push(line("Note", format!("{note}{when}")));
        }
        lines.push(Line::raw(""));
        if r.body.trim().is_empty() {
            lines.push(Line::styled("(no details)", t.dim()));
        } else {
            lines.extend(r.body.lines().map(|l| Line::styled(l.to_owned(), t.text())));
        }
        lines.push(Line::raw(""));
        match &self.may_change {
            Ok(()) => {
                let picked = STATUSES[self.status.min(STATUSES.len() - 1)];
                lines.push(Line::from(vec![
                    label("New status", self.focus == STATUS),
                    Span::styled(
                        format!("< {} >", picked.as_str()),
                        if self.focus == STATUS { t.focused() } else { status_style(picked, t) },
                    ),
                ]));
                let mut note = vec![label("Note", self.focus == NOTE)];
                note.extend(self.note.spans(self.focus == NOTE, t));
                lines.push(Line::from(note));
                if let Some(p) = &self.problem {
                    lines.push(Line::styled(format!("Not sent: {p}"), t.bad()));
                }
            }
            Err(why) => lines.push(Line::styled(why.clone(), t.warn())),
        }
        lines.push(Line::styled(self.hint.clone(), t.dim()));
        let block =
            Block::default().borders(Borders::ALL).title(Span::styled(" Feature request ", t.title()));
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(3);
        let rect = popup(frame, area, 90, height);
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
    }
}

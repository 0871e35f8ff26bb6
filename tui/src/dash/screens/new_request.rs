//! The new feature request form (`n` on the feature requests): `Kind` (feature, package, bug),
//! `Title` and `Body`; checked against the daemon's rules before sending, a refusal shown with the
//! text kept.

use cairn_sdk::types::{
    CreateFeatureRequest, FEATURE_REQUEST_BODY_MAX, FEATURE_REQUEST_TITLE_MAX, FeatureRequestKind,
};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::dialog::Dialog;
use super::{Ctx, Outcome, failure_text, popup};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::{Cmd, Msg};
use crate::dash::widgets::input::Input;

const FIELDS: [&str; 3] = ["Kind", "Title", "Body"];
const KIND: usize = 0;
const TITLE: usize = 1;
const BODY: usize = 2;
const KINDS: [FeatureRequestKind; 3] =
    [FeatureRequestKind::Feature, FeatureRequestKind::Package, FeatureRequestKind::Bug];

/// The form.
#[derive(Debug)]
pub struct NewRequestForm {
    kind: usize,
    focus: usize,
    title: Input,
    body: Input,
    sending: bool,
    /// Why the form cannot be sent as it is, or why the daemon refused it.
    pub problem: Option<String>,
    hint: String,
}

impl NewRequestForm {
    /// An empty form; its hint names `keys`' keys.
    pub fn new(keys: &KeyMap) -> Self {
        let hint = keys.hint(&[
            (Action::NextField, "next field"),
            (Action::Left, "kind"),
            (Action::Submit, "send"),
            (Action::Cancel, "cancel"),
        ]);
        NewRequestForm {
            kind: 0,
            focus: KIND,
            title: Input::default(),
            body: Input::default(),
            sending: false,
            problem: None,
            hint,
        }
    }

    /// The request the form makes, or why it cannot be sent (the daemon's rules: a title of
    /// 1–200 characters without control characters, a body of at most 10,000).
    pub fn request(&self) -> Result<CreateFeatureRequest, String> {
        let title = self.title.value().trim();
        if title.is_empty() {
            return Err("give it a title".into());
        }
        if title.chars().count() > FEATURE_REQUEST_TITLE_MAX {
            return Err(format!("the title is longer than {FEATURE_REQUEST_TITLE_MAX} characters"));
        }
        if title.chars().any(char::is_control) {
            return Err("the title holds a control character".into());
        }
        let body = self.body.value();
        if body.chars().count() > FEATURE_REQUEST_BODY_MAX {
            return Err(format!("the body is longer than {FEATURE_REQUEST_BODY_MAX} characters"));
        }
        if body.contains('\0') {
            return Err("the body holds a NUL character".into());
        }
        Ok(CreateFeatureRequest {
            kind: KINDS[self.kind.min(KINDS.len() - 1)],
            title: title.to_owned(),
            body: body.to_owned(),
        })
    }

    fn send(&mut self) -> Outcome {
        if self.sending {
            return Outcome::Stay;
        }
        match self.request() {
            Ok(body) => {
                self.problem = None;
                self.sending = true;
                Outcome::Cmds(vec![Cmd::CreateRequest(body)])
            }
            Err(why) => {
                self.problem = Some(why);
                Outcome::Stay
            }
        }
    }

    fn field(&mut self) -> Option<&mut Input> {
        match self.focus {
            TITLE => Some(&mut self.title),
            BODY => Some(&mut self.body),
            _ => None,
        }
    }
}

impl Dialog for NewRequestForm {
    fn key(&mut self, action: Action) -> Outcome {
        match action {
            Action::Submit => return self.send(),
            Action::Cancel => return Outcome::Close,
            Action::NextField | Action::FieldDown => self.focus = (self.focus + 1) % FIELDS.len(),
            Action::PrevField | Action::FieldUp => {
                self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len()
            }
            Action::Confirm if self.focus == BODY => return self.send(),
            Action::Confirm => self.focus += 1,
            other => match self.field() {
                Some(input) => {
                    if input.act(other) {
                        self.problem = None;
                    }
                }
                // On the kind, `j`/`k` arrive as the screens' down/up.
                None => match other {
                    Action::Right | Action::Down => self.kind = (self.kind + 1) % KINDS.len(),
                    Action::Left | Action::Up => self.kind = (self.kind + KINDS.len() - 1) % KINDS.len(),
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
        self.focus != KIND
    }

    fn update(&mut self, msg: &Msg) -> Option<Outcome> {
        let Msg::RequestCreated(result) = msg else { return None };
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
        let label = |i: usize| {
            Span::styled(format!("{:<8}", FIELDS[i]), if self.focus == i { t.focused() } else { t.header() })
        };
        let kinds: Vec<Span> = KINDS
            .iter()
            .enumerate()
            .flat_map(|(i, k)| {
                let style = match (i == self.kind, self.focus == KIND) {
                    (true, true) => t.focused(),
                    (true, false) => t.selected(),
                    _ => t.dim(),
                };
                [Span::styled(format!(" {} ", k.as_str()), style), Span::raw(" ")]
            })
            .collect();
        let mut kind = vec![label(KIND)];
        kind.extend(kinds);
        let mut title = vec![label(TITLE)];
        title.extend(self.title.spans(self.focus == TITLE, t));
        let mut body = vec![label(BODY)];
        body.extend(self.body.spans(self.focus == BODY, t));
        let mut lines = vec![Line::from(kind), Line::from(title), Line::from(body), Line::raw("")];
        if let Some(p) = &self.problem {
            lines.push(Line::styled(format!("Not sent: {p}"), t.bad()));
        }
        if self.sending {
            lines.push(Line::styled(format!("{} Sending…", ctx.spinner), t.warn()));
        }
        lines.push(Line::styled(self.hint.clone(), t.dim()));
        let block =
            Block::default().borders(Borders::ALL).title(Span::styled(" New feature request ", t.title()));
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(3);
        let r = popup(frame, area, 90, height);
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}

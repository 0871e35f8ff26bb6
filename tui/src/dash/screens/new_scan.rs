//! The new-scan form: a source (Path, Git, Upload, Image) chosen with left/right, its fields
//! (Path; URL and Ref; or Image and Platform), the project; `tab` moves, `ctrl-s` or `enter` on the last field submits.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::dialog::Dialog;
use super::{Ctx, Outcome, failure_text, popup};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::{Cmd, Failure, Msg, NewScan, NewScanSource};
use crate::dash::widgets::input::Input;

/// The source kinds, in selector order.
pub const SOURCES: [&str; 4] = ["Path", "Git", "Upload", "Image"];

/// The form's state.
#[derive(Debug, Default)]
pub struct NewScanForm {
    /// Index into [`SOURCES`].
    source: usize,
    /// 0 = the source selector, then the kind's fields.
    focus: usize,
    path: Input,
    url: Input,
    reference: Input,
    image: Input,
    platform: Input,
    project: Input,
    /// Why the last submit was refused or failed.
    pub error: Option<String>,
    /// Submitted, waiting for the answer.
    pub submitting: bool,
    /// The key hint, from the key table.
    hint: String,
}

impl NewScanForm {
    /// A form whose path starts as `path` (empty without one); its hint names `keys`' keys.
    pub fn with_path(path: Option<&str>, keys: &KeyMap) -> Self {
        let hint = keys.hint(&[
            (Action::Left, "source"),
            (Action::NextField, "next field"),
            (Action::Submit, "submit"),
            (Action::Cancel, "cancel"),
        ]);
        NewScanForm { path: Input::new(path.unwrap_or_default()), hint, ..NewScanForm::default() }
    }

    /// The same form with Upload selected: what a team daemon, which reads only its own
    /// configured roots, can scan from this machine.
    pub fn upload_first(mut self) -> Self {
        self.source = 2;
        self
    }

    fn labels(&self) -> &'static [&'static str] {
        match self.source {
            1 => &["URL", "Ref", "Project"],
            3 => &["Image", "Platform", "Project"],
            _ => &["Path", "Project"],
        }
    }

    fn field(&mut self, i: usize) -> Option<&mut Input> {
        Some(match (self.source, i) {
            (1, 1) => &mut self.url,
            (1, 2) => &mut self.reference,
            (3, 1) => &mut self.image,
            (3, 2) => &mut self.platform,
            (1 | 3, 3) | (0 | 2, 2) => &mut self.project,
            (_, 1) => &mut self.path,
            _ => return None,
        })
    }

    fn value(&self, label: &str) -> &Input {
        match label {
            "URL" => &self.url,
            "Ref" => &self.reference,
            "Image" => &self.image,
            "Platform" => &self.platform,
            "Project" => &self.project,
            _ => &self.path,
        }
    }

    /// The scan the form describes, or why it cannot be submitted.
    pub fn scan(&self) -> Result<NewScan, String> {
        let project = Some(self.project.value().trim().to_owned()).filter(|p| !p.is_empty());
        let source = match self.source {
            1 => {
                let url = self.url.value().trim();
                if url.is_empty() {
                    return Err("URL is required".into());
                }
                let r = self.reference.value().trim();
                NewScanSource::Git { url: url.to_owned(), reference: (!r.is_empty()).then(|| r.to_owned()) }
            }
            3 => {
                let reference = self.image.value().trim();
                if reference.is_empty() {
                    return Err("Image is required (registry/repo:tag)".into());
                }
                let p = self.platform.value().trim();
                NewScanSource::Image {
                    reference: reference.to_owned(),
                    platform: (!p.is_empty()).then(|| p.to_owned()),
                }
            }
            kind => {
                let path = self.path.value().trim();
                if path.is_empty() {
                    return Err("Path is required".into());
                }
                if kind == 2 {
                    NewScanSource::Upload(PathBuf::from(path))
                } else {
                    NewScanSource::Path(PathBuf::from(path))
                }
            }
        };
        Ok(NewScan { source, project, crypto: true })
    }

    fn submit(&mut self) -> Outcome {
        if self.submitting {
            return Outcome::Stay;
        }
        match self.scan() {
            Ok(scan) => {
                self.error = None;
                self.submitting = true;
                Outcome::Cmds(vec![Cmd::Submit(scan)])
            }
            Err(e) => {
                self.error = Some(e);
                Outcome::Stay
            }
        }
    }

    /// The daemon refused or failed the submit.
    pub fn failed(&mut self, f: &Failure) {
        self.submitting = false;
        self.error = Some(failure_text(f));
    }

    fn fields(&self) -> usize {
        self.labels().len() + 1
    }

    fn cycle_source(&mut self, by: usize) {
        self.source = (self.source + by) % SOURCES.len();
        // The refusal was about the other kind's fields.
        self.error = None;
    }
}

impl Dialog for NewScanForm {
    fn key(&mut self, action: Action) -> Outcome {
        let fields = self.fields();
        match action {
            Action::Submit => return self.submit(),
            Action::Cancel => return Outcome::Close,
            Action::NextField | Action::FieldDown => self.focus = (self.focus + 1) % fields,
            Action::PrevField | Action::FieldUp => self.focus = (self.focus + fields - 1) % fields,
            Action::Confirm if self.focus + 1 == fields => return self.submit(),
            Action::Confirm => self.focus += 1,
            Action::Right if self.focus == 0 => self.cycle_source(1),
            Action::Left if self.focus == 0 => self.cycle_source(SOURCES.len() - 1),
            other => {
                let focus = self.focus;
                if let Some(input) = self.field(focus) {
                    input.act(other);
                }
            }
        }
        Outcome::Stay
    }

    fn paste(&mut self, text: &str) {
        let focus = self.focus;
        if let Some(input) = self.field(focus) {
            input.paste(text);
        }
    }

    fn text_focus(&self) -> bool {
        self.focus > 0
    }

    fn update(&mut self, msg: &Msg) -> Option<Outcome> {
        match msg {
            Msg::Submitted(Ok(_)) => Some(Outcome::Close),
            Msg::Submitted(Err(f)) => {
                self.failed(f);
                Some(Outcome::Stay)
            }
            _ => None,
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let r = popup(frame, area, 80, 12);
        let mut source = vec![Span::styled(format!("{:<10}", "Source"), t.header())];
        for (i, name) in SOURCES.iter().enumerate() {
            let style = match (i == self.source, self.focus == 0) {
                (true, true) => t.focused().add_modifier(ratatui::style::Modifier::REVERSED),
                (true, false) => t.selected(),
                _ => t.dim(),
            };
            source.push(Span::styled(format!(" {name} "), style));
            source.push(Span::raw(" "));
        }
        let mut lines = vec![Line::from(source), Line::raw("")];
        for (i, label) in self.labels().iter().enumerate() {
            let focused = self.focus == i + 1;
            let mut spans =
                vec![Span::styled(format!("{label:<10}"), if focused { t.focused() } else { t.header() })];
            spans.extend(self.value(label).spans(focused, t));
            lines.push(Line::from(spans));
        }
        let hint = match self.source {
            1 => "The daemon clones the repository (Ref: branch, tag or commit; empty = default branch).",
            2 => "A directory is packed and uploaded; an archive file is uploaded as it is.",
            3 => "The daemon pulls the image (Platform: os/arch; empty = the only one, else linux/amd64).",
            _ => "A directory the daemon reads in place.",
        };
        lines.push(Line::raw(""));
        lines.push(Line::styled(hint, t.dim()));
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), t.bad()));
        } else if self.submitting {
            lines.push(Line::styled("Submitting…", t.warn()));
        }
        lines.push(Line::styled(self.hint.clone(), t.dim()));
        let block = Block::default().borders(Borders::ALL).title(Span::styled(" New scan ", t.title()));
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}

//! The new-scan form: a source (Path, Git, Upload) chosen with left/right, its fields (Path, or
//! URL and Ref), the project; `tab` moves, `ctrl-s` or `enter` on the last field submits.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Ctx, Outcome, failure_text, popup};
use crate::dash::msg::{Cmd, Failure, NewScan, NewScanSource};
use crate::dash::widgets::input::Input;

/// The source kinds, in selector order.
pub const SOURCES: [&str; 3] = ["Path", "Git", "Upload"];

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
    project: Input,
    /// Why the last submit was refused or failed.
    pub error: Option<String>,
    /// Submitted, waiting for the answer.
    pub submitting: bool,
}

impl NewScanForm {
    /// A form whose path starts as `path` (empty without one).
    pub fn with_path(path: Option<&str>) -> Self {
        NewScanForm { path: Input::new(path.unwrap_or_default()), ..NewScanForm::default() }
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
            _ => &["Path", "Project"],
        }
    }

    fn field(&mut self, i: usize) -> Option<&mut Input> {
        Some(match (self.source, i) {
            (1, 1) => &mut self.url,
            (1, 2) => &mut self.reference,
            (1, 3) | (_, 2) => &mut self.project,
            (_, 1) => &mut self.path,
            _ => return None,
        })
    }

    fn value(&self, label: &str) -> &Input {
        match label {
            "URL" => &self.url,
            "Ref" => &self.reference,
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

    /// Handle a key.
    pub fn key(&mut self, key: &KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let fields = self.labels().len() + 1;
        match key.code {
            KeyCode::Char('s') if ctrl => return self.submit(),
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % fields,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + fields - 1) % fields,
            KeyCode::Enter if self.focus + 1 == fields => return self.submit(),
            KeyCode::Enter => self.focus += 1,
            KeyCode::Right if self.focus == 0 => self.cycle_source(1),
            KeyCode::Left if self.focus == 0 => self.cycle_source(SOURCES.len() - 1),
            _ => {
                let focus = self.focus;
                if let Some(input) = self.field(focus) {
                    input.key(key);
                }
            }
        }
        Outcome::Stay
    }

    fn cycle_source(&mut self, by: usize) {
        self.source = (self.source + by) % SOURCES.len();
        // The refusal was about the other kind's fields.
        self.error = None;
    }

    /// Pasted text goes into the focused field.
    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        if let Some(input) = self.field(focus) {
            input.paste(text);
        }
    }

    /// Draw the form.
    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
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
            _ => "A directory the daemon reads in place.",
        };
        lines.push(Line::raw(""));
        lines.push(Line::styled(hint, t.dim()));
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), t.bad()));
        } else if self.submitting {
            lines.push(Line::styled("Submitting…", t.warn()));
        }
        lines.push(Line::styled("←/→ source · tab next field · ctrl-s submit · esc cancel", t.dim()));
        let block = Block::default().borders(Borders::ALL).title(Span::styled(" New scan ", t.title()));
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}

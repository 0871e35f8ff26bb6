//! The command palette: type to narrow the commands (named in the key list), `enter` runs one.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Ctx, Outcome, popup};
use crate::dash::keys::{Action, BINDINGS, Binding};
use crate::dash::widgets::input::Input;

/// The palette's state.
#[derive(Debug, Default)]
pub struct Palette {
    input: Input,
    selected: usize,
}

fn runnable(b: &Binding) -> bool {
    // Tab numbers and the palette itself make no sense as commands.
    !b.command.is_empty() && !matches!(b.action, Action::Tab(_) | Action::Palette)
}

impl Palette {
    /// The commands matching what was typed.
    pub fn matches(&self) -> Vec<&'static Binding> {
        let q = self.input.value().trim().to_lowercase();
        BINDINGS
            .iter()
            .filter(|b| {
                runnable(b) && (b.command.contains(q.as_str()) || b.help.to_lowercase().contains(q.as_str()))
            })
            .collect()
    }

    /// Handle a key.
    pub fn key(&mut self, key: &KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter => {
                return match self.matches().get(self.selected) {
                    Some(b) => Outcome::Run(b.action),
                    None => Outcome::Stay,
                };
            }
            KeyCode::Down | KeyCode::Tab => self.selected = self.selected.saturating_add(1),
            KeyCode::Up | KeyCode::BackTab => self.selected = self.selected.saturating_sub(1),
            _ => {
                if self.input.key(key) {
                    self.selected = 0;
                }
            }
        }
        self.selected = self.selected.min(self.matches().len().saturating_sub(1));
        Outcome::Stay
    }

    /// Pasted text is typed.
    pub fn paste(&mut self, text: &str) {
        self.input.paste(text);
        self.selected = 0;
    }

    /// Draw the palette.
    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let matches = self.matches();
        let height = u16::try_from(matches.len().min(16)).unwrap_or(16).saturating_add(4);
        let r = popup(frame, area, 56, height);
        let mut prompt = vec![Span::styled(": ", t.header())];
        prompt.extend(self.input.spans(true, t));
        let mut lines = vec![Line::from(prompt), Line::raw("")];
        if matches.is_empty() {
            lines.push(Line::styled("no such command", t.dim()));
        }
        for (i, b) in matches.iter().enumerate().take(16) {
            let style = if i == self.selected { t.selected() } else { t.text() };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<16}", b.command), style),
                Span::styled(
                    format!(
                        "{} {}",
                        b.help,
                        if b.keys.is_empty() { String::new() } else { format!("({})", b.keys) }
                    ),
                    t.dim(),
                ),
            ]));
        }
        let block = Block::default().borders(Borders::ALL).title(Span::styled(" Command ", t.title()));
        frame.render_widget(Paragraph::new(lines).block(block), r);
    }
}

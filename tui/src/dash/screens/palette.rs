//! The command palette: type to narrow the commands (the key table's screen actions, by name),
//! `enter` runs one. Searches are typed as words: `where PACKAGE` (where a package is used across
//! the tenant's projects), `advisory ID` (an advisory and the projects it affects) and
//! `history [PROJECT]` (a project's findings over time; the project under the cursor without a
//! name).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::dialog::Dialog;
use super::{Ctx, Goto, Outcome, popup};
use crate::dash::keys::{Action, KeyMap, Mode};
use crate::dash::widgets::input::Input;

/// One command the palette offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// What it runs.
    pub action: Action,
    /// Its keys as help writes them (empty: the palette is the only way).
    pub keys: String,
}

/// The palette's state.
#[derive(Debug, Default)]
pub struct Palette {
    commands: Vec<Command>,
    input: Input,
    selected: usize,
}

impl Palette {
    /// The palette over `keys`' actions.
    pub fn new(keys: &KeyMap) -> Self {
        let commands = keys
            .bindings()
            .iter()
            // Tab numbers and the palette itself make no sense as commands.
            .filter(|b| {
                b.action.mode() == Mode::Screen && !matches!(b.action, Action::Tab(_) | Action::Palette)
            })
            .map(|b| Command { action: b.action, keys: keys.keys_text(b.action) })
            .collect();
        Palette { commands, ..Palette::default() }
    }

    /// The search the typed words ask for (`where requests`, `where is requests`,
    /// `advisory CVE-2023-32681`), once it names what to look for.
    pub fn search(&self) -> Option<Goto> {
        let typed = self.input.value().trim();
        if typed.eq_ignore_ascii_case("history") {
            return Some(Goto::History(None));
        }
        let (word, rest) = typed.split_once(char::is_whitespace)?;
        let rest = rest.trim();
        match word.to_lowercase().as_str() {
            "where" => {
                let package = rest.strip_prefix("is ").map_or(rest, str::trim);
                (!package.is_empty() && package != "is").then(|| Goto::WhereUsed(package.to_owned()))
            }
            "advisory" if !rest.is_empty() => Some(Goto::Advisory(rest.to_owned())),
            "history" if !rest.is_empty() => Some(Goto::History(Some(rest.to_owned()))),
            _ => None,
        }
    }

    /// The commands matching what was typed.
    pub fn matches(&self) -> Vec<&Command> {
        let q = self.input.value().trim().to_lowercase();
        self.commands
            .iter()
            .filter(|c| {
                c.action.name().contains(q.as_str()) || c.action.help().to_lowercase().contains(q.as_str())
            })
            .collect()
    }
}

impl Dialog for Palette {
    fn key(&mut self, action: Action) -> Outcome {
        match action {
            Action::Cancel => return Outcome::Close,
            Action::Confirm => {
                if let Some(goto) = self.search() {
                    return Outcome::Goto(goto);
                }
                return match self.matches().get(self.selected) {
                    Some(c) => Outcome::Run(c.action),
                    None => Outcome::Stay,
                };
            }
            Action::FieldDown | Action::NextField => self.selected = self.selected.saturating_add(1),
            Action::FieldUp | Action::PrevField => self.selected = self.selected.saturating_sub(1),
            other => {
                if self.input.act(other) {
                    self.selected = 0;
                }
            }
        }
        self.selected = self.selected.min(self.matches().len().saturating_sub(1));
        Outcome::Stay
    }

    fn paste(&mut self, text: &str) {
        self.input.paste(text);
        self.selected = 0;
    }

    fn text_focus(&self) -> bool {
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let matches = self.matches();
        // One more line for the search offered, or for "no such command".
        let said = usize::from(self.search().is_some() || matches.is_empty());
        let height = u16::try_from(matches.len().min(16) + said).unwrap_or(17).saturating_add(4);
        let r = popup(frame, area, 56, height);
        let mut prompt = vec![Span::styled(": ", t.header())];
        prompt.extend(self.input.spans(true, t));
        let mut lines = vec![Line::from(prompt), Line::raw("")];
        match self.search() {
            Some(goto) => {
                let what = match goto {
                    Goto::WhereUsed(p) => format!("where is {p}: every project using it, file and line"),
                    Goto::Advisory(id) => format!("advisory {id}: its details and every affected project"),
                    Goto::History(Some(p)) => format!("history of {p}: findings over time, compare scans"),
                    Goto::History(None) => "history of the project under the cursor".to_owned(),
                };
                lines.push(Line::styled(format!("enter: {what}"), t.selected()));
            }
            None if matches.is_empty() => {
                lines.push(Line::styled(
                    "no such command (`where PACKAGE`, `advisory ID`, `history [PROJECT]`)",
                    t.dim(),
                ));
            }
            None => {}
        }
        for (i, c) in matches.iter().enumerate().take(16) {
            let style = if i == self.selected { t.selected() } else { t.text() };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<16}", c.action.name()), style),
                Span::styled(
                    format!(
                        "{} {}",
                        c.action.help(),
                        if c.keys.is_empty() { String::new() } else { format!("({})", c.keys) }
                    ),
                    t.dim(),
                ),
            ]));
        }
        let block = Block::default().borders(Borders::ALL).title(Span::styled(" Command ", t.title()));
        frame.render_widget(Paragraph::new(lines).block(block), r);
    }
}

//! The help screen, generated from the key table: what it lists is what the keys do.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::dialog::Dialog;
use super::{Ctx, Outcome, popup};
use crate::dash::keys::{Action, HelpRow, KeyMap, Mode};

/// Two columns side by side from this wide; narrower, one under the other.
const TWO_COLUMNS: u16 = 110;

/// The help screen's rows, read from the table when it opens.
#[derive(Debug)]
pub struct HelpDialog {
    screen: Vec<HelpRow>,
    field: Vec<HelpRow>,
    /// Rows scrolled past (a short terminal shows part of the list).
    scroll: u16,
    /// How to scroll and close it, in the table's keys.
    hint: String,
}

impl HelpDialog {
    /// Help for `keys`.
    pub fn new(keys: &KeyMap) -> Self {
        HelpDialog {
            screen: keys.help_rows(Mode::Screen),
            field: keys.help_rows(Mode::Field),
            scroll: 0,
            hint: keys.hint(&[(Action::Down, "scroll"), (Action::Cancel, "close")]),
        }
    }

    fn column(title: &'static str, rows: &[HelpRow], ctx: &Ctx) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let width = rows.iter().map(|r| r.keys.chars().count()).max().unwrap_or(0);
        let mut lines = vec![Line::styled(title, t.title())];
        for r in rows {
            let refused = ctx.readonly && r.writes;
            lines.push(Line::from(vec![
                Span::styled(format!("{:>width$}  ", r.keys), t.header()),
                Span::styled(r.help, if refused { t.dim() } else { t.text() }),
                Span::styled(if refused { " (read-only)" } else { "" }, t.dim()),
            ]));
        }
        lines
    }
}

impl Dialog for HelpDialog {
    fn key(&mut self, action: Action) -> Outcome {
        match action {
            Action::Cancel | Action::Confirm | Action::Back | Action::Help | Action::Quit => Outcome::Close,
            Action::Down | Action::FieldDown => {
                let rows = self.screen.len() + self.field.len();
                self.scroll = self.scroll.saturating_add(1).min(u16::try_from(rows).unwrap_or(u16::MAX));
                Outcome::Stay
            }
            Action::Up | Action::FieldUp => {
                self.scroll = self.scroll.saturating_sub(1);
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let left = Self::column("Screens and lists", &self.screen, ctx);
        let right = Self::column("Dialogs and text fields (other keys type)", &self.field, ctx);
        let foot = vec![
            Line::raw(""),
            Line::styled("Mouse: wheel scrolls, click selects. `:` runs any of these by name.", t.dim()),
            Line::styled(format!("Keys in use (config.toml [keys] changes them). {}", self.hint), t.dim()),
        ];
        let two = area.width >= TWO_COLUMNS;
        let body = if two { left.len().max(right.len()) } else { left.len() + right.len() + 1 };
        let height = u16::try_from(body + foot.len()).unwrap_or(u16::MAX).saturating_add(2);
        let r = popup(frame, area, if two { TWO_COLUMNS } else { 72 }, height);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(" Help ", t.title()));
        let inner = block.inner(r);
        frame.render_widget(block, r);
        let foot_height = u16::try_from(foot.len()).unwrap_or(3);
        let [cols, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(foot_height)]).areas(inner);
        // Scrolled no further than the last row at the bottom.
        let rows = u16::try_from(body).unwrap_or(u16::MAX);
        let scroll = self.scroll.min(rows.saturating_sub(cols.height));
        if two {
            let [a, b] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(cols);
            frame.render_widget(Paragraph::new(left).scroll((scroll, 0)), a);
            frame.render_widget(Paragraph::new(right).scroll((scroll, 0)), b);
        } else {
            let mut lines = left;
            lines.push(Line::raw(""));
            lines.extend(right);
            frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), cols);
        }
        frame.render_widget(Paragraph::new(foot), bottom);
    }
}

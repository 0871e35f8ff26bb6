//! The notifications screen: every toast shown so far, newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;
use time::OffsetDateTime;

use super::Ctx;
use super::message;
use crate::dash::msg::Level;
use crate::dash::time::date;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// One notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// How bad.
    pub level: Level,
    /// The text.
    pub text: String,
    /// When (the last tick's clock; none before the first tick).
    pub at: Option<OffsetDateTime>,
}

/// The history and its list state.
#[derive(Debug, Default)]
pub struct Notifications {
    /// Newest first.
    pub history: Vec<Note>,
    /// Cursor, filter.
    pub list: ListState,
}

/// A level's name.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Info => "info",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

impl Notifications {
    /// Remember a notification.
    pub fn push(&mut self, note: Note) {
        self.history.insert(0, note);
        self.list
            .set_items(self.history.iter().map(|n| format!("{} {}", level_name(n.level), n.text)).collect());
    }

    /// Draw the history.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        if self.history.is_empty() {
            message(frame, area, ctx, "Notifications", vec!["No notifications yet.".into()]);
            return;
        }
        let history = &self.history;
        let widths = [Constraint::Length(16), Constraint::Length(7), Constraint::Fill(1)];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns { title: "Notifications", header: &["When", "Level", "Text"], widths: &widths },
            |i| {
                let Some(n) = history.get(i) else { return Vec::new() };
                let style = match n.level {
                    Level::Info => t.good(),
                    Level::Warning => t.warn(),
                    Level::Error => t.bad(),
                };
                vec![
                    Cell::from(n.at.map(date).unwrap_or_default()),
                    Cell::from(level_name(n.level)).style(style),
                    Cell::from(n.text.as_str()),
                ]
            },
        );
    }
}

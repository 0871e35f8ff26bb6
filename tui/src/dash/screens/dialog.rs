//! What every dialog over the screens is (help, palette, new scan, export, triage, cancel): it
//! takes actions from the key table and pasted text, takes the messages meant for it, and draws
//! from `&self`; the `App` holds at most one and never looks inside.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Ctx, Outcome};
use crate::dash::keys::Action;
use crate::dash::msg::Msg;

/// A dialog.
pub trait Dialog: std::fmt::Debug {
    /// An action from the key table (in a text field, unbound characters arrive as
    /// [`Action::Type`]).
    fn key(&mut self, action: Action) -> Outcome;

    /// Pasted text (into the focused text field, if any).
    fn paste(&mut self, _text: &str) {}

    /// Whether the focus is a text field, where characters are typed rather than read as keys.
    fn text_focus(&self) -> bool {
        false
    }

    /// A message arrived: `None` when it is not this dialog's, else what the dialog does now.
    fn update(&mut self, _msg: &Msg) -> Option<Outcome> {
        None
    }

    /// Draw it over `area`.
    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx);
}

//! A one-line text input: typed text, paste, backspace/delete, cursor left/right/home/end, as
//! the key table's actions (never key codes).

use ratatui::text::Span;

use crate::dash::keys::Action;
use crate::dash::theme::Theme;

/// A text field's value and cursor (a char index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    value: String,
    cursor: usize,
}

impl Input {
    /// A field holding `value`, cursor at the end.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        Input { value, cursor }
    }

    /// The text.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Apply an editing action (typing, deleting, moving the cursor); false when the action
    /// does not edit text.
    pub fn act(&mut self, action: Action) -> bool {
        match action {
            Action::Type(c) => self.insert(c),
            Action::Backspace => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    self.remove_at(self.cursor);
                }
            }
            Action::Delete => self.remove_at(self.cursor),
            Action::Left => self.cursor = self.cursor.saturating_sub(1),
            Action::Right => self.cursor = (self.cursor + 1).min(self.value.chars().count()),
            Action::Home => self.cursor = 0,
            Action::End => self.cursor = self.value.chars().count(),
            _ => return false,
        }
        true
    }

    /// Insert pasted text (control characters such as newlines are dropped).
    pub fn paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.insert(c);
        }
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.value.char_indices().nth(char_index).map_or(self.value.len(), |(b, _)| b)
    }

    fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
    }

    fn remove_at(&mut self, char_index: usize) {
        if char_index < self.value.chars().count() {
            let at = self.byte_at(char_index);
            self.value.remove(at);
        }
    }

    /// The value as spans, with a visible cursor when focused.
    pub fn spans(&self, focused: bool, theme: Theme) -> Vec<Span<'static>> {
        if !focused {
            return vec![Span::styled(self.value.clone(), theme.text())];
        }
        let at = self.byte_at(self.cursor);
        let (before, rest) = self.value.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next().map_or_else(|| " ".to_owned(), String::from);
        vec![
            Span::styled(before.to_owned(), theme.text()),
            Span::styled(under, theme.selected()),
            Span::styled(chars.as_str().to_owned(), theme.text()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_unicode() {
        let mut i = Input::new("héllo");
        i.act(Action::Left);
        i.act(Action::Backspace);
        assert_eq!(i.value(), "hélo");
        i.act(Action::Home);
        i.act(Action::Delete);
        i.act(Action::Type('ß'));
        assert!(!i.act(Action::Submit), "not an edit");
        assert_eq!(i.value(), "ßélo");
        i.paste("a\nb");
        assert_eq!(i.value(), "ßabélo");
    }
}

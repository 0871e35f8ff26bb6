//! A key as bindings name it: one press (`ctrl-s`, `G`, `esc`) or two in a row (`gg`), parsed
//! from and shown as the words `config.toml`'s `[keys]` and the help screen use.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One press: the code and the modifiers that matter (ctrl, alt). Shift is part of the
/// character (`G`, `?`) or of the code (`shift-tab`), as terminals report it inconsistently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    code: KeyCode,
    mods: KeyModifiers,
}

impl Chord {
    /// A press with no modifier.
    pub const fn plain(code: KeyCode) -> Chord {
        Chord { code, mods: KeyModifiers::NONE }
    }

    /// A character.
    pub const fn ch(c: char) -> Chord {
        Chord::plain(KeyCode::Char(c))
    }

    /// ctrl and a character.
    pub const fn ctrl(c: char) -> Chord {
        Chord { code: KeyCode::Char(c), mods: KeyModifiers::CONTROL }
    }

    /// The press a terminal event is.
    pub fn from_event(e: &KeyEvent) -> Chord {
        let mods = e.modifiers.intersection(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match e.code {
            // ctrl-S and ctrl-s are the same key to a user.
            KeyCode::Char(c) if !mods.is_empty() => KeyCode::Char(c.to_ascii_lowercase()),
            code => code,
        };
        Chord { code, mods }
    }

    /// A terminal event of this press (for tests and scripted input).
    pub fn event(self) -> KeyEvent {
        KeyEvent::new(self.code, self.mods)
    }

    /// The character this press types, when it types one (no ctrl, no alt).
    pub fn text(self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if self.mods.is_empty() => Some(c),
            _ => None,
        }
    }

    fn parse(word: &str) -> Result<Chord, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = word;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                KeyCode::Char(if mods.is_empty() { c } else { c.to_ascii_lowercase() })
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "esc" | "escape" => KeyCode::Esc,
                "enter" | "return" => KeyCode::Enter,
                "tab" => KeyCode::Tab,
                "shift-tab" | "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                other => match other.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n @ 1..=12) => KeyCode::F(n),
                    _ => {
                        return Err(format!(
                            "`{word}` is not a key (write a character such as `x` or `G`, a name such as \
                             `esc`, `enter`, `tab`, `shift-tab`, `space`, `up`, `pagedown`, `f1`, with \
                             `ctrl-` or `alt-` before it if needed, or two characters such as `gg`)"
                        ));
                    }
                },
            },
        };
        Ok(Chord { code, mods })
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// What a binding is pressed with: one chord, or two in a row (`gg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// One press.
    One(Chord),
    /// A prefix, then the key.
    Two(Chord, Chord),
}

impl Key {
    /// The first press.
    pub fn first(self) -> Chord {
        match self {
            Key::One(c) | Key::Two(c, _) => c,
        }
    }

    /// The presses it takes, in order.
    pub fn chords(self) -> Vec<Chord> {
        match self {
            Key::One(c) => vec![c],
            Key::Two(a, b) => vec![a, b],
        }
    }

    /// Reads `x`, `G`, `ctrl-s`, `shift-tab`, `esc`, `gg` or `g g`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let text = text.trim();
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            [] => Err("an empty key".to_owned()),
            [one] => match Chord::parse(one) {
                Ok(c) => Ok(Key::One(c)),
                Err(e) => {
                    // Two plain characters in a row: `gg`.
                    let mut chars = one.chars();
                    match (chars.next(), chars.next(), chars.next()) {
                        (Some(a), Some(b), None) if !a.is_control() && !b.is_control() => {
                            Ok(Key::Two(Chord::ch(a), Chord::ch(b)))
                        }
                        _ => Err(e),
                    }
                }
            },
            [a, b] => Ok(Key::Two(Chord::parse(a)?, Chord::parse(b)?)),
            _ => Err(format!("`{text}`: at most two keys in a row")),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::One(c) => write!(f, "{c}"),
            Key::Two(a, b) if a.text().is_some() && b.text().is_some() && *a != Chord::ch(' ') => {
                write!(f, "{a}{b}")
            }
            Key::Two(a, b) => write!(f, "{a} {b}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_shows_the_same_words() {
        for word in
            ["x", "G", "?", "ctrl-s", "alt-x", "shift-tab", "esc", "enter", "space", "gg", "pagedown", "f5"]
        {
            let key = Key::parse(word).expect(word);
            assert_eq!(key.to_string(), word);
        }
        assert_eq!(Key::parse("Ctrl-S"), Key::parse("ctrl-s"));
        assert_eq!(Key::parse("g g"), Key::parse("gg"));
        for bad in ["", "ctrl-", "escape-hatch", "abc", "f13", "a b c"] {
            assert!(Key::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn events_match_their_words_whatever_shift_says() {
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::One(Chord::from_event(&shifted)), Key::parse("G").expect("G"));
        let back = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::One(Chord::from_event(&back)), Key::parse("shift-tab").expect("shift-tab"));
        let ctrl = KeyEvent::new(KeyCode::Char('S'), KeyModifiers::CONTROL | KeyModifiers::SHIFT);
        assert_eq!(Key::One(Chord::from_event(&ctrl)), Key::parse("ctrl-s").expect("ctrl-s"));
    }
}

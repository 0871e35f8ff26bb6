//! Every key binding in one place: keys become [`Action`]s (screens never see key codes), the help
//! screen and the command palette are generated from [`BINDINGS`], and `gg` is a pending prefix.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Show the key list.
    Help,
    /// Filter the focused list.
    Filter,
    /// Open the command palette.
    Palette,
    /// Quit (from the top screen).
    Quit,
    /// Close the dialog or go back one screen.
    Back,
    /// Pick tab 1–9.
    Tab(usize),
    /// Next tab.
    NextTab,
    /// Previous tab.
    PrevTab,
    /// Cursor down.
    Down,
    /// Cursor up.
    Up,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Half a page up.
    HalfUp,
    /// Half a page down.
    HalfDown,
    /// Open the row under the cursor.
    Open,
    /// Mark or unmark the row for bulk triage.
    Select,
    /// Open the new-scan form.
    NewScan,
    /// Triage the marked findings (or the one under the cursor).
    Triage,
    /// Export the scan.
    Export,
    /// Load the screen's data again.
    Refresh,
    /// Go to the projects list.
    GoProjects,
    /// Go to the scan queue.
    GoQueue,
    /// Go to the notifications.
    GoNotifications,
}

/// One binding: the keys as help shows them, the action, what it does, and its palette name.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys, as shown.
    pub keys: &'static str,
    /// What they do.
    pub action: Action,
    /// One line of help.
    pub help: &'static str,
    /// The command palette's name (empty: not offered there).
    pub command: &'static str,
}

/// The key list, in the order help shows it.
pub const BINDINGS: &[Binding] = &[
    Binding { keys: "?", action: Action::Help, help: "this help", command: "help" },
    Binding { keys: "/", action: Action::Filter, help: "filter the list", command: "filter" },
    Binding { keys: ":", action: Action::Palette, help: "command palette", command: "palette" },
    Binding { keys: "q", action: Action::Quit, help: "quit (from the top screen)", command: "quit" },
    Binding { keys: "ctrl-c", action: Action::Quit, help: "quit from anywhere", command: "" },
    Binding { keys: "esc", action: Action::Back, help: "close / go back", command: "back" },
    Binding { keys: "1-9", action: Action::Tab(1), help: "pick a tab", command: "tab" },
    Binding { keys: "tab", action: Action::NextTab, help: "next tab", command: "next-tab" },
    Binding { keys: "shift-tab", action: Action::PrevTab, help: "previous tab", command: "prev-tab" },
    Binding { keys: "j / down", action: Action::Down, help: "down", command: "down" },
    Binding { keys: "k / up", action: Action::Up, help: "up", command: "up" },
    Binding { keys: "gg", action: Action::Top, help: "first row", command: "top" },
    Binding { keys: "G", action: Action::Bottom, help: "last row", command: "bottom" },
    Binding { keys: "ctrl-u", action: Action::HalfUp, help: "half a page up", command: "half-up" },
    Binding { keys: "ctrl-d", action: Action::HalfDown, help: "half a page down", command: "half-down" },
    Binding { keys: "enter", action: Action::Open, help: "open", command: "open" },
    Binding { keys: "space", action: Action::Select, help: "mark for bulk triage", command: "select" },
    Binding { keys: "n", action: Action::NewScan, help: "new scan", command: "new-scan" },
    Binding { keys: "t", action: Action::Triage, help: "triage finding(s)", command: "triage" },
    Binding { keys: "e", action: Action::Export, help: "export the scan", command: "export" },
    Binding { keys: "r", action: Action::Refresh, help: "reload", command: "refresh" },
    Binding { keys: "", action: Action::GoProjects, help: "projects", command: "projects" },
    Binding { keys: "", action: Action::GoQueue, help: "scan queue", command: "queue" },
    Binding { keys: "", action: Action::GoNotifications, help: "notifications", command: "notifications" },
];

/// Turns keys into actions, remembering a pending `g`.
#[derive(Debug, Default)]
pub struct Keys {
    pending_g: bool,
}

impl Keys {
    /// The action for a key press, if it is bound (a lone `g` waits for the second).
    pub fn action(&mut self, key: &KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let pending = std::mem::take(&mut self.pending_g);
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        Some(match key.code {
            KeyCode::Char('u') if ctrl => Action::HalfUp,
            KeyCode::Char('d') if ctrl => Action::HalfDown,
            _ if ctrl => return None,
            KeyCode::Char('g') => {
                if pending {
                    return Some(Action::Top);
                }
                self.pending_g = true;
                return None;
            }
            KeyCode::Char('?') => Action::Help,
            KeyCode::Char('/') => Action::Filter,
            KeyCode::Char(':') => Action::Palette,
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Esc => Action::Back,
            KeyCode::Char(c @ '1'..='9') => Action::Tab(usize::from(c as u8 - b'0')),
            KeyCode::Tab => Action::NextTab,
            KeyCode::BackTab => Action::PrevTab,
            KeyCode::Char('j') | KeyCode::Down => Action::Down,
            KeyCode::Char('k') | KeyCode::Up => Action::Up,
            KeyCode::Home => Action::Top,
            KeyCode::Char('G') | KeyCode::End => Action::Bottom,
            KeyCode::PageUp => Action::HalfUp,
            KeyCode::PageDown => Action::HalfDown,
            KeyCode::Enter => Action::Open,
            KeyCode::Char(' ') => Action::Select,
            KeyCode::Char('n') => Action::NewScan,
            KeyCode::Char('t') => Action::Triage,
            KeyCode::Char('e') => Action::Export,
            KeyCode::Char('r') => Action::Refresh,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn gg_is_a_prefix() {
        let mut k = Keys::default();
        assert_eq!(k.action(&key(KeyCode::Char('g'))), None);
        assert_eq!(k.action(&key(KeyCode::Char('g'))), Some(Action::Top));
        assert_eq!(k.action(&key(KeyCode::Char('g'))), None);
        assert_eq!(k.action(&key(KeyCode::Char('j'))), Some(Action::Down));
        assert_eq!(k.action(&key(KeyCode::Char('g'))), None);
    }

    #[test]
    fn control_keys() {
        let mut k = Keys::default();
        assert_eq!(
            k.action(&KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::HalfDown)
        );
        assert_eq!(k.action(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)), None);
        assert_eq!(k.action(&key(KeyCode::Char('7'))), Some(Action::Tab(7)));
    }
}

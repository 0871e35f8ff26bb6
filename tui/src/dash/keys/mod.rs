//! Every key binding in one table, [`KeyMap`]: terminal keys become [`Action`]s (screens and
//! dialogs never see key codes), and the help screen and the command palette are generated from
//! the same table, so what help says is what a key does. `config.toml`'s `[keys]` replaces an
//! action's keys ([`config`]).

pub mod config;
pub mod key;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

pub use config::{KeyConfigError, KeyOverrides};
pub use key::{Chord, Key};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Everywhere, text fields included (`ctrl-c`).
    Anywhere,
    /// The screens and lists.
    Screen,
    /// Dialogs and text fields: what is not bound there is typed.
    Field,
}

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
    /// Quit from anywhere, even from a text field.
    ForceQuit,
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
    /// Cancel the scan on screen or under the cursor (after a confirmation).
    CancelScan,
    /// Go to the projects list.
    GoProjects,
    /// Go to the scan queue.
    GoQueue,
    /// Go to the notifications.
    GoNotifications,
    /// Mark the notification under the cursor read.
    MarkRead,
    /// Mark every notification read.
    MarkAllRead,
    /// List only unread notifications, or all again.
    UnreadOnly,
    /// Open the CVE watches.
    GoWatches,
    /// Ask for an exception to a violation of the scan's gate.
    RequestApproval,
    /// Open the approvals queue.
    GoApprovals,
    /// Open the image catalogue.
    GoImages,
    /// Open the feature requests.
    GoRequests,
    /// In a dialog: the next field, or do it on the last one (`enter`).
    Confirm,
    /// In a dialog: submit or save from any field.
    Submit,
    /// In a dialog: close it; in a list's filter: drop the filter.
    Cancel,
    /// In a dialog: the next field.
    NextField,
    /// In a dialog: the previous field.
    PrevField,
    /// In a dialog: down (the next field, or the next choice in a list of choices).
    FieldDown,
    /// In a dialog: up (the previous field or choice).
    FieldUp,
    /// In a text field: cursor left; on a choice: the previous one.
    Left,
    /// In a text field: cursor right; on a choice: the next one.
    Right,
    /// In a text field: delete the character before the cursor.
    Backspace,
    /// In a text field: delete the character under the cursor.
    Delete,
    /// In a text field: to its start.
    Home,
    /// In a text field: to its end.
    End,
    /// A character typed into a text field (never in the table: what is not bound is typed).
    Type(char),
}

impl Action {
    /// Every action the table holds, in the order help and the palette show them.
    pub const ALL: [Action; 54] = [
        Action::Help,
        Action::Filter,
        Action::Palette,
        Action::Quit,
        Action::ForceQuit,
        Action::Back,
        Action::Tab(1),
        Action::Tab(2),
        Action::Tab(3),
        Action::Tab(4),
        Action::Tab(5),
        Action::Tab(6),
        Action::Tab(7),
        Action::Tab(8),
        Action::Tab(9),
        Action::NextTab,
        Action::PrevTab,
        Action::Down,
        Action::Up,
        Action::Top,
        Action::Bottom,
        Action::HalfUp,
        Action::HalfDown,
        Action::Open,
        Action::Select,
        Action::NewScan,
        Action::Triage,
        Action::Export,
        Action::Refresh,
        Action::CancelScan,
        Action::GoProjects,
        Action::GoQueue,
        Action::GoNotifications,
        Action::MarkRead,
        Action::MarkAllRead,
        Action::UnreadOnly,
        Action::GoWatches,
        Action::RequestApproval,
        Action::GoApprovals,
        Action::GoImages,
        Action::GoRequests,
        Action::Confirm,
        Action::Submit,
        Action::Cancel,
        Action::NextField,
        Action::PrevField,
        Action::FieldDown,
        Action::FieldUp,
        Action::Left,
        Action::Right,
        Action::Backspace,
        Action::Delete,
        Action::Home,
        Action::End,
    ];

    /// Its name in `[keys]` and the command palette.
    pub fn name(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Filter => "filter",
            Action::Palette => "palette",
            Action::Quit => "quit",
            Action::ForceQuit => "force-quit",
            Action::Back => "back",
            Action::Tab(1) => "tab-1",
            Action::Tab(2) => "tab-2",
            Action::Tab(3) => "tab-3",
            Action::Tab(4) => "tab-4",
            Action::Tab(5) => "tab-5",
            Action::Tab(6) => "tab-6",
            Action::Tab(7) => "tab-7",
            Action::Tab(8) => "tab-8",
            Action::Tab(9) => "tab-9",
            Action::Tab(_) => "tab",
            Action::NextTab => "next-tab",
            Action::PrevTab => "prev-tab",
            Action::Down => "down",
            Action::Up => "up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::HalfUp => "half-up",
            Action::HalfDown => "half-down",
            Action::Open => "open",
            Action::Select => "select",
            Action::NewScan => "new-scan",
            Action::Triage => "triage",
            Action::Export => "export",
            Action::Refresh => "refresh",
            Action::CancelScan => "cancel-scan",
            Action::GoProjects => "projects",
            Action::GoQueue => "queue",
            Action::GoNotifications => "notifications",
            Action::MarkRead => "mark-read",
            Action::MarkAllRead => "mark-all-read",
            Action::UnreadOnly => "unread-only",
            Action::GoWatches => "watches",
            Action::RequestApproval => "request-approval",
            Action::GoApprovals => "approvals",
            Action::GoImages => "images",
            Action::GoRequests => "requests",
            Action::Confirm => "confirm",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::NextField => "next-field",
            Action::PrevField => "prev-field",
            Action::FieldDown => "field-down",
            Action::FieldUp => "field-up",
            Action::Left => "left",
            Action::Right => "right",
            Action::Backspace => "backspace",
            Action::Delete => "delete",
            Action::Home => "home",
            Action::End => "end",
            Action::Type(_) => "type",
        }
    }

    /// The action named `name` in `[keys]`.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::table().find(|a| a.name() == name)
    }

    fn table() -> impl Iterator<Item = Action> {
        Action::ALL.into_iter()
    }

    /// One line of help.
    pub fn help(self) -> &'static str {
        match self {
            Action::Help => "this help",
            Action::Filter => "filter the list",
            Action::Palette => "command palette",
            Action::Quit => "quit (from the top screen)",
            Action::ForceQuit => "quit from anywhere",
            Action::Back => "close / go back",
            Action::Tab(_) => "pick a tab",
            Action::NextTab => "next tab",
            Action::PrevTab => "previous tab",
            Action::Down => "down",
            Action::Up => "up",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::HalfUp => "half a page up",
            Action::HalfDown => "half a page down",
            Action::Open => "open",
            Action::Select => "mark for bulk triage",
            Action::NewScan => "new scan / new request",
            Action::Triage => "triage finding(s)",
            Action::Export => "export the scan / an SBOM",
            Action::Refresh => "reload",
            Action::CancelScan => "cancel the scan (asks first)",
            Action::GoProjects => "projects",
            Action::GoQueue => "scan queue",
            Action::GoNotifications => "notifications",
            Action::MarkRead => "mark the notification read",
            Action::MarkAllRead => "mark every notification read",
            Action::UnreadOnly => "unread notifications only / all",
            Action::GoWatches => "CVE watches and their hits",
            Action::RequestApproval => "exception for a gate violation",
            Action::GoApprovals => "approvals queue",
            Action::GoImages => "image catalogue",
            Action::GoRequests => "feature requests",
            Action::Confirm => "next field; on the last, do it",
            Action::Submit => "submit / save",
            Action::Cancel => "close the dialog / drop the filter",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::FieldDown => "next field or choice",
            Action::FieldUp => "previous field or choice",
            Action::Left => "cursor left / previous choice",
            Action::Right => "cursor right / next choice",
            Action::Backspace => "delete before the cursor",
            Action::Delete => "delete under the cursor",
            Action::Home => "start of the field",
            Action::End => "end of the field",
            Action::Type(_) => "typed text",
        }
    }

    /// Where its keys apply.
    pub fn mode(self) -> Mode {
        match self {
            Action::ForceQuit => Mode::Anywhere,
            Action::Confirm
            | Action::Submit
            | Action::Cancel
            | Action::NextField
            | Action::PrevField
            | Action::FieldDown
            | Action::FieldUp
            | Action::Left
            | Action::Right
            | Action::Backspace
            | Action::Delete
            | Action::Home
            | Action::End
            | Action::Type(_) => Mode::Field,
            _ => Mode::Screen,
        }
    }

    /// Whether `--readonly` refuses it.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::NewScan
                | Action::Triage
                | Action::Export
                | Action::Select
                | Action::CancelScan
                | Action::RequestApproval
        )
    }

    /// The keys it has unless `[keys]` says otherwise.
    fn default_keys(self) -> Vec<Key> {
        let one = |c: Chord| Key::One(c);
        let code = |c: KeyCode| Key::One(Chord::plain(c));
        let ch = |c: char| Key::One(Chord::ch(c));
        match self {
            Action::Help => vec![ch('?')],
            Action::Filter => vec![ch('/')],
            Action::Palette => vec![ch(':')],
            Action::Quit => vec![ch('q')],
            Action::ForceQuit => vec![one(Chord::ctrl('c'))],
            Action::Back => vec![code(KeyCode::Esc)],
            Action::Tab(n @ 1..=9) => vec![ch(u8::try_from(n).map_or('0', |d| char::from(b'0' + d)))],
            Action::Tab(_) | Action::Type(_) => Vec::new(),
            Action::NextTab => vec![code(KeyCode::Tab)],
            Action::PrevTab => vec![code(KeyCode::BackTab)],
            Action::Down => vec![ch('j'), code(KeyCode::Down)],
            Action::Up => vec![ch('k'), code(KeyCode::Up)],
            Action::Top => vec![Key::Two(Chord::ch('g'), Chord::ch('g')), code(KeyCode::Home)],
            Action::Bottom => vec![ch('G'), code(KeyCode::End)],
            Action::HalfUp => vec![one(Chord::ctrl('u')), code(KeyCode::PageUp)],
            Action::HalfDown => vec![one(Chord::ctrl('d')), code(KeyCode::PageDown)],
            Action::Open => vec![code(KeyCode::Enter)],
            Action::Select => vec![ch(' ')],
            Action::NewScan => vec![ch('n')],
            Action::Triage => vec![ch('t')],
            Action::Export => vec![ch('e')],
            Action::Refresh => vec![ch('r')],
            Action::CancelScan => vec![ch('x')],
            // The approvals queue, the image catalogue and the feature requests, like the top
            // tabs, are one palette command away.
            Action::GoProjects
            | Action::GoQueue
            | Action::GoNotifications
            | Action::GoApprovals
            | Action::GoImages
            | Action::GoRequests => Vec::new(),
            Action::MarkRead => vec![ch('m')],
            Action::MarkAllRead => vec![ch('M')],
            Action::UnreadOnly => vec![ch('u')],
            Action::GoWatches => vec![ch('w')],
            Action::RequestApproval => vec![ch('a')],
            Action::Confirm => vec![code(KeyCode::Enter)],
            Action::Submit => vec![one(Chord::ctrl('s'))],
            Action::Cancel => vec![code(KeyCode::Esc)],
            Action::NextField => vec![code(KeyCode::Tab)],
            Action::PrevField => vec![code(KeyCode::BackTab)],
            Action::FieldDown => vec![code(KeyCode::Down)],
            Action::FieldUp => vec![code(KeyCode::Up)],
            Action::Left => vec![code(KeyCode::Left)],
            Action::Right => vec![code(KeyCode::Right)],
            Action::Backspace => vec![code(KeyCode::Backspace)],
            Action::Delete => vec![code(KeyCode::Delete)],
            Action::Home => vec![code(KeyCode::Home)],
            Action::End => vec![code(KeyCode::End)],
        }
    }
}

/// One row of the table: an action and the keys that do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// What the keys do.
    pub action: Action,
    /// The keys (none: only the palette runs it).
    pub keys: Vec<Key>,
}

/// One line of the help screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    /// The keys, as written in `[keys]`, joined by ` / `.
    pub keys: String,
    /// What they do.
    pub help: &'static str,
    /// Whether `--readonly` refuses it.
    pub writes: bool,
}

/// The key table, and the prefix of a two-key binding (`g` of `gg`) waiting for its second key.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<Binding>,
    pending: Option<Chord>,
}

impl Default for KeyMap {
    /// The built-in keys (their consistency is a test: `defaults_have_no_conflict`).
    fn default() -> Self {
        let bindings =
            Action::table().map(|action| Binding { action, keys: action.default_keys() }).collect();
        KeyMap { bindings, pending: None }
    }
}

fn in_modes(action: Action, modes: &[Mode]) -> bool {
    action.mode() == Mode::Anywhere || modes.contains(&action.mode())
}

impl KeyMap {
    /// The built-in keys with `[keys]`'s replacements; an unknown action, a key that cannot be
    /// read, or two actions on one key is an error naming the entry.
    pub fn with_overrides(overrides: &KeyOverrides) -> Result<KeyMap, KeyConfigError> {
        let mut map = KeyMap::default();
        overrides.apply(&mut map.bindings)?;
        map.check()?;
        Ok(map)
    }

    /// The table, in help's order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The keys of `action` (empty when it has none).
    pub fn keys_of(&self, action: Action) -> &[Key] {
        self.bindings.iter().find(|b| b.action == action).map_or(&[], |b| b.keys.as_slice())
    }

    /// The keys of `action` as help and hints write them (`j / down`).
    pub fn keys_text(&self, action: Action) -> String {
        self.keys_of(action).iter().map(ToString::to_string).collect::<Vec<_>>().join(" / ")
    }

    /// A hint bar's words: each action's first key and its label (`enter open · / filter`);
    /// an action without keys is left out. `Tab(_)` stands for the scan tabs (`1-8 tabs`),
    /// `Down` for `Down` and `Up`, `Left` for `Left` and `Right`.
    pub fn hint(&self, items: &[(Action, &str)]) -> String {
        let first = |a: Action| self.keys_of(a).first().map(ToString::to_string);
        items
            .iter()
            .filter_map(|&(action, label)| match action {
                Action::Tab(_) => match (first(Action::Tab(1)), first(Action::Tab(8))) {
                    (Some(a), Some(b)) => Some(format!("{a}-{b} {label}")),
                    _ => None,
                },
                // Both ways: `j/k scroll`, `left/right source`.
                Action::Down | Action::Left => {
                    let back = if action == Action::Down { Action::Up } else { Action::Right };
                    match (first(action), first(back)) {
                        (Some(a), Some(b)) => Some(format!("{a}/{b} {label}")),
                        _ => None,
                    }
                }
                _ => first(action).map(|k| format!("{k} {label}")),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Two bindings that share a key in a mode where both apply, or a key that is also the
    /// prefix of a two-key binding (which could then never be pressed).
    fn check(&self) -> Result<(), KeyConfigError> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                let overlap = a.action.mode() == b.action.mode()
                    || a.action.mode() == Mode::Anywhere
                    || b.action.mode() == Mode::Anywhere;
                if !overlap {
                    continue;
                }
                for ka in &a.keys {
                    for kb in &b.keys {
                        // The same key, or one key that is the other's prefix (reported as itself).
                        let clash = match (ka, kb) {
                            _ if ka == kb => Some(ka),
                            (Key::One(x), Key::Two(y, _)) if x == y => Some(ka),
                            (Key::Two(y, _), Key::One(x)) if x == y => Some(kb),
                            _ => None,
                        };
                        if let Some(key) = clash {
                            return Err(KeyConfigError::Conflict {
                                key: key.to_string(),
                                first: a.action.name(),
                                second: b.action.name(),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn find(&self, modes: &[Mode], key: Key) -> Option<Action> {
        self.bindings.iter().find(|b| in_modes(b.action, modes) && b.keys.contains(&key)).map(|b| b.action)
    }

    /// The action of a key on a screen or list, if it is bound (a prefix such as `g` of `gg`
    /// waits for the next key).
    pub fn screen_action(&mut self, event: &KeyEvent) -> Option<Action> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let chord = Chord::from_event(event);
        let modes = [Mode::Screen];
        if let Some(first) = self.pending.take()
            && let Some(action) = self.find(&modes, Key::Two(first, chord))
        {
            return Some(action);
        }
        if let Some(action) = self.find(&modes, Key::One(chord)) {
            return Some(action);
        }
        let prefix = self
            .bindings
            .iter()
            .filter(|b| in_modes(b.action, &modes))
            .flat_map(|b| &b.keys)
            .any(|k| matches!(k, Key::Two(first, _) if *first == chord));
        if prefix {
            self.pending = Some(chord);
        }
        None
    }

    /// The action of a key in a dialog or a list's filter. `text`: the focus is a text field,
    /// where a character nobody bound is typed; elsewhere (a choice, a list of formats) it is
    /// read as on a screen (`j`, `k`, `?`, `q`).
    pub fn field_action(&mut self, event: &KeyEvent, text: bool) -> Option<Action> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let chord = Chord::from_event(event);
        if let Some(action) = self.find(&[Mode::Field], Key::One(chord)) {
            self.pending = None;
            return Some(action);
        }
        match chord.text() {
            Some(c) if text => {
                self.pending = None;
                Some(Action::Type(c))
            }
            _ if text => None,
            _ => self.screen_action(event),
        }
    }

    /// The help screen's lines for `mode` (with [`Mode::Anywhere`]'s among the screen's): one
    /// per action with keys, the nine tab keys on one line.
    pub fn help_rows(&self, mode: Mode) -> Vec<HelpRow> {
        let mut rows: Vec<HelpRow> = Vec::new();
        let mut tabs: Vec<String> = Vec::new();
        for b in &self.bindings {
            let shown = match mode {
                Mode::Field => b.action.mode() == Mode::Field,
                _ => b.action.mode() != Mode::Field,
            };
            if !shown || b.keys.is_empty() {
                continue;
            }
            let keys = b.keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(" / ");
            if let Action::Tab(_) = b.action {
                if tabs.is_empty() {
                    rows.push(HelpRow { keys: String::new(), help: b.action.help(), writes: false });
                }
                tabs.push(keys);
                continue;
            }
            rows.push(HelpRow { keys, help: b.action.help(), writes: b.action.writes() });
        }
        if let Some(row) = rows.iter_mut().find(|r| r.keys.is_empty()) {
            row.keys = tabs.join(" ");
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;

    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn defaults_have_no_conflict_and_every_action_a_name() {
        KeyMap::default().check().expect("the built-in keys are consistent");
        for a in Action::table() {
            assert_eq!(Action::from_name(a.name()), Some(a), "{a:?}");
        }
    }

    #[test]
    fn gg_is_a_prefix() {
        let mut k = KeyMap::default();
        assert_eq!(k.screen_action(&key(KeyCode::Char('g'))), None);
        assert_eq!(k.screen_action(&key(KeyCode::Char('g'))), Some(Action::Top));
        assert_eq!(k.screen_action(&key(KeyCode::Char('g'))), None);
        assert_eq!(k.screen_action(&key(KeyCode::Char('j'))), Some(Action::Down));
        assert_eq!(k.screen_action(&key(KeyCode::Char('g'))), None);
    }

    #[test]
    fn control_keys() {
        let mut k = KeyMap::default();
        assert_eq!(
            k.screen_action(&KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::HalfDown)
        );
        assert_eq!(k.screen_action(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)), None);
        assert_eq!(k.screen_action(&key(KeyCode::Char('7'))), Some(Action::Tab(7)));
        assert_eq!(
            k.field_action(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL), true),
            Some(Action::ForceQuit)
        );
    }

    #[test]
    fn text_fields_type_what_is_not_bound_and_choices_read_screen_keys() {
        let mut k = KeyMap::default();
        assert_eq!(k.field_action(&key(KeyCode::Char('j')), true), Some(Action::Type('j')));
        assert_eq!(k.field_action(&key(KeyCode::Char('q')), true), Some(Action::Type('q')));
        assert_eq!(k.field_action(&key(KeyCode::Char('j')), false), Some(Action::Down));
        assert_eq!(k.field_action(&key(KeyCode::Esc), true), Some(Action::Cancel));
        assert_eq!(k.field_action(&key(KeyCode::Enter), false), Some(Action::Confirm));
        assert_eq!(
            k.field_action(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL), true),
            Some(Action::Submit)
        );
        assert_eq!(k.field_action(&KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL), true), None);
    }
}

//! `config.toml`'s `[keys]`: an action's name and the keys that replace its built-in ones.
//!
//! ```toml
//! [keys]
//! down = ["j", "down", "ctrl-n"]
//! cancel-scan = "ctrl-x"
//! projects = "P"          # an action only the palette had
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Action, Binding, Key, Mode};

/// One entry's keys: one, or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    /// `down = "j"`.
    One(String),
    /// `down = ["j", "down"]` (`[]` unbinds).
    Many(Vec<String>),
}

impl KeySpec {
    fn words(&self) -> &[String] {
        match self {
            KeySpec::One(w) => std::slice::from_ref(w),
            KeySpec::Many(ws) => ws,
        }
    }
}

/// The `[keys]` table as written (checked when the dashboard starts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyOverrides(pub BTreeMap<String, KeySpec>);

impl KeyOverrides {
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn apply(&self, bindings: &mut [Binding]) -> Result<(), KeyConfigError> {
        for (entry, spec) in &self.0 {
            let action = Action::from_name(entry).ok_or_else(|| KeyConfigError::UnknownAction {
                entry: entry.clone(),
                known: Action::ALL.iter().map(|a| a.name()).collect::<Vec<_>>().join(", "),
            })?;
            let mut keys = Vec::new();
            for word in spec.words() {
                let key = Key::parse(word).map_err(|reason| KeyConfigError::BadKey {
                    entry: entry.clone(),
                    key: word.clone(),
                    reason,
                })?;
                // In a text field a character is text and a prefix would swallow the next one.
                let types = matches!(key, Key::One(c) if c.text().is_some());
                if action.mode() == Mode::Field && (types || matches!(key, Key::Two(..))) {
                    return Err(KeyConfigError::BadKey {
                        entry: entry.clone(),
                        key: word.clone(),
                        reason: "a dialog key cannot be a plain character or two keys in a row (it \
                                 would stop that text being typed): use a named key or ctrl-/alt-"
                            .to_owned(),
                    });
                }
                keys.push(key);
            }
            if let Some(b) = bindings.iter_mut().find(|b| b.action == action) {
                b.keys = keys;
            }
        }
        Ok(())
    }
}

/// Why `[keys]` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyConfigError {
    /// The entry names no action.
    #[error("[keys] {entry}: no such action (the actions: {known})")]
    UnknownAction {
        /// The entry.
        entry: String,
        /// Every action's name.
        known: String,
    },
    /// A key cannot be read.
    #[error("[keys] {entry} = {key:?}: {reason}")]
    BadKey {
        /// The entry.
        entry: String,
        /// The key as written.
        key: String,
        /// Why.
        reason: String,
    },
    /// One key for two actions where both apply.
    #[error(
        "[keys]: `{key}` would do both `{first}` and `{second}`; give one of them another key \
         (a key that starts a two-key binding such as `gg` counts as that binding's)"
    )]
    Conflict {
        /// The key.
        key: String,
        /// One action's name.
        first: &'static str,
        /// The other's.
        second: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::super::KeyMap;
    use super::*;

    fn overrides(toml_text: &str) -> KeyOverrides {
        #[derive(Deserialize)]
        struct File {
            keys: KeyOverrides,
        }
        toml::from_str::<File>(toml_text).expect("toml").keys
    }

    #[test]
    fn an_override_replaces_the_keys_of_its_action() {
        let map = KeyMap::with_overrides(&overrides(
            "[keys]\ndown = [\"ctrl-n\", \"down\"]\nprojects = \"P\"\nsubmit = \"f2\"\n",
        ))
        .expect("valid");
        assert_eq!(map.keys_text(Action::Down), "ctrl-n / down");
        assert_eq!(map.keys_text(Action::GoProjects), "P");
        assert_eq!(map.keys_text(Action::Submit), "f2");
        assert_eq!(map.keys_text(Action::Up), "k / up", "others keep theirs");
    }

    #[test]
    fn bad_entries_are_errors_naming_the_entry() {
        let err = |text: &str| KeyMap::with_overrides(&overrides(text)).expect_err(text).to_string();
        let e = err("[keys]\nfly = \"f\"\n");
        assert!(e.contains("[keys] fly: no such action") && e.contains("cancel-scan"), "{e}");
        let e = err("[keys]\ndown = \"ctrl-\"\n");
        assert!(e.starts_with("[keys] down = \"ctrl-\": "), "{e}");
        let e = err("[keys]\nsubmit = \"s\"\n");
        assert!(e.starts_with("[keys] submit = \"s\": a dialog key cannot be a plain character"), "{e}");
        let e = err("[keys]\ncancel-scan = \"e\"\n");
        assert!(e.contains("`e` would do both `export` and `cancel-scan`"), "{e}");
        let e = err("[keys]\nrefresh = \"g\"\n");
        assert!(e.contains("`g`") && e.contains("`top`") && e.contains("`refresh`"), "{e}");
        // Ctrl-c quits from anywhere: taking it for a dialog action is a conflict too.
        let e = err("[keys]\nsubmit = \"ctrl-c\"\n");
        assert!(e.contains("`force-quit`") && e.contains("`submit`"), "{e}");
    }

    #[test]
    fn screen_and_dialog_keys_may_share_a_key() {
        // esc is `back` on a screen and `cancel` in a dialog: different places, no conflict.
        KeyMap::with_overrides(&overrides("[keys]\nback = \"esc\"\ncancel = \"esc\"\n")).expect("valid");
    }
}

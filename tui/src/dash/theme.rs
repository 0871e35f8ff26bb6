//! Styles. With `color: false` (NO_COLOR) no colour is ever set, only modifiers (bold, reversed,
//! underlined), so every cell keeps the terminal's own foreground and background.

use cairn_sdk::types::Severity;
use ratatui::style::{Color, Modifier, Style};

/// The dashboard's styles.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colours on or off.
    pub fn new(color: bool) -> Self {
        Theme { color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    /// Ordinary text.
    pub fn text(self) -> Style {
        Style::new()
    }
    /// Less important text.
    pub fn dim(self) -> Style {
        if self.color { Style::new().fg(Color::DarkGray) } else { Style::new() }
    }
    /// Titles and headers.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// Table headers.
    pub fn header(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// The row or choice under the cursor.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    /// Rows marked with `space`.
    pub fn marked(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
    /// The focused field of a form.
    pub fn focused(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    /// Something went well.
    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }
    /// Worth a look.
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Something failed or is dangerous.
    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    /// A severity's style.
    pub fn severity(self, severity: Severity) -> Style {
        match severity {
            Severity::Critical => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            Severity::High => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Severity::Medium => self.fg(Color::Yellow),
            Severity::Low => self.fg(Color::Blue),
            Severity::None | Severity::Unknown => self.dim(),
        }
    }
}

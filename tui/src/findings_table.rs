//! The terminal table of a scan (`cairn scan` on a terminal, or `-f table`): findings worst
//! first, one per line, then plain lines about what was and was not checked. It takes plain
//! rows and lines, so the offline engine and the daemon path feed it alike, and a new kind of
//! line (per-ecosystem coverage, warnings) is one more string in `notes`.

use cairn_sdk::types::Severity;
use std::cmp::Ordering;

/// One finding, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The advisory id (`RUSTSEC-2023-0071`, `GHSA-…`).
    pub advisory: String,
    /// The severity.
    pub severity: Severity,
    /// The package's name.
    pub package: String,
    /// The installed version.
    pub installed: String,
    /// The nearest fixed version, `-` when none is known.
    pub fixed: String,
    /// Where the package is pinned (`Cargo.lock:120`), `-` when not known.
    pub location: String,
}

const HEADERS: [&str; 6] = ["ADVISORY", "SEVERITY", "PACKAGE", "INSTALLED", "FIXED", "LOCATION"];

impl Row {
    /// Worst first: severity, then advisory, package, installed version, fixed, location.
    pub fn worst_first(a: &Row, b: &Row) -> Ordering {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.advisory.cmp(&b.advisory))
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.installed.cmp(&b.installed))
            .then_with(|| a.fixed.cmp(&b.fixed))
            .then_with(|| a.location.cmp(&b.location))
    }

    fn cells(&self) -> [&str; 6] {
        [&self.advisory, self.severity.as_str(), &self.package, &self.installed, &self.fixed, &self.location]
    }
}

/// The SGR colour of a severity cell.
fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
        Severity::None | Severity::Unknown => "\x1b[2m",
    }
}

/// `rows` in the order given (sort them with [`Row::worst_first`]; no table when empty: only the
/// caller knows whether none means "none found" or "not looked"), then `notes`, one per line. Colour (bold header, severity colours, notes
/// starting with `WARNING` in yellow) only when `color`. Control characters in cells (advisory
/// data) become spaces.
pub fn render(rows: &[Row], notes: &[String], color: bool) -> String {
    let clean = |s: &str| -> String { s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect() };
    let rows: Vec<(Severity, [String; 6])> =
        rows.iter().map(|r| (r.severity, r.cells().map(clean))).collect();
    let mut out = String::new();
    if !rows.is_empty() {
        let mut widths = HEADERS.map(|h| h.chars().count());
        for (_, row) in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 6], severity: Option<Severity>| -> String {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                let pad = " ".repeat(widths[i].saturating_sub(cell.chars().count()));
                match severity {
                    Some(s) if i == 1 && color => {
                        text.push_str(&format!("{}{cell}\x1b[0m{pad}", severity_color(s)));
                    }
                    _ => {
                        text.push_str(cell);
                        text.push_str(&pad);
                    }
                }
            }
            text.truncate(text.trim_end().len());
            text
        };
        let header = line(HEADERS, None);
        if color {
            out.push_str(&format!("\x1b[1m{header}\x1b[0m\n"));
        } else {
            out.push_str(&header);
            out.push('\n');
        }
        for (severity, row) in &rows {
            let cells = [&*row[0], &*row[1], &*row[2], &*row[3], &*row[4], &*row[5]];
            out.push_str(&line(cells, Some(*severity)));
            out.push('\n');
        }
    }
    for note in notes {
        let note = clean(note);
        if color && note.starts_with("WARNING") {
            out.push_str(&format!("\x1b[33m{note}\x1b[0m\n"));
        } else {
            out.push_str(&note);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(advisory: &str, severity: Severity, package: &str) -> Row {
        Row {
            advisory: advisory.into(),
            severity,
            package: package.into(),
            installed: "1.0.0".into(),
            fixed: "-".into(),
            location: "Cargo.lock:3".into(),
        }
    }

    #[test]
    fn rows_sort_worst_first_and_align() {
        let mut rows = vec![
            row("B-2", Severity::Unknown, "b"),
            row("A-1", Severity::Low, "a"),
            row("C-3", Severity::Critical, "c\x1bx"),
        ];
        rows.sort_by(Row::worst_first);
        let text = render(&rows, &["1 of 3 components checked".into()], false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "ADVISORY  SEVERITY  PACKAGE  INSTALLED  FIXED  LOCATION");
        assert_eq!(lines[1], "C-3       critical  c x      1.0.0      -      Cargo.lock:3");
        assert!(lines[2].starts_with("A-1       low"), "{text}");
        assert!(lines[3].starts_with("B-2       unknown"), "{text}");
        assert_eq!(lines[4], "1 of 3 components checked");
        assert!(!text.contains('\x1b'));
        let colored = render(&rows, &["WARNING: x".into()], true);
        assert!(colored.contains("\x1b[1;31mcritical\x1b[0m  "), "{colored:?}");
        assert!(colored.contains("\x1b[33mWARNING: x\x1b[0m"));
    }

    #[test]
    fn no_rows_no_table_only_the_notes() {
        assert_eq!(render(&[], &["NOT checked".into()], false), "NOT checked\n");
    }
}

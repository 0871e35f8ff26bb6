//! What the list commands print: aligned columns for people (bold headers only on a colour
//! terminal), or a JSON array of the API's wire objects for scripts.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use serde::Serialize;

/// A table of text cells under headers.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&'static str]) -> Self {
        Self { headers: headers.to_vec(), rows: Vec::new() }
    }

    /// Adds a row; control characters (from data the daemon sent) become spaces so a cell cannot
    /// move the cursor or change colours.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| c.chars().map(clean).collect()).collect());
    }

    /// Rows so far.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text: columns padded to their widest cell, two spaces apart, no trailing
    /// blanks; the header bold when `color`.
    pub fn render(&self, color: bool) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(n) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
            let mut out = String::new();
            for (i, cell) in cells.enumerate().take(n) {
                if i > 0 {
                    out.push_str("  ");
                }
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', widths[i].saturating_sub(cell.chars().count())));
            }
            out.truncate(out.trim_end().len());
            out
        };
        let header = line(&mut self.headers.iter().copied());
        let mut text = if color { format!("\x1b[1m{header}\x1b[0m\n") } else { format!("{header}\n") };
        for row in &self.rows {
            text.push_str(&line(&mut row.iter().map(String::as_str)));
            text.push('\n');
        }
        text
    }

    /// Prints the table to standard output.
    pub fn print(&self) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(self.render(color()).as_bytes()).context("writing to standard output")?;
        out.flush().context("writing to standard output")
    }
}

fn clean(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// Colour only on a terminal and when `NO_COLOR` is unset or empty (no-color.org).
pub fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints `value` as pretty JSON and a newline (a list command's `--json`: an array).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).context("writing JSON to standard output")?;
    out.write_all(b"\n").context("writing to standard output")?;
    out.flush().context("writing to standard output")
}

/// `-` for an absent value.
pub fn or_dash<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_control_characters_are_neutralised() {
        let mut t = Table::new(&["NAME", "N"]);
        t.row(vec!["a".into(), "10".into()]);
        t.row(vec!["long\x1b[31mname".into(), "2".into()]);
        assert_eq!(t.render(false), "NAME           N\na              10\nlong [31mname  2\n");
        assert!(t.render(true).starts_with("\x1b[1mNAME"));
        assert!(!t.render(false).contains('\x1b'));
    }
}

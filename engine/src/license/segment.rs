//! Splitting a compound license file into notices: sections, then comment blocks within them.
//!
//! Compound files (OpenSSH's LICENCE, attribution files) put several notices one after another,
//! each under a numbered heading (`1)`, `8)`) or between separator lines (`-----`), and often copy
//! each notice as the comment block it came from (lines starting with `*`, `#`, `//`), with plain
//! prose between them ("Some code is licensed under a 3-term BSD license, to the following
//! copyright holders:"). Matching each notice on its own finds licenses that a window sliding over
//! the whole file blurs into variants of each other.

/// A half-open range of 0-based line numbers.
pub type Span = (usize, usize);

/// True for a line that opens a numbered section: `1)`, `12)`, optionally followed by a title.
/// Letters (`a)`) are left out on purpose: license texts themselves list conditions that way.
fn is_heading(line: &str) -> bool {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&digits) && t[digits..].starts_with(')') && line.len() - t.len() <= 4
}

/// True for a line made only of a repeated separator character (`-----`, `=====`, `*****`), the
/// characters possibly spaced out (`= = = = =`, as mypy's and typeshed's LICENSE files have it).
pub fn is_separator(line: &str) -> bool {
    let t = line.trim();
    let marks = t.chars().filter(|c| !c.is_whitespace()).count();
    marks >= 3 && t.chars().all(|c| c.is_whitespace() || matches!(c, '-' | '=' | '*' | '_' | '~' | '#'))
}

/// The comment marker a line starts with (`*`, `#`, `//`, `;`, `%`), or "" for plain text.
fn marker(line: &str) -> &str {
    let t = line.trim_start();
    for m in ["//", "*", "#", ";", "%"] {
        if t.starts_with(m) {
            return m;
        }
    }
    ""
}

/// The file's sections: split before headings and at separator lines (which belong to no section).
/// Sections without any word are dropped.
pub fn sections(lines: &[&str]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let push = |s: usize, e: usize, out: &mut Vec<Span>| {
        if lines[s..e].iter().any(|l| l.chars().any(char::is_alphanumeric)) {
            out.push((s, e));
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if is_separator(line) {
            push(start, i, &mut out);
            start = i + 1;
        } else if is_heading(line) && i > start {
            push(start, i, &mut out);
            start = i;
        }
    }
    push(start, lines.len(), &mut out);
    out
}

/// The blocks of a section: runs of lines with the same comment marker. Lines blank after their
/// marker belong to the run they sit in; a line with no characters at all ends a commented run (the
/// comment was broken there), while in plain text it only separates paragraphs of one block.
pub fn blocks(lines: &[&str], section: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut current: Option<(usize, usize, &str)> = None; // start, end (exclusive), marker
    for (i, &line) in lines.iter().enumerate().take(section.1).skip(section.0) {
        let m = marker(line);
        let blank = !line.chars().any(char::is_alphanumeric);
        match current {
            Some((s, _, cm)) if line.trim().is_empty() && !cm.is_empty() => {
                out.push((s, i));
                current = None;
            }
            Some((s, _, cm)) if blank || m == cm => current = Some((s, i + 1, cm)),
            Some((s, e, _)) => {
                out.push((s, e));
                current = Some((i, i + 1, m));
            }
            None if blank => {}
            None => current = Some((i, i + 1, m)),
        }
    }
    if let Some((s, e, _)) = current {
        out.push((s, e));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_separators_make_sections() {
        let text = "preamble\n\n1)\n  text one\n\n2) Title\n  text two\n-----\nafter\n";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(sections(&lines), [(0, 2), (2, 5), (5, 7), (8, 9)]);
        // `a)` inside a license text is not a heading, nor is a deeply indented number.
        assert!(!is_heading("    a) You must cause"));
        assert!(!is_heading("          1) item"));
        assert!(is_heading("8) Portable OpenSSH contains"));
        // python/mypy : LICENSE separates its licenses with spaced-out equals signs.
        assert!(is_separator("= = = = ="));
        assert!(!is_separator("= ="), "too short to be a rule");
    }

    #[test]
    fn comment_blocks_split_from_prose() {
        let text = "Intro under a license:\n\n * Copyright 1 A\n *\n * Permission granted.\n\n \
                    * Portions Copyright 2 B\n * more\nplain again\n";
        let lines: Vec<&str> = text.lines().collect();
        let all = (0, lines.len());
        assert_eq!(blocks(&lines, all), [(0, 2), (2, 5), (6, 8), (8, 9)]);
    }
}

//! README files: the parts that state the project's license.
//!
//! A README states its license in a section under a heading that names it (`## License`,
//! `License` underlined, `LICENSE` or `Copyright notice:` on a line of its own), or, without one,
//! in a paragraph that says what the project is licensed, released or distributed under
//! ("Dual-licensed under MIT or the UNLICENSE"). Only those parts are read (`detect` matches them
//! as notices and texts); the rest of a README mentions licenses for other reasons.

use super::segment::Span;

/// True for `README`, `README.md`, `readme.rst`, `README.txt` (any case).
pub fn is_readme(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let upper = name.to_ascii_uppercase();
    let Some(rest) = upper.strip_prefix("README") else { return false };
    rest.is_empty() || [".MD", ".MARKDOWN", ".RST", ".TXT", ".ADOC"].contains(&rest)
}

/// Words of a heading that make its section a license statement.
const HEADING_WORDS: &[&str] = &["licen", "copyright", "copying"];

/// Phrases of a paragraph that states a license, for READMEs without a license heading.
const STATEMENT: &[&str] = &[
    "licensed under",
    "licenced under",
    "licensed as",
    "released under",
    "distributed under",
    "available under",
    "covered by the",
    "under the terms of",
];

/// A heading: its level (1 for the highest; underlined and plain-text headings count as 1) and
/// how many lines it takes. Plain-text headings are looked for only in READMEs without markup
/// (`plain`): in Markdown a line such as `MIT` alone is a section's body, not a heading.
fn heading(lines: &[&str], i: usize, plain: bool) -> Option<(usize, usize)> {
    let line = lines[i];
    let t = line.trim_end();
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
        return Some((hashes, 1));
    }
    if t.trim().is_empty() {
        return None;
    }
    // Setext (Markdown) and reStructuredText headings: a line underlined by one repeated mark.
    if let Some(next) = lines.get(i + 1).map(|l| l.trim())
        && next.len() >= 3
        && next.chars().all(|c| c == next.chars().next().unwrap_or(' '))
        && next.starts_with(['=', '-', '~', '^', '*', '+', '#'])
    {
        return Some((1, 2));
    }
    // Plain text: an unindented short line alone between blank lines, all capitals or ending
    // with a colon (`CONTACT`, `Copyright notice:`).
    let alone = i == 0 || lines[i - 1].trim().is_empty();
    let short = t.len() <= 40 && !line.starts_with([' ', '\t']);
    let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
    let caps = letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase());
    (plain && alone && short && (caps || t.ends_with(':'))).then_some((1, 1))
}

/// The spans of `lines` that state a license: sections under a license heading (to the next
/// heading of the same or a higher level), else paragraphs holding a statement phrase.
pub fn license_parts(lines: &[&str]) -> Vec<Span> {
    let plain = !(0..lines.len()).any(|i| heading(lines, i, false).is_some());
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None; // start, level
    let mut i = 0;
    while i < lines.len() {
        if let Some((level, size)) = heading(lines, i, plain) {
            if let Some((start, l)) = open
                && level <= l
            {
                out.push((start, i));
                open = None;
            }
            let title = lines[i].to_lowercase();
            if open.is_none() && HEADING_WORDS.iter().any(|w| title.contains(w)) {
                open = Some((i + size, level));
            }
            i += size;
            continue;
        }
        i += 1;
    }
    if let Some((start, _)) = open {
        out.push((start, lines.len()));
    }
    out.retain(|&(s, e)| lines[s..e].iter().any(|l| l.chars().any(char::is_alphanumeric)));
    if !out.is_empty() {
        return out;
    }
    // No license heading: paragraphs that say what the project is licensed under.
    let mut start = 0;
    for i in 0..=lines.len() {
        if i == lines.len() || lines[i].trim().is_empty() {
            if i > start {
                let para = lines[start..i].join(" ").to_lowercase().replace('-', " ");
                let para = para.split_whitespace().collect::<Vec<_>>().join(" ");
                if STATEMENT.iter().any(|p| para.contains(p)) {
                    out.push((start, i));
                }
            }
            start = i + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        license_parts(&lines).into_iter().map(|(s, e)| lines[s..e].join("\n").trim().to_string()).collect()
    }

    #[test]
    fn readme_names() {
        assert!(is_readme("README.md") && is_readme("pkg/readme.rst") && is_readme("README"));
        assert!(!is_readme("README.js") && !is_readme("LICENSE") && !is_readme("READMEFIRST.md"));
    }

    #[test]
    fn the_license_section_is_found_by_its_heading() {
        // serde-rs/serde : README.md (abridged): the section ends at the next heading of its level.
        let md = "# Serde\n\nSerde is a framework.\n\n#### License\n\n<sup>\nLicensed under either of <a href=\"LICENSE-APACHE\">Apache License, Version\n2.0</a> or <a href=\"LICENSE-MIT\">MIT license</a> at your option.\n</sup>\n\n## Next\n\nSomething else.\n";
        let p = parts(md);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("<sup>") && p[0].ends_with("</sup>"), "{p:?}");
        // madler/zlib : README, a plain-text heading ending with a colon.
        let plain = "Acknowledgments:\n\n  The deflate format was defined by Phil Katz.\n\nCopyright notice:\n\n (C) 1995-2024 Jean-loup Gailly and Mark Adler\n\n  This software is provided 'as-is'.\n";
        assert_eq!(
            parts(plain),
            ["(C) 1995-2024 Jean-loup Gailly and Mark Adler\n\n  This software is provided 'as-is'."]
        );
        // An underlined heading.
        assert_eq!(parts("Intro\n=====\n\ntext\n\nLicense\n-------\n\nMIT\n"), ["MIT"]);
    }

    #[test]
    fn without_a_heading_the_statement_paragraph() {
        // BurntSushi/ripgrep : README.md, lines 13-15.
        let md = "ripgrep is a line-oriented search tool.\n\n[![Build status](https://github.com/BurntSushi/ripgrep/workflows/ci/badge.svg)](https://github.com/BurntSushi/ripgrep/actions)\n\nDual-licensed under MIT or the [UNLICENSE](https://unlicense.org).\n\n### Documentation quick links\n";
        assert_eq!(parts(md), ["Dual-licensed under MIT or the [UNLICENSE](https://unlicense.org)."]);
        assert!(parts("# Tool\n\nIt searches files.\n").is_empty());
    }
}

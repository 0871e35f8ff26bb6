//! Blanks comments out of source text, keeping every byte offset and newline, so rules never match
//! inside a comment and line numbers stay true. String literals are kept: they carry the algorithm
//! names rules look for, and a `//` inside `"https://…"` is not a comment.

use super::Language;

/// Comment and string syntax of a language.
struct Syntax {
    line: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
    /// Quote characters that open a string literal.
    quotes: &'static [u8],
    /// Python: `"""…"""` and `'''…'''` blocks are docstrings, blanked like comments.
    docstrings: bool,
}

fn syntax(lang: Language) -> Syntax {
    match lang {
        Language::Python => Syntax { line: &["#"], block: None, quotes: b"\"'", docstrings: true },
        Language::JavaScript => {
            Syntax { line: &["//"], block: Some(("/*", "*/")), quotes: b"\"'`", docstrings: false }
        }
        Language::Go => {
            Syntax { line: &["//"], block: Some(("/*", "*/")), quotes: b"\"`", docstrings: false }
        }
        // Rust and C use `'` for chars and (Rust) lifetimes, which never hold a comment opener
        // worth protecting; treating `'` as a quote would misread lifetimes.
        Language::Php => {
            Syntax { line: &["//", "#"], block: Some(("/*", "*/")), quotes: b"\"'", docstrings: false }
        }
        Language::Ruby => {
            Syntax { line: &["#"], block: Some(("=begin", "=end")), quotes: b"\"'", docstrings: false }
        }
        Language::Rust | Language::C | Language::Java | Language::CSharp => {
            Syntax { line: &["//"], block: Some(("/*", "*/")), quotes: b"\"", docstrings: false }
        }
    }
}

/// Returns `text` with every comment byte (except newlines) replaced by a space.
pub fn strip(text: &str, lang: Language) -> String {
    let syn = syntax(lang);
    let src = text.as_bytes();
    let mut out = src.to_vec();
    let mut i = 0;
    while i < src.len() {
        let rest = &src[i..];
        if syn.docstrings && (rest.starts_with(b"\"\"\"") || rest.starts_with(b"'''")) {
            let end = find(src, i + 3, &rest[..3]).map_or(src.len(), |e| e + 3);
            blank(&mut out, i, end);
            i = end;
        } else if let Some(open) = syn.line.iter().find(|o| rest.starts_with(o.as_bytes())) {
            let end = find(src, i + open.len(), b"\n").unwrap_or(src.len());
            blank(&mut out, i, end);
            i = end;
        } else if let Some((open, close)) = syn.block.filter(|(o, _)| rest.starts_with(o.as_bytes())) {
            let end = find(src, i + open.len(), close.as_bytes()).map_or(src.len(), |e| e + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if syn.quotes.contains(&src[i]) {
            i = skip_string(src, i);
        } else {
            i += 1;
        }
    }
    // Only ASCII bytes were replaced by ASCII spaces at whole-character positions, except inside
    // multi-byte characters of a comment, which are blanked byte by byte: all spaces, valid UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn blank(out: &mut [u8], from: usize, to: usize) {
    for b in &mut out[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// Index just past the string literal opening at `start`. Backtick strings may span lines; the
/// others end at an unescaped newline too, so a stray quote cannot swallow the file.
fn skip_string(src: &[u8], start: usize) -> usize {
    let quote = src[start];
    let mut i = start + 1;
    while i < src.len() {
        match src[i] {
            b'\\' => i += 2,
            b'\n' if quote != b'`' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    src.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_comments_keeps_strings_and_lines() {
        let src = "a = \"http://x\" // md5\n/* sha1\n */ b # c\n";
        let out = strip(src, Language::JavaScript);
        assert_eq!(out.len(), src.len());
        assert!(out.contains("\"http://x\""));
        assert!(!out.contains("md5") && !out.contains("sha1"));
        assert_eq!(out.lines().count(), src.lines().count());
        let py = strip("x = 1  # hashlib.md5()\n\"\"\"hashlib.sha1()\"\"\"\ny = '#'\n", Language::Python);
        assert!(!py.contains("md5") && !py.contains("sha1") && py.contains("'#'"));
    }

    #[test]
    fn multibyte_comment_stays_utf8() {
        let out = strip("// naïve ü\nx", Language::C);
        assert!(out.ends_with("\nx"));
    }
}

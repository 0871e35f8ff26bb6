//! License text → license ids: text matching against the SPDX list's license texts embedded in the
//! `spdx` crate, else `SPDX-License-Identifier:` lines, else short notices that name a license.
//!
//! Text matching is askalono's n-gram scoring as the `spdx` crate ships it. A whole-file match
//! scoring at least [`WHOLE`] is taken as the one license of the file; below that, the file is
//! scanned top-down for every license text it holds (attribution files, a project license followed
//! by third-party licenses), each part needing [`PART`]. Deprecated ids the texts are filed under
//! (`GPL-2.0+`, `BSD-2-Clause-NetBSD`) are rewritten to current ids.

use super::expression::{self, normalize};
use crate::inventory::{Detected, DetectionMethod};
use serde::Deserialize;
use spdx::detection::scan::{ScanMode, Scanner};
use spdx::detection::{Store, TextData};
use std::sync::OnceLock;

/// Whole-file score from which the file is taken as one license without looking for more (a long
/// text followed by a short one still scores around 0.95 as the long one alone).
const WHOLE: f32 = 0.99;
/// Score a part of a file needs to count as a license text.
const PART: f32 = 0.8;
/// Top-down window step, in lines. The scanner's windows end at multiples of this from the start,
/// so the text is padded with this many blank lines for the last license to fit a window.
const STEP: usize = 5;
/// Texts longer than this are not matched (a scan must not stall on a huge generated file).
const MAX_TEXT: usize = 512 * 1024;

fn store() -> Option<&'static Store> {
    static STORE: OnceLock<Option<Store>> = OnceLock::new();
    STORE
        .get_or_init(|| match Store::load_inline() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(error = %e, "the embedded license store does not load; license texts will not be matched");
                None
            }
        })
        .as_ref()
}

#[derive(Deserialize)]
struct References {
    reference: Vec<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    phrase: String,
    id: String,
}

fn references() -> &'static [(String, String)] {
    static R: OnceLock<Vec<(String, String)>> = OnceLock::new();
    R.get_or_init(|| {
        let parsed: References =
            toml::from_str(include_str!("references.toml")).unwrap_or(References { reference: Vec::new() });
        parsed.reference.into_iter().map(|r| (squash(&r.phrase), r.id)).collect()
    })
}

/// Lower case, every run of non-alphanumerics one space: how reference phrases are compared.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// Licenses that `text`, the contents of `path`, holds; sorted by position, one entry per id.
pub fn detect(path: &str, text: &str) -> Vec<Detected> {
    // License texts first: a license may quote an identifier line as an example (the Community
    // Specification License does), while a file that is only an identifier line matches no text.
    let mut found = match_text(path, text);
    if found.is_empty() {
        found = spdx_headers(path, text);
    }
    if found.is_empty() {
        found = named(path, text);
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert(d.id.clone()));
    // CC0 is itself a dedication to the public domain: a notice that says both names one grant.
    if found.iter().any(|d| d.id == "CC0-1.0") {
        found.retain(|d| d.id != PUBLIC_DOMAIN);
    }
    found
}

/// How Cairn names a plain public-domain dedication (there is no SPDX id for it).
const PUBLIC_DOMAIN: &str = "LicenseRef-public-domain";

/// `SPDX-License-Identifier: <expression>` lines.
fn spdx_headers(path: &str, text: &str) -> Vec<Detected> {
    const TAG: &str = "SPDX-License-Identifier:";
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find(TAG) else { continue };
        let rest = line[at + TAG.len()..].trim();
        // Comment closers that share the line: `*/`, `-->`, `#}`.
        let rest = rest.trim_end_matches("*/").trim_end_matches("-->").trim_end_matches("#}").trim();
        if let Some(n) = normalize(rest) {
            let line = u32::try_from(i + 1).ok();
            out.push(Detected {
                id: n.expression,
                confidence_permille: if n.resolved { 1000 } else { 0 },
                method: DetectionMethod::SpdxHeader,
                path: path.to_string(),
                lines: line.map(|l| (l, l)),
            });
        }
    }
    out
}

fn permille(score: f32) -> u16 {
    (score.clamp(0.0, 1.0) * 1000.0).round() as u16
}

/// The SPDX id to report for a license text the store filed under `name`.
fn current(name: &str) -> String {
    match normalize(name) {
        Some(n) if n.resolved && !n.expression.contains(' ') => n.expression,
        _ => name.to_string(),
    }
}

fn match_text(path: &str, text: &str) -> Vec<Detected> {
    let Some(store) = store() else { return Vec::new() };
    if text.len() > MAX_TEXT || text.split_whitespace().nth(20).is_none() {
        return Vec::new(); // too big to score, or too short to be a license text
    }
    let data = TextData::new(text);
    let whole = Scanner::new(store).confidence_threshold(PART);
    let overall = whole.scan(&data);
    let one = |name: &str, score: f32| Detected {
        id: current(name),
        confidence_permille: permille(score),
        method: DetectionMethod::Text,
        path: path.to_string(),
        lines: None,
    };
    if let Some(l) = overall.license.filter(|_| overall.score >= WHOLE) {
        return vec![one(l.name, overall.score)];
    }
    let padded = format!("{text}{}", "\n".repeat(STEP));
    let parts_scanner =
        Scanner::with_scan_mode(store, ScanMode::TopDown { step_size: STEP }).confidence_threshold(PART);
    let parts = parts_scanner.scan(&TextData::new(&padded));
    let mut out: Vec<Detected> = parts
        .containing
        .iter()
        .filter(|c| c.score >= PART)
        .map(|c| {
            let lines = (
                u32::try_from(c.line_range.0 + 1).unwrap_or(u32::MAX),
                u32::try_from(c.line_range.1).unwrap_or(u32::MAX),
            );
            Detected { lines: Some(lines), ..one(c.license.name, c.score) }
        })
        .collect();
    if out.is_empty()
        && let Some(l) = overall.license
    {
        out.push(one(l.name, overall.score));
    }
    out
}

/// Short notices that name a license instead of holding its text (`references.toml`).
fn named(path: &str, text: &str) -> Vec<Detected> {
    let body = format!(" {} ", squash(text));
    let mut hits: Vec<(usize, &str)> = references()
        .iter()
        .filter_map(|(phrase, id)| body.find(&format!(" {phrase} ")).map(|at| (at, id.as_str())))
        .collect();
    hits.sort();
    hits.into_iter()
        .filter(|(_, id)| expression::normalize(id).is_some_and(|n| n.resolved))
        .map(|(_, id)| Detected {
            id: id.to_string(),
            confidence_permille: 1000,
            method: DetectionMethod::Reference,
            path: path.to_string(),
            lines: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_are_read_and_normalised() {
        let d = detect("LICENSE", "/* SPDX-License-Identifier: GPL-2.0+ OR MIT */\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].id, "GPL-2.0-or-later OR MIT");
        assert_eq!(d[0].method, DetectionMethod::SpdxHeader);
        assert_eq!(d[0].lines, Some((1, 1)));
    }

    #[test]
    fn embedded_texts_match() {
        let mit = spdx::license_id("MIT").expect("MIT").text();
        let d = detect("LICENSE", mit);
        assert_eq!(d.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["MIT"]);
        assert!(d[0].confidence_permille >= 950);
        let both = format!("{}\n\n-----\n\n{}", spdx::license_id("Apache-2.0").expect("id").text(), mit);
        let ids: Vec<String> = detect("LICENSE", &both).into_iter().map(|d| d.id).collect();
        assert_eq!(ids, ["Apache-2.0", "MIT"]);
    }

    #[test]
    fn short_or_empty_texts_find_nothing_and_do_not_panic() {
        assert!(detect("LICENSE", "").is_empty());
        assert!(detect("LICENSE", "see the readme").is_empty());
    }

    #[test]
    fn every_reference_id_is_valid() {
        assert!(!references().is_empty());
        for (phrase, id) in references() {
            assert!(spdx::Expression::parse(id).is_ok(), "{phrase} -> {id}");
        }
    }
}

//! License text → license ids: text matching against the SPDX list's license texts embedded in the
//! `spdx` crate, else `SPDX-License-Identifier:` lines, else short notices that name a license.
//!
//! Text matching is askalono's n-gram scoring as the `spdx` crate ships it. A whole-file match
//! scoring at least `WHOLE` is taken as the one license of the file. Below that, a file with
//! numbered sections or separator lines is read notice by notice (`segment`): each section as
//! one license text, else each of its comment blocks, else a window sliding over it, else the
//! phrases of `references.toml` (a public-domain dedication is `LicenseRef-public-domain`). Other
//! files are scanned top-down for every license text they hold, each part needing `PART`. When a
//! part's best match is a variant of a base license (`BSD-3-Clause-HP`) but holds none of the words
//! the variant adds, the base is reported. Deprecated ids the texts are filed under (`GPL-2.0+`,
//! `BSD-2-Clause-NetBSD`) are rewritten to current ids.

use super::expression::{self, normalize};
use super::{readme, segment};
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
/// Words a text (or a part of a compound file) needs to be matched as a license text at all.
const MIN_WORDS: usize = 20;
/// Texts longer than this are not matched (a scan must not stall on a huge generated file).
const MAX_TEXT: usize = 512 * 1024;

fn store() -> Option<&'static Store> {
    static STORE: OnceLock<Option<Store>> = OnceLock::new();
    STORE
        .get_or_init(|| match Store::load_inline() {
            Ok(s) => {
                // Observable, so a test can tell a scan that never needed the texts never paid for them.
                tracing::debug!("license text store unpacked");
                Some(s)
            }
            Err(e) => {
                tracing::error!(error = %e, "the embedded license store does not load; license texts will not be matched");
                None
            }
        })
        .as_ref()
}

/// Unpacks the license text store now, on the calling thread, so that the first license file to
/// match does not wait for it (a fixed cost of tens of milliseconds, paid once per process).
pub fn prepare() {
    let _ = store();
}

#[derive(Deserialize)]
struct References {
    reference: Vec<Reference>,
    #[serde(default)]
    name: Vec<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    phrase: String,
    id: String,
}

/// Squashed phrase and SPDX id, per line of references.toml.
type Phrases = Vec<(String, String)>;

/// The file's `[[reference]]` phrases and its `[[name]]` names.
fn parsed_references() -> &'static (Phrases, Phrases) {
    static R: OnceLock<(Phrases, Phrases)> = OnceLock::new();
    R.get_or_init(|| {
        let parsed: References = toml::from_str(include_str!("references.toml"))
            .unwrap_or(References { reference: Vec::new(), name: Vec::new() });
        let squashed = |v: Vec<Reference>| v.into_iter().map(|r| (squash(&r.phrase), r.id)).collect();
        (squashed(parsed.reference), squashed(parsed.name))
    })
}

fn references() -> &'static [(String, String)] {
    &parsed_references().0
}

/// Names a notice may give a license by, squashed: the `[[name]]` list of references.toml, the
/// SPDX list's full names (`Mozilla Public License 2.0`), its ids that carry a version
/// (`MPL-2.0`, read as `MPL 2.0` too), and the spelling map's keys that say "license" or carry a
/// version (`mit license`, `apache 2`). Bare words the spelling map also knows (`ruby`, `openssl`,
/// `zlib`) are left out: in prose they name software, not its license.
fn license_names() -> &'static [(String, String)] {
    static NAMES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut out: Vec<(String, String)> = parsed_references().1.clone();
        for l in spdx::identifiers::LICENSES {
            out.push((squash(l.full_name), l.name.to_string()));
            if l.name.contains('-') && l.name.chars().any(|c| c.is_ascii_digit()) {
                out.push((squash(l.name), l.name.to_string()));
            }
        }
        for (key, value) in expression::alias_entries() {
            let all_spdx = expression::ids(value).iter().all(|i| spdx::license_id(i).is_some());
            let says = key.contains("licen") || key.chars().any(|c| c.is_ascii_digit());
            if all_spdx && says {
                out.push((squash(key), value.to_string()));
            }
        }
        out.retain(|(phrase, _)| !phrase.is_empty());
        out.sort();
        out.dedup();
        out
    })
}

/// The licenses `text` names (`license_names`), in the order it names them, each once. Where
/// names overlap (`mit` in `mit no attribution`) the longer wins. Long names are also found with
/// their words run together (`ShareAlike` for `Share Alike`).
fn names_in(text: &str) -> Vec<(usize, String)> {
    let body = format!(" {} ", squash(text));
    // Position in the body without spaces, for every byte of the body.
    let mut compact_at = Vec::with_capacity(body.len() + 1);
    let mut n = 0;
    for b in body.bytes() {
        compact_at.push(n);
        if b != b' ' {
            n += 1;
        }
    }
    compact_at.push(n);
    let compact: String = body.chars().filter(|c| *c != ' ').collect();
    let mut hits: Vec<(usize, usize, &str, usize)> = Vec::new(); // start, end (compact), id, body position
    for (phrase, id) in license_names() {
        let len = phrase.chars().filter(|c| *c != ' ').map(char::len_utf8).sum::<usize>();
        if let Some(at) = body.find(&format!(" {phrase} ")) {
            let start = compact_at[at + 1];
            hits.push((start, start + len, id, at));
        } else if phrase.split(' ').nth(2).is_some()
            && let Some(start) = compact.find(&phrase.replace(' ', ""))
        {
            let at = compact_at.iter().position(|&c| c == start).unwrap_or(0);
            hits.push((start, start + len, id, at));
        }
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then((b.1 - b.0).cmp(&(a.1 - a.0))));
    let mut kept: Vec<(usize, usize, &str, usize)> = Vec::new();
    for h in hits {
        if kept.iter().any(|k| h.0 >= k.0 && h.1 <= k.1) {
            continue;
        }
        kept.push(h);
    }
    let mut out: Vec<(usize, String)> = Vec::new();
    for (_, _, id, at) in kept {
        let id = gnu_version(id, &body, at);
        if !out.iter().any(|(_, o)| *o == id) {
            out.push((at, id));
        }
    }
    out
}

/// A GNU license named without `-only` or `-or-later`: `-or-later` when the words after its name
/// say "or later" / "any later version", else `-only` (the version named is the one granted).
fn gnu_version(id: &str, body: &str, at: usize) -> String {
    let bare = spdx::license_id(id).is_some_and(|l| l.is_gnu())
        && !id.ends_with("-only")
        && !id.ends_with("-or-later")
        && !id.ends_with('+');
    if !bare {
        return id.to_string();
    }
    let end = (at + 200).min(body.len());
    let after = body.get(at..end).unwrap_or("");
    let later = after.contains("any later version") || after.contains(" or later");
    format!("{id}-{}", if later { "or-later" } else { "only" })
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
    let mut found = if readme::is_readme(path) { in_readme(path, text) } else { in_license_file(path, text) };
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert(d.id.clone()));
    // CC0 is itself a dedication to the public domain: a notice that says both names one grant.
    if found.iter().any(|d| d.id == "CC0-1.0") {
        found.retain(|d| d.id != PUBLIC_DOMAIN);
    }
    found
}

/// A license file: its license texts first (a license may quote an identifier line as an example,
/// as the Community Specification License does, while a file that is only an identifier line
/// matches no text); else `SPDX-License-Identifier` lines; else the licenses a notice names; else
/// known texts without an SPDX id.
fn in_license_file(path: &str, text: &str) -> Vec<Detected> {
    let mut found = match_text(path, text);
    if found.is_empty() {
        found = spdx_headers(path, text);
    }
    if found.is_empty() {
        found = named_licenses(path, text, false).into_iter().collect();
        // A notice that grants one license by name may name another by a reference phrase
        // (bitwarden/server's "(ii) the Bitwarden License v1.0"); a choice already says it all.
        if found.iter().all(|d| !d.id.contains(" OR ")) {
            let more: Vec<Detected> =
                named(path, text).into_iter().filter(|n| found.iter().all(|f| f.id != n.id)).collect();
            found.extend(more);
        }
    }
    if found.is_empty() {
        found = known_texts(path, text);
    }
    found
}

/// A README: `SPDX-License-Identifier` lines anywhere; else each part that states the license
/// (`readme::license_parts`) read as a short license file: the texts it holds, else the licenses
/// it names. Nothing else in a README counts.
fn in_readme(path: &str, text: &str) -> Vec<Detected> {
    let found = spdx_headers(path, text);
    if !found.is_empty() {
        return found;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    for span in readme::license_parts(&lines) {
        let part = join(&lines, span);
        let mut here = match_text(path, &part);
        if here.is_empty() {
            here = named_licenses(path, &part, true).into_iter().collect();
        }
        if here.is_empty() {
            here = named(path, &part);
        }
        if here.is_empty() {
            here = known_texts(path, &part);
        }
        for d in &mut here {
            let offset = u32::try_from(span.0).unwrap_or(u32::MAX);
            d.lines = Some(match d.lines {
                Some((a, b)) => (a.saturating_add(offset), b.saturating_add(offset)),
                None => line_pair(span),
            });
        }
        out.extend(here);
    }
    out
}

/// Known texts without an SPDX id (`known_texts.toml`) as `LicenseRef-` detections.
fn known_texts(path: &str, text: &str) -> Vec<Detected> {
    super::known::find(text)
        .into_iter()
        .map(|k| Detected {
            id: k.id.clone(),
            confidence_permille: 1000,
            method: DetectionMethod::Reference,
            path: path.to_string(),
            lines: None,
        })
        .collect()
}

/// How Cairn names a plain public-domain dedication (there is no SPDX id for it).
const PUBLIC_DOMAIN: &str = "LicenseRef-public-domain";

/// `SPDX-License-Identifier: <expression>` lines.
pub(crate) fn spdx_headers(path: &str, text: &str) -> Vec<Detected> {
    use super::headers::TAG;
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
    if text.len() > MAX_TEXT || text.split_whitespace().nth(MIN_WORDS).is_none() {
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
    // A near variant wins only with the words that make it one; otherwise its base.
    let best =
        overall.license.map(|l| base_instead(store, l.name, text, &data).unwrap_or((l.name, overall.score)));
    if let Some((name, score)) = best.filter(|(_, score)| *score >= WHOLE || overall.score >= WHOLE) {
        return gnu_only(text, vec![one(name, score)]);
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let sections = segment::sections(&lines);
    if sections.len() >= 2 {
        let mut out = Vec::new();
        for &section in &sections {
            out.extend(match_section(store, path, &lines, section));
        }
        if !out.is_empty() {
            return gnu_only(text, merge_stacks(store, &lines, out));
        }
    }
    let mut out = top_down(store, path, &lines, (0, lines.len()));
    for d in &mut out {
        if let Some((l0, l1)) = d.lines {
            let window = lines.get(l0 as usize - 1..(l1 as usize).min(lines.len())).unwrap_or(&[]).join("\n");
            if let Some((base, score)) = base_instead(store, &d.id, &window, &TextData::new(&window)) {
                d.id = current(base);
                d.confidence_permille = permille(score);
            }
        }
    }
    if out.is_empty()
        && let Some((name, score)) = best
    {
        out.push(one(name, score));
    }
    gnu_only(text, out)
}

/// Licenses the SPDX list files as one text made of parts that also match on their own: CPython's
/// stack (the PSF License Version 2, then the BeOpen, CNRI and CWI agreements) is `Python-2.0`.
/// (whole, parts that start it.)
const STACKS: &[(&str, &[&str])] =
    &[("Python-2.0", &["PSF-2.0", "CNRI-Python", "CNRI-Python-GPL-Compatible"])];

/// Replaces the parts of a stack found one after another by the stack, when the lines from the
/// first part to the last (or to the notice right after it: the CWI notice ends CPython's stack and
/// matches other texts alone) match the stack's text as a whole.
fn merge_stacks(store: &Store, lines: &[&str], mut found: Vec<Detected>) -> Vec<Detected> {
    for (whole, parts) in STACKS {
        let at: Vec<usize> = found
            .iter()
            .enumerate()
            .filter(|(_, d)| parts.contains(&d.id.as_str()))
            .map(|(i, _)| i)
            .collect();
        let (Some(&first), Some(&last)) = (at.first(), at.last()) else { continue };
        if at.len() < 2 {
            continue;
        }
        let Some(original) = store.get_original(whole) else { continue };
        let Some((l0, _)) = found[first].lines else { continue };
        let mut best: Option<(usize, f32, u32)> = None;
        for end in [last, last + 1] {
            let Some((_, l1)) = found.get(end).and_then(|d| d.lines) else { continue };
            let span = lines.get(l0 as usize - 1..(l1 as usize).min(lines.len())).unwrap_or(&[]).join("\n");
            let score = TextData::new(&span).match_score(original);
            if score >= PART && best.is_none_or(|(_, b, _)| score > b) {
                best = Some((end, score, l1));
            }
        }
        if let Some((end, score, l1)) = best {
            let stack = Detected {
                id: (*whole).to_string(),
                confidence_permille: permille(score),
                method: DetectionMethod::Text,
                path: found[first].path.clone(),
                lines: Some((l0, l1)),
            };
            found.splice(first..=end, [stack]);
        }
    }
    found
}

/// Words outside a GNU license's text by which a file limits the grant to the version it holds
/// (git's COPYING: "the only valid version of the GPL ... is _this_ particular version"). The
/// texts themselves hold none of them.
const ONLY: &[&str] = &[
    "only valid version",
    "this particular version",
    "version 2 only",
    "version 3 only",
    "version 2 1 only",
    "v2 only",
    "v3 only",
];

/// A GNU license text matched as `-or-later` is `-only` when the file says that only this version
/// applies. (A bare text grants no later version by itself; the match reports `-or-later` because
/// the text's appendix shows how to grant it.)
fn gnu_only(text: &str, mut found: Vec<Detected>) -> Vec<Detected> {
    let body = format!(" {} ", squash(text));
    if !ONLY.iter().any(|w| body.contains(&format!(" {w} "))) {
        return found;
    }
    for d in &mut found {
        if let Some(base) = d.id.strip_suffix("-or-later")
            && spdx::license_id(base).or_else(|| spdx::license_id(&d.id)).is_some_and(|l| l.is_gnu())
        {
            d.id = format!("{base}-only");
        }
    }
    found
}

/// The text of lines `span` of `lines`.
fn join(lines: &[&str], span: segment::Span) -> String {
    lines[span.0..span.1].join("\n")
}

/// A text match of lines `span` as a whole, when it scores at least [`PART`].
fn match_whole(store: &Store, path: &str, lines: &[&str], span: segment::Span) -> Option<Detected> {
    let text = join(lines, span);
    text.split_whitespace().nth(MIN_WORDS)?; // too short to be a license text
    let data = TextData::new(&text);
    let m = store.analyze(&data);
    let (name, score) = base_instead(store, m.name, &text, &data).unwrap_or((m.name, m.score));
    (score >= PART).then(|| Detected {
        id: current(name),
        confidence_permille: permille(score),
        method: DetectionMethod::Text,
        path: path.to_string(),
        lines: Some(line_pair(span)),
    })
}

/// Lower-cased words of a text.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Runs of words that `variant` inserts into `base` where `base` has nothing (a longest common
/// subsequence alignment): what makes the variant a variant. Words that replace others ("the
/// author" for "the copyright holders") are wording both texts allow, and are not counted.
fn insertions(base: &[String], variant: &[String]) -> Vec<Vec<String>> {
    let (n, m) = (base.len(), variant.len());
    // lcs[i][j]: common subsequence length of base[i..] and variant[j..].
    let mut lcs = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if base[i] == variant[j] {
                lcs[i + 1][j + 1].saturating_add(1)
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    let (mut run, mut base_gap) = (Vec::new(), false);
    let close = |run: &mut Vec<String>, base_gap: &mut bool, out: &mut Vec<Vec<String>>| {
        if !run.is_empty() && !*base_gap {
            out.push(std::mem::take(run));
        }
        run.clear();
        *base_gap = false;
    };
    while i < n || j < m {
        if i < n && j < m && base[i] == variant[j] {
            close(&mut run, &mut base_gap, &mut out);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            run.push(variant[j].clone());
            j += 1;
        } else {
            base_gap = true;
            i += 1;
        }
    }
    close(&mut run, &mut base_gap, &mut out);
    out
}

/// Variants whose id does not start with their base's: `(variant, base)`. Pixar's license is the
/// Apache License 2.0 with its trademark section reworded and no appendix.
const NEAR: &[(&str, &str)] = &[("Pixar", "Apache-2.0")];

/// When the best match `name` is a variant of a base license (`BSD-3-Clause-HP` of `BSD-3-Clause`)
/// and `text` holds none of the passages the variant inserts into its base ("patent
/// infringement"), the base and its score: the variant only scored higher through wording both
/// allow, not through what makes it a variant.
fn base_instead<'a>(store: &Store, name: &'a str, text: &str, data: &TextData) -> Option<(&'a str, f32)> {
    const MAX_WORDS: usize = 2000; // the alignment is quadratic; long texts are not short variants
    let variant = words(spdx::license_id(name)?.text());
    let by_prefix = name
        .char_indices()
        .filter(|&(_, c)| c == '-')
        .map(|(i, _)| &name[..i])
        .rfind(|b| spdx::license_id(b).is_some() && store.get_original(b).is_some());
    let base = by_prefix.or_else(|| NEAR.iter().find(|(v, _)| *v == name).map(|(_, b)| *b))?;
    let base_words = words(spdx::license_id(base)?.text());
    if variant.len() > MAX_WORDS || base_words.len() > MAX_WORDS {
        return None;
    }
    let added = insertions(&base_words, &variant);
    let here = format!(" {} ", words(text).join(" "));
    let in_base = format!(" {} ", base_words.join(" "));
    // A run distinguishes the variant when the text has it and the base nowhere does ("and" is
    // inserted somewhere by most variants, and proves nothing).
    let distinguishing = |run: &Vec<String>| {
        let run = format!(" {} ", run.join(" "));
        here.contains(&run) && !in_base.contains(&run)
    };
    if added.is_empty() || added.iter().any(distinguishing) {
        return None;
    }
    let score = data.match_score(store.get_original(base)?);
    Some((base, score))
}

/// 1-based first and last line of a half-open 0-based span.
fn line_pair(span: segment::Span) -> (u32, u32) {
    (u32::try_from(span.0 + 1).unwrap_or(u32::MAX), u32::try_from(span.1.max(span.0 + 1)).unwrap_or(u32::MAX))
}

/// One section of a compound file: the section as one license text; else each of its comment
/// blocks as one (blocks that match none may still name one, such as a public-domain
/// dedication); else license texts found by a window sliding over it; else a notice naming one.
fn match_section(store: &Store, path: &str, lines: &[&str], section: segment::Span) -> Vec<Detected> {
    if let Some(d) = match_whole(store, path, lines, section) {
        return vec![d];
    }
    let blocks = segment::blocks(lines, section);
    let matched: Vec<(segment::Span, Option<Detected>)> =
        blocks.iter().map(|&b| (b, match_whole(store, path, lines, b))).collect();
    if matched.iter().any(|(_, d)| d.is_some()) {
        return matched
            .into_iter()
            .flat_map(|(b, d)| match d {
                Some(d) => vec![d],
                None => named_in(path, lines, b),
            })
            .collect();
    }
    let found = top_down(store, path, lines, section);
    if !found.is_empty() {
        return found;
    }
    named_in(path, lines, section)
}

/// License texts found top-down in lines `span` by a sliding window.
fn top_down(store: &Store, path: &str, lines: &[&str], span: segment::Span) -> Vec<Detected> {
    // The scanner's windows end at multiples of STEP from the start: pad for the last text to fit.
    let padded = format!("{}{}", join(lines, span), "\n".repeat(STEP));
    let scanner =
        Scanner::with_scan_mode(store, ScanMode::TopDown { step_size: STEP }).confidence_threshold(PART);
    scanner
        .scan(&TextData::new(&padded))
        .containing
        .iter()
        .filter(|c| c.score >= PART)
        .map(|c| Detected {
            id: current(c.license.name),
            confidence_permille: permille(c.score),
            method: DetectionMethod::Text,
            path: path.to_string(),
            lines: Some(line_pair((span.0 + c.line_range.0, span.0 + c.line_range.1))),
        })
        .collect()
}

/// Reference phrases in lines `span`, with that span as their place.
fn named_in(path: &str, lines: &[&str], span: segment::Span) -> Vec<Detected> {
    named(path, &join(lines, span))
        .into_iter()
        .map(|d| Detected { lines: Some(line_pair(span)), ..d })
        .collect()
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

/// Words by which a notice offers a choice between the licenses it names.
const CHOICE: &[&str] = &[
    "dual licensed",
    "dual license",
    "either of",
    "at your option",
    "at your choice",
    "you may choose",
    "any of these licenses",
    "one of the following licenses",
];

/// Words by which a notice says what it is licensed under, when it names one license or names
/// several without offering a choice.
const STATEMENT: &[&str] = &[
    "licensed under",
    "licenced under",
    "licensed as",
    "released under",
    "distributed under",
    "available under",
];

/// The licenses a notice names, as one expression: `A OR B` when it names several and says the
/// user may pick one ("dual-licensed under the Unlicense and MIT", "distributed under the
/// following three licenses: … at your option"), names in the order the notice gives them.
/// Otherwise a notice naming one GNU license gives it (with `-only` unless it says "or later");
/// and where `stated` (a README's license part) or the notice says it is licensed under what it
/// names, one name gives that license and several without a word of choice give `A AND B`.
fn named_licenses(path: &str, text: &str, stated: bool) -> Option<Detected> {
    // Notices are short: a long file that matched no license text is not read as one.
    if text.split_whitespace().nth(400).is_some() {
        return None;
    }
    let ids: Vec<String> = names_in(text).into_iter().map(|(_, id)| id).collect();
    let body = format!(" {} ", squash(text));
    let choice = ids.len() >= 2 && CHOICE.iter().any(|w| body.contains(&format!(" {w} ")));
    let gnu_alone = ids.len() == 1 && ids[0].contains("GPL-");
    let stated = stated || STATEMENT.iter().any(|w| body.contains(&format!(" {w} ")));
    let expression = if choice {
        ids.iter()
            .map(|i| if i.contains(' ') { format!("({i})") } else { i.clone() })
            .collect::<Vec<_>>()
            .join(" OR ")
    } else if gnu_alone || (stated && !ids.is_empty()) {
        expression::and_all(ids.iter().map(String::as_str))?
    } else {
        return None;
    };
    let n = normalize(&expression).filter(|n| n.resolved)?;
    Some(Detected {
        id: n.expression,
        confidence_permille: 1000,
        method: DetectionMethod::Reference,
        path: path.to_string(),
        lines: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        detect("LICENSE", text).into_iter().map(|d| d.id).collect()
    }

    #[test]
    fn notices_that_offer_a_choice_are_one_or_expression() {
        // rustls/rustls : README.md, "License" section.
        let rustls = "Rustls is distributed under the following three licenses:\n\n- Apache License version 2.0.\n- MIT license.\n- ISC license.\n\nThese are included as LICENSE-APACHE, LICENSE-MIT and LICENSE-ISC\nrespectively.  You may use this software under the terms of any\nof these licenses, at your option.\n";
        assert_eq!(ids(rustls), ["Apache-2.0 OR MIT OR ISC"]);
        // BurntSushi/ripgrep : COPYING
        let rg = "This project is dual-licensed under the Unlicense and MIT licenses.\n\nYou may use this code under the terms of either license.\n";
        assert_eq!(ids(rg), ["Unlicense OR MIT"]);
        // eclipse/mosquitto : README.md, "License" (the EDL-1.0 is SPDX's BSD-3-Clause).
        let paho = "This project is dual licensed under the Eclipse Public License 2.0 and the\nEclipse Distribution License 1.0 as described in the epl-v20 and edl-v10 files.\n";
        assert_eq!(ids(paho), ["EPL-2.0 OR BSD-3-Clause"]);
        // Without a word of choice, names are not joined into a choice.
        assert!(
            ids("This crate uses the MIT license and the ISC license for parts.")
                .iter()
                .all(|i| !i.contains(" OR "))
        );
    }

    #[test]
    fn version_2_only_is_not_or_later() {
        // openjdk/jdk : the GPL-2.0 file header (Sun Microsystems form, without the Classpath line).
        let only = "This code is free software; you can redistribute it and/or modify it\nunder the terms of the GNU General Public License version 2 only, as\npublished by the Free Software Foundation.\n\nThis code is distributed in the hope that it will be useful, but WITHOUT\nANY WARRANTY; without even the implied warranty of MERCHANTABILITY or\nFITNESS FOR A PARTICULAR PURPOSE.\n";
        assert_eq!(ids(only), ["GPL-2.0-only"]);
        // The GPL-2.0's own "How to Apply These Terms" notice.
        let later = "This program is free software; you can redistribute it and/or modify\nit under the terms of the GNU General Public License as published by\nthe Free Software Foundation; either version 2 of the License, or\n(at your option) any later version.\n";
        assert_eq!(ids(later), ["GPL-2.0-or-later"]);
    }

    #[test]
    fn a_gnu_text_under_an_only_preamble_is_only() {
        // git/git : COPYING, lines 2-4, then the GPL-2.0 text.
        let preamble = " Note that the only valid version of the GPL as far as this project\n is concerned is _this_ particular version of the license (ie v2, not\n v2.2 or v3.x or whatever), unless explicitly otherwise stated.\n\n";
        let gpl = spdx::license_id("GPL-2.0-only").expect("id").text();
        let ids: Vec<String> =
            detect("COPYING", &format!("{preamble}{gpl}")).into_iter().map(|d| d.id).collect();
        assert_eq!(ids, ["GPL-2.0-only"]);
    }

    #[test]
    fn cpythons_stack_is_python_2_0() {
        // The SPDX Python-2.0 text is CPython's stack; with a separator and another text after it,
        // as python/mypy's LICENSE has it, the parts found one by one are merged back.
        let python = spdx::license_id("Python-2.0").expect("id").text();
        let mit = spdx::license_id("MIT").expect("id").text();
        let text = format!("{mit}\n\n= = = = =\n\n{python}\n\n= = = = =\n\n");
        let mut ids: Vec<String> = detect("LICENSE", &text).into_iter().map(|d| d.id).collect();
        ids.sort();
        assert_eq!(ids, ["MIT", "Python-2.0"]);
    }

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
    fn a_variant_without_its_own_words_is_its_base() {
        let w = |s: &str| words(s);
        assert_eq!(
            insertions(&w("a b c d"), &w("a x b c y z d e")),
            [w("x"), w("y z"), w("e")],
            "runs the base has nothing for"
        );
        assert!(
            insertions(&w("a b c"), &w("a q c")).is_empty(),
            "a replaced word is wording, not an insertion"
        );
        let store = store().expect("store");
        let hp = spdx::license_id("BSD-3-Clause-HP").expect("id").text();
        let without = hp.replace("PATENT INFRINGEMENT; ", "");
        assert_ne!(without, hp);
        let base = base_instead(store, "BSD-3-Clause-HP", &without, &TextData::new(&without));
        assert_eq!(base.map(|b| b.0), Some("BSD-3-Clause"));
        assert_eq!(base_instead(store, "BSD-3-Clause-HP", hp, &TextData::new(hp)), None);
    }

    #[test]
    fn apache_without_its_appendix_is_apache_not_pixar() {
        // Many projects ship the Apache License 2.0 without its appendix: that is Apache-2.0;
        // Pixar needs the words its reworded trademark section adds.
        let apache = spdx::license_id("Apache-2.0").expect("id").text();
        let no_appendix = apache.split("APPENDIX").next().unwrap_or(apache);
        assert_eq!(ids(no_appendix), ["Apache-2.0"]);
        let pixar = spdx::license_id("Pixar").expect("id").text();
        assert_eq!(ids(pixar), ["Pixar"]);
    }

    #[test]
    fn compound_files_are_matched_notice_by_notice() {
        let isc = spdx::license_id("ISC").expect("id").text();
        let bsd2 = spdx::license_id("BSD-2-Clause").expect("id").text();
        let star = |t: &str| t.lines().map(|l| format!(" * {l}")).collect::<Vec<_>>().join("\n");
        let text = format!(
            "Parts of this software are under these licenses.\n\n1)\n  Some code is under ISC:\n\n{}\n\n\
             2)\n  Other code, by two authors, is under BSD:\n\n{}\n\n3)\n  The tables are placed in the public domain.\n",
            star(isc),
            star(bsd2)
        );
        let d = detect("LICENCE", &text);
        let ids: Vec<&str> = d.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["ISC", "BSD-2-Clause", PUBLIC_DOMAIN]);
        assert!(d.iter().all(|d| d.lines.is_some()));
    }

    #[test]
    fn every_reference_id_is_valid() {
        assert!(!references().is_empty());
        for (phrase, id) in references() {
            assert!(spdx::Expression::parse(id).is_ok(), "{phrase} -> {id}");
        }
    }
}

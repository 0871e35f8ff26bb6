//! Known texts without an SPDX id (`known_texts.toml`): recognised by their distinguishing lines
//! and reported as `LicenseRef-<name>`, so that a file holding one is not reported as holding no
//! license at all.

use serde::Deserialize;
use std::sync::OnceLock;

/// One known text.
#[derive(Debug, Deserialize)]
pub struct KnownText {
    /// `LicenseRef-…`.
    pub id: String,
    /// The text's own name.
    pub name: String,
    /// Where the text is published.
    pub source: String,
    /// Lines that, all present, identify the text.
    pub lines: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    text: Vec<KnownText>,
}

/// Every known text.
pub fn all() -> &'static [KnownText] {
    static ALL: OnceLock<Vec<KnownText>> = OnceLock::new();
    ALL.get_or_init(|| match toml::from_str::<File>(include_str!("known_texts.toml")) {
        Ok(f) => f.text,
        Err(e) => {
            tracing::error!(error = %e, "known_texts.toml does not parse; known non-SPDX texts will not be recognised");
            Vec::new()
        }
    })
}

/// The known text with this `LicenseRef-` id.
pub fn by_id(id: &str) -> Option<&'static KnownText> {
    all().iter().find(|k| k.id == id)
}

/// Lower case, every run of non-alphanumerics one space.
fn squash(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The known texts `text` holds, in the file's order.
pub fn find(text: &str) -> Vec<&'static KnownText> {
    let body = format!(" {} ", squash(text));
    let mut hits: Vec<(usize, &KnownText)> = all()
        .iter()
        .filter_map(|k| {
            let at: Option<Vec<usize>> =
                k.lines.iter().map(|l| body.find(&format!(" {} ", squash(l)))).collect();
            at.and_then(|a| a.into_iter().min()).map(|first| (first, k))
        })
        .collect();
    hits.sort_by_key(|(at, _)| *at);
    hits.into_iter().map(|(_, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_text_is_a_valid_license_ref() {
        assert!(!all().is_empty());
        for k in all() {
            assert!(k.id.starts_with("LicenseRef-"), "{}", k.id);
            assert!(spdx::Expression::parse(&k.id).is_ok(), "{} parses", k.id);
            assert!(!k.lines.is_empty() && k.source.starts_with("https://"), "{}", k.id);
        }
    }

    #[test]
    fn oasis_terms_are_recognised_and_a_mention_is_not() {
        // oasis-tcs/odata : LICENSE.md, lines 5-7.
        let odata = "Content in this GitHub code repository has been [contributed](https://www.oasis-open.org/policies-guidelines/ipr#def-contribution)\nby OASIS TC Members, and is governed by the OASIS policies, including the \n[Intellectual Property Rights (IPR) Policy](https://www.oasis-open.org/policies-guidelines/ipr),\n";
        assert_eq!(
            find(odata).iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
            ["LicenseRef-OASIS-IPR-Policy"]
        );
        assert!(find("This standard was written under the OASIS IPR Policy.").is_empty());
    }
}

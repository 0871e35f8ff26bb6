//! Maven versions, ordered as `org.apache.maven.artifact.versioning.ComparableVersion` does
//! (<https://maven.apache.org/pom.html#version-order-specification>):
//!
//! - the string is lower-cased and split into items at `.`, at `-` (which opens a nested list)
//!   and at every digit/letter transition (which also opens a nested list);
//! - an empty item is `0`; numbers compare numerically and after any qualifier;
//! - qualifiers order `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` <
//!   `""` = `ga` = `final` = `release` < `sp` < any other (those compared as text);
//!   `a1`/`b1`/`m1` mean alpha/beta/milestone when followed directly by a digit;
//! - trailing "null" items (`0`, `""`, empty lists) are dropped, so `1.0` = `1` and `1-ga` = `1`.
//!
//! This is Maven before MNG-7644 (the behaviour that generated osv-scalibr's 14 752 Maven
//! vectors). Maven 3.8.7+ reads `.X1` as `-X1` (`1.0.0.RC1` = `1-rc-1`), which flips some of
//! those vectors (e.g. `2.9.0-1` vs `2.9.0.RC1`); not adopted here yet.
//!
//! **Maven's order is not transitive**, and this one follows Maven:
//! `1.3.0` < `1.3.0-incubating` < `1.3.0.Beta12` < `1.3.0` (Maven 3.8.7 has such cycles too).
//! Pairwise comparisons (range checks) are exact; do not `sort` Maven versions with the standard
//! library, which may panic on such cycles.

use super::num::{Num, has_space_or_control};
use super::{Scheme, VersionError, ord_via_cmp};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Item {
    Int(Num),
    Str(String),
    List(Vec<Item>),
}

/// A Maven artifact version.
#[derive(Debug, Clone)]
pub struct MavenVersion(Vec<Item>);

impl MavenVersion {
    /// Parse a Maven version. Maven accepts any string; Cairn rejects empty strings, strings
    /// with whitespace or control characters, and absurd nesting (over 256
    /// `-` or digit/letter transitions, each of which opens a nested list).
    pub fn parse(s: &str) -> Result<MavenVersion, VersionError> {
        if s.is_empty() || has_space_or_control(s) {
            return Err(VersionError::unparsable(Scheme::Maven, s, "empty or has spaces"));
        }
        let lower = s.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        let depth = chars.iter().filter(|&&c| c == '-').count()
            + chars
                .windows(2)
                .filter(|w| matches!(w, [a, b] if a.is_ascii_digit() != b.is_ascii_digit() && !matches!(a, '.' | '-') && !matches!(b, '.' | '-')))
                .count();
        if depth > 256 {
            return Err(VersionError::unparsable(Scheme::Maven, s, "too many parts"));
        }
        Ok(MavenVersion(parse_items(&chars)))
    }
}

/// Build the item tree. Nested lists are kept as a stack of open lists; closing folds each
/// into its parent after normalising it, as Maven does at the end of parsing.
fn parse_items(chars: &[char]) -> Vec<Item> {
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    let text = |from: usize, to: usize| -> String {
        chars.get(from..to).map(|c| c.iter().collect()).unwrap_or_default()
    };
    let push = |stack: &mut Vec<Vec<Item>>, item: Item| {
        if let Some(top) = stack.last_mut() {
            top.push(item);
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            let item = if i == start {
                Item::Int(Num::zero())
            } else {
                parse_item(is_digit, &text(start, i), false)
            };
            push(&mut stack, item);
            start = i + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                push(&mut stack, parse_item(false, &text(start, i), true));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push(&mut stack, parse_item(true, &text(start, i), false));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if chars.len() > start {
        push(&mut stack, parse_item(is_digit, &text(start, chars.len()), false));
    }
    // Close every open list, innermost first: normalise, then append to its parent.
    loop {
        let Some(mut list) = stack.pop() else { return Vec::new() };
        normalize(&mut list);
        match stack.last_mut() {
            Some(parent) => parent.push(Item::List(list)),
            None => return list,
        }
    }
}

fn parse_item(is_digit: bool, text: &str, followed_by_digit: bool) -> Item {
    if is_digit {
        return Item::Int(Num::from_digits(text));
    }
    let text = match text {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        t => t,
    };
    Item::Str(text.to_owned())
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(n) => n.is_zero(),
        Item::Str(s) => s.is_empty(),
        Item::List(l) => l.is_empty(),
    }
}

/// Drop trailing null items, looking past nested lists (Maven 3.x `ListItem.normalize`).
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        match list.get(i) {
            Some(item) if is_null(item) => {
                list.remove(i);
            }
            Some(Item::List(_)) => {}
            _ => break,
        }
    }
}

/// The rank of a qualifier: known ones by position, unknown ones after all of them.
fn qualifier_rank(s: &str) -> (u8, &str) {
    match s {
        "alpha" => (0, ""),
        "beta" => (1, ""),
        "milestone" => (2, ""),
        "rc" => (3, ""),
        "snapshot" => (4, ""),
        "" => (5, ""),
        "sp" => (6, ""),
        other => (7, other),
    }
}

/// Compare an item with an absent one (the other version ran out of items).
fn cmp_to_none(item: &Item) -> Ordering {
    match item {
        Item::Int(n) => {
            if n.is_zero() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(s) => qualifier_rank(s).cmp(&qualifier_rank("")),
        Item::List(l) => l.iter().map(cmp_to_none).find(|o| o.is_ne()).unwrap_or(Ordering::Equal),
    }
}

fn cmp_item(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Int(x), Item::Int(y)) => x.cmp(y),
        (Item::Int(_), _) => Ordering::Greater,
        (Item::Str(_), Item::Int(_)) => Ordering::Less,
        (Item::Str(x), Item::Str(y)) => qualifier_rank(x).cmp(&qualifier_rank(y)),
        (Item::Str(_), Item::List(_)) => Ordering::Less,
        (Item::List(_), Item::Int(_)) => Ordering::Less,
        (Item::List(_), Item::Str(_)) => Ordering::Greater,
        (Item::List(x), Item::List(y)) => cmp_lists(x, y),
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let mut ai = a.iter();
    let mut bi = b.iter();
    loop {
        let o = match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (Some(x), None) => cmp_to_none(x),
            (None, Some(y)) => cmp_to_none(y).reverse(),
            (Some(x), Some(y)) => cmp_item(x, y),
        };
        if o.is_ne() {
            return o;
        }
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.0, &other.0)
    }
}
ord_via_cmp!(MavenVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> MavenVersion {
        match MavenVersion::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn documented_order() {
        // From the POM reference's version order specification.
        assert_eq!(m("1"), m("1.0"));
        assert_eq!(m("1"), m("1.0.0"));
        assert_eq!(m("1-ga"), m("1"));
        assert_eq!(m("1-final"), m("1"));
        assert_eq!(m("1-release"), m("1"));
        assert_eq!(m("1-cr1"), m("1-rc1"));
        assert_eq!(m("1a1"), m("1-alpha-1"));
        assert!(m("1-alpha") < m("1-beta"));
        assert!(m("1-beta") < m("1-milestone"));
        assert!(m("1-milestone") < m("1-rc"));
        assert!(m("1-rc") < m("1-snapshot"));
        assert!(m("1-snapshot") < m("1"));
        assert!(m("1") < m("1-sp"));
        assert!(m("1-sp") < m("1-abc"));
        assert!(m("1-abc") < m("1-xyz"));
        assert!(m("1-xyz") < m("1-1"));
        assert!(m("1-1") < m("1.1"));
        assert!(m("1.0.0-SNAPSHOT") < m("1.0.0"));
        assert_eq!(m("1.0.0.RELEASE"), m("1.0.0"));
    }

    #[test]
    fn reproduces_mavens_own_cycle() {
        assert!(m("1.3.0") < m("1.3.0-incubating"));
        assert!(m("1.3.0-incubating") < m("1.3.0.Beta12"));
        assert!(m("1.3.0.Beta12") < m("1.3.0"));
    }

    #[test]
    fn rejects_empty_and_spaces() {
        assert!(MavenVersion::parse("").is_err());
        assert!(MavenVersion::parse("1 .0").is_err());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let s = "1-".repeat(200);
        assert!(MavenVersion::parse(&s).is_ok());
        let s = "1-".repeat(300);
        assert!(MavenVersion::parse(&s).is_err());
    }
}

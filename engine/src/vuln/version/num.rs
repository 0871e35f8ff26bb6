//! Arbitrary-size non-negative integers from ASCII digits, compared without overflow.

use std::cmp::Ordering;

/// A non-negative integer of any size: its decimal digits with leading zeros removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(crate) struct Num(String);

impl Num {
    /// Zero.
    pub(crate) fn zero() -> Num {
        Num(String::new())
    }

    /// From a run of ASCII digits (the caller checked); leading zeros are dropped.
    pub(crate) fn from_digits(digits: &str) -> Num {
        Num(digits.trim_start_matches('0').to_owned())
    }

    /// Whether this is zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Whether `s` is a non-empty run of ASCII digits.
pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` has any whitespace or control character, which no scheme accepts.
pub(crate) fn has_space_or_control(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_value_not_text() {
        assert!(Num::from_digits("9") < Num::from_digits("10"));
        assert_eq!(Num::from_digits("007"), Num::from_digits("7"));
        assert_eq!(Num::from_digits("000"), Num::zero());
        assert!(
            Num::from_digits("999999999999999999999999999991")
                < Num::from_digits("999999999999999999999999999999")
        );
    }
}

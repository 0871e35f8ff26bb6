//! A triage decision's state: what a person (or a VEX document) says about one vulnerability in one
//! component.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A triage decision's state. CycloneDX `analysis.state` spellings; OpenVEX maps `in_triage` to
/// `under_investigation` and `false_positive` to `not_affected`. A finding nobody triaged has no
/// state (`Option::None`), which the findings filter and the policy spell `untriaged`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub enum TriageState {
    /// Someone is looking at it.
    InTriage,
    /// The component is affected; action is needed.
    Affected,
    /// The component is not affected; a justification says why.
    NotAffected,
    /// Fixed in this component.
    Fixed,
    /// The match is wrong (the advisory does not apply to this component at all).
    FalsePositive,
}

impl TriageState {
    /// Every state, in the order a picker shows them.
    pub const ALL: [TriageState; 5] = [
        TriageState::InTriage,
        TriageState::Affected,
        TriageState::NotAffected,
        TriageState::Fixed,
        TriageState::FalsePositive,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TriageState::InTriage => "in_triage",
            TriageState::Affected => "affected",
            TriageState::NotAffected => "not_affected",
            TriageState::Fixed => "fixed",
            TriageState::FalsePositive => "false_positive",
        }
    }

    /// True when the decision settles the finding (nothing to do): not affected, fixed, or a
    /// false positive.
    pub fn settles(self) -> bool {
        matches!(self, TriageState::NotAffected | TriageState::Fixed | TriageState::FalsePositive)
    }
}

impl fmt::Display for TriageState {
    /// The wire spelling, honouring width and alignment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for TriageState {
    type Err = UnknownTriageState;

    /// The wire spelling of [`TriageState::as_str`], exactly.
    fn from_str(s: &str) -> Result<TriageState, UnknownTriageState> {
        TriageState::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownTriageState(s.to_owned()))
    }
}

/// A word that is not a [`TriageState`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTriageState(pub String);

impl fmt::Display for UnknownTriageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown triage state `{}` (in_triage, affected, not_affected, fixed, false_positive)",
            self.0
        )
    }
}

impl std::error::Error for UnknownTriageState {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_for_serde_display_and_from_str() {
        for s in TriageState::ALL {
            let json = serde_json::to_string(&s).expect("serializes");
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<TriageState>(&json).expect("deserializes"), s);
            assert_eq!(s.to_string().parse::<TriageState>(), Ok(s));
        }
        assert!("untriaged".parse::<TriageState>().is_err());
    }
}

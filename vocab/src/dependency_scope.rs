//! How a package is needed by the project that depends on it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a package is needed by the project. Ordered from strongest to weakest, so merging the
/// declarations of one package keeps the minimum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum DependencyScope {
    /// Needed at run time.
    #[default]
    Required,
    /// Needed only when an optional feature or platform is used.
    Optional,
    /// Needed only to develop or build the project.
    Dev,
    /// Needed only by tests.
    Test,
}

impl DependencyScope {
    /// Every scope, strongest first.
    pub const ALL: [DependencyScope; 4] =
        [DependencyScope::Required, DependencyScope::Optional, DependencyScope::Dev, DependencyScope::Test];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyScope::Required => "required",
            DependencyScope::Optional => "optional",
            DependencyScope::Dev => "dev",
            DependencyScope::Test => "test",
        }
    }
}

impl fmt::Display for DependencyScope {
    /// The wire spelling, honouring width and alignment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for DependencyScope {
    type Err = UnknownDependencyScope;

    /// The wire spelling of [`DependencyScope::as_str`], exactly.
    fn from_str(s: &str) -> Result<DependencyScope, UnknownDependencyScope> {
        DependencyScope::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownDependencyScope(s.to_owned()))
    }
}

/// A word that is not a [`DependencyScope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDependencyScope(pub String);

impl fmt::Display for UnknownDependencyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a dependency scope (one of required, optional, dev, test)", self.0)
    }
}

impl std::error::Error for UnknownDependencyScope {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_for_serde_display_and_from_str() {
        for s in DependencyScope::ALL {
            let json = serde_json::to_string(&s).expect("serializes");
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<DependencyScope>(&json).expect("deserializes"), s);
            assert_eq!(s.to_string().parse::<DependencyScope>(), Ok(s));
        }
        assert!("Dev".parse::<DependencyScope>().is_err());
        assert!(DependencyScope::Required < DependencyScope::Test);
    }
}

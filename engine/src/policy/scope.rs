//! Where a rule applies: which projects (by name or tag) and which ecosystems.

use crate::inventory::{Ecosystem, Scope};
use serde::{Deserialize, Serialize};

/// A rule's optional scope. Empty lists mean "every": a rule without a scope applies everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleScope {
    /// Project names the rule applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<String>,
    /// Project tags the rule applies to (a project named in `projects` or carrying one of these).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Ecosystems whose findings and components the rule looks at (crypto and data rules have no
    /// ecosystem and ignore this).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ecosystems: Vec<Ecosystem>,
}

/// The project a gate is evaluated for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFacts {
    /// Its name (offline: the scanned directory's, or `--project-name`).
    pub name: String,
    /// Its tags (none offline).
    #[serde(default)]
    pub tags: Vec<String>,
}

impl RuleScope {
    /// Whether the rule applies to `project` at all.
    pub fn covers_project(&self, project: &ProjectFacts) -> bool {
        (self.projects.is_empty() && self.tags.is_empty())
            || self.projects.contains(&project.name)
            || self.tags.iter().any(|t| project.tags.contains(t))
    }

    /// Whether the rule looks at a subject of `ecosystem`.
    pub fn covers_ecosystem(&self, ecosystem: Ecosystem) -> bool {
        self.ecosystems.is_empty() || self.ecosystems.contains(&ecosystem)
    }
}

/// How a dependency is used, as a license rule asks: shipped (`runtime`: required and optional
/// dependencies) or only for building and testing (`dev`: dev and test dependencies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Usage {
    /// Required and optional dependencies.
    Runtime,
    /// Dev and test dependencies.
    Dev,
}

impl Usage {
    /// The usage of a dependency of `scope`.
    pub fn of(scope: Scope) -> Usage {
        match scope {
            Scope::Required | Scope::Optional => Usage::Runtime,
            Scope::Dev | Scope::Test => Usage::Dev,
        }
    }
}

//! A project's licenses, obligations and NOTICE (`/projects/{id}/licenses`, `/obligations`,
//! `/notice`), read from its latest completed scan: third-party components (not the project's own
//! code) grouped by concluded license expression or by the obligation their licenses ask.

use serde::{Deserialize, Serialize};

use super::ScanId;

/// A license category, from least to most demanding (the engine's obligations catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LicenseCategory {
    /// No conditions (CC0, Unlicense, 0BSD).
    PublicDomain,
    /// Attribution and license text (MIT, BSD, Apache-2.0).
    Permissive,
    /// File-level copyleft (MPL, LGPL, EPL).
    WeakCopyleft,
    /// Work-level copyleft (GPL).
    StrongCopyleft,
    /// Copyleft triggered by network use (AGPL).
    NetworkCopyleft,
    /// Stated to be proprietary or commercial.
    Proprietary,
    /// A license is stated but what it asks is not known (an unlisted `LicenseRef-`).
    Unknown,
    /// A word a newer daemon sends that this SDK does not know.
    #[serde(other)]
    Unrecognized,
}

/// What a license asks of whoever ships the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Obligation {
    /// Keep copyright notices and credit the authors.
    Attribution,
    /// Ship the license text.
    IncludeLicenseText,
    /// Mark modified files.
    StateChanges,
    /// Offer the source.
    DiscloseSource,
    /// Derived work or modified files keep the license.
    SameLicense,
    /// Network use triggers the duties too.
    NetworkUse,
    /// The license grants a patent licence.
    PatentGrant,
    /// The patent licence ends on patent litigation.
    PatentTermination,
    /// A word a newer daemon sends that this SDK does not know.
    #[serde(other)]
    Unrecognized,
}

/// A component in a license or obligation group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicensedComponent {
    /// Package URL.
    pub purl: String,
    /// Ecosystem (purl type: `cargo`, `npm`, `pypi`, …).
    pub ecosystem: String,
    /// Name in the ecosystem's form.
    pub name: String,
    /// Version (empty when only a requirement was known).
    pub version: String,
}

/// The components under one concluded license expression, or without a conclusion for one
/// reason (`expression`, `category` absent and `not_determined` saying why: not determined is
/// not a category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectLicense {
    /// The scan read (the project's latest completed scan).
    pub scan_id: ScanId,
    /// The concluded SPDX expression.
    pub expression: Option<String>,
    /// Its license ids.
    pub ids: Vec<String>,
    /// The most demanding category of those ids (every alternative of an `OR` counts).
    pub category: Option<LicenseCategory>,
    /// Why no license was concluded for these components.
    pub not_determined: Option<String>,
    /// How many components.
    pub components_total: u64,
    /// The first components in purl order, at most `components_limit` (all of them:
    /// `/projects/{id}/components?license=`).
    pub components: Vec<LicensedComponent>,
}

/// One obligation and the components whose licenses ask it. Components whose license is not
/// determined are in no group (see `/projects/{id}/licenses`): nothing is assumed about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectObligation {
    /// The scan read (the project's latest completed scan).
    pub scan_id: ScanId,
    /// The obligation.
    pub obligation: Obligation,
    /// The license ids that ask it.
    pub licenses: Vec<String>,
    /// How many components.
    pub components_total: u64,
    /// The first components in purl order, at most `components_limit`.
    pub components: Vec<LicensedComponent>,
}

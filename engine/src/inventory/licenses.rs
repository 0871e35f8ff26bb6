//! License facts in the inventory: what a file declares, what license texts say, and what Cairn concludes.

use super::Location;
use crate::license::obligations::Obligations;
use serde::{Deserialize, Serialize};

/// A license as one manifest or lockfile states it, verbatim, before normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeclaredLicense {
    /// The text as written (`"MIT"`, `"Apache 2.0"`, a Python classifier, a POM `<name>`).
    pub raw: String,
    /// The file (and line) that states it.
    pub location: Location,
}

/// A declared license after normalisation to an SPDX expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Declared {
    /// A valid SPDX expression; spellings that do not resolve are `LicenseRef-…` terms.
    pub expression: String,
    /// The text as written.
    pub raw: String,
    /// Where it is written.
    pub location: Location,
}

/// How a detected license was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectionMethod {
    /// An `SPDX-License-Identifier:` line.
    SpdxHeader,
    /// The file's text matched a license text of the SPDX list.
    Text,
    /// A short notice names the license (see `license/references.toml`).
    Reference,
}

/// A license found in a license file of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Detected {
    /// SPDX license id (or `LicenseRef-…` / a full expression for SPDX headers).
    pub id: String,
    /// How sure the match is, in thousandths (1000 = the text is identical after normalisation).
    pub confidence_permille: u16,
    /// How it was found.
    pub method: DetectionMethod,
    /// The license file (or, for the project, its README), relative to the scan root.
    pub path: String,
    /// 1-based first and last line of the matched text, when only part of the file matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<(u32, u32)>,
}

/// Where a concluded license comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConcludedFrom {
    /// The declared licenses (every declaration, joined with AND).
    Declared,
    /// The licenses detected in the package's license files (joined with AND), or, without any,
    /// its `SPDX-License-Identifier` lines (every distinct expression, joined with AND).
    Detected,
}

/// Cairn's conclusion for a component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Concluded {
    /// A valid SPDX expression.
    pub expression: String,
    /// Which evidence it rests on.
    pub from: ConcludedFrom,
}

/// License categories, from least to most demanding; see `license/obligations.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
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
    /// Stated to be proprietary or commercial (`LicenseRef-proprietary`).
    Proprietary,
    /// A license is stated but Cairn does not know what it asks (an unlisted `LicenseRef-`).
    /// A component with no license found has no category at all: see [`Licenses::not_determined`].
    Unknown,
}

impl Category {
    /// The name the report and the catalogue use (`weak-copyleft`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PublicDomain => "public-domain",
            Category::Permissive => "permissive",
            Category::WeakCopyleft => "weak-copyleft",
            Category::StrongCopyleft => "strong-copyleft",
            Category::NetworkCopyleft => "network-copyleft",
            Category::Proprietary => "proprietary",
            Category::Unknown => "unknown",
        }
    }
}

/// Everything known about one component's (or the project's) licenses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licenses {
    /// Declared in manifests and lockfiles, sorted, without repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared: Vec<Declared>,
    /// Found in license files (the project's: or its README's license section, when no root
    /// license file answered), sorted, without repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detected: Vec<Detected>,
    /// `SPDX-License-Identifier:` lines in its source files (the project's: outside dependency
    /// directories), one per line, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Detected>,
    /// The conclusion: declared when any declaration exists, else what license files hold, else
    /// what header lines say; absent with none of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concluded: Option<Concluded>,
    /// Every license id of the conclusion, sorted: the license gate's input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// The categories of those ids, sorted, without repeats: the license gate's other input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// What shipping it asks, from the obligations catalogue: every obligation of every id of the
    /// conclusion (absent without a conclusion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obligations: Option<Obligations>,
    /// Why there is no conclusion (for a component: what was looked at and found silent), absent
    /// when there is one. Not determined is not a category: nothing is assumed about the license.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_determined: Option<String>,
}

impl Licenses {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.declared.is_empty()
            && self.detected.is_empty()
            && self.headers.is_empty()
            && self.concluded.is_none()
            && self.not_determined.is_none()
    }
}

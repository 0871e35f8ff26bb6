//! A product's regulatory profile: the fields the EU Cyber Resilience Act asks a manufacturer to
//! state (category, support period, security contact, vulnerability handling policy, conformity
//! assessment route), kept on the project that is the product.

use serde::{Deserialize, Serialize};

/// The CRA's product classes (Art. 7, 8 and Annexes III, IV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CraCategory {
    /// Neither important nor critical: self-assessment suffices.
    Default,
    /// Important product, class I (Annex III).
    ImportantClassI,
    /// Important product, class II (Annex III).
    ImportantClassIi,
    /// Critical product (Annex IV).
    Critical,
}

/// How conformity is assessed (CRA Art. 32 and Annex VIII).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConformityRoute {
    /// Module A: internal control (self-assessment).
    ModuleA,
    /// Modules B and C: EU-type examination, then conformity to type.
    ModuleBC,
    /// Module H: full quality assurance.
    ModuleH,
    /// A European cybersecurity certification scheme (EUCC).
    Eucc,
}

/// The product fields of a project; each absent until someone states it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductProfile {
    /// The CRA class.
    #[serde(default)]
    pub category: Option<CraCategory>,
    /// The support period the manufacturer declares, in months (1–600).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 600))]
    pub support_period_months: Option<u32>,
    /// Where vulnerabilities are reported: an e-mail address or an `https://` URL (1–320
    /// characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 320))]
    pub security_contact: Option<String>,
    /// The coordinated vulnerability disclosure policy: an `https://` URL or the text itself
    /// (1–20000 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20000))]
    pub vulnerability_policy: Option<String>,
    /// The conformity assessment route.
    #[serde(default)]
    pub conformity_route: Option<ConformityRoute>,
}

impl ProductProfile {
    /// True when nothing is stated.
    pub fn is_empty(&self) -> bool {
        *self == ProductProfile::default()
    }
}

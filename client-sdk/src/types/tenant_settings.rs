//! A tenant's settings (`GET`/`PUT /tenant/settings`): the triage SLA the CRA checklist and the
//! controls judge findings against.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use super::Severity;
use super::time_fmt::rfc3339_opt;

/// Days a finding may stay untriaged, per severity; a severity without a value has no deadline.
/// Each is a whole number however JSON writes it (`384` or `384.0`: JSON Schema's `integer`, what
/// the OpenAPI document promises).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TriageSla {
    /// Critical findings (1–3650 days).
    #[serde(default, deserialize_with = "whole_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub critical: Option<u32>,
    /// High findings.
    #[serde(default, deserialize_with = "whole_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub high: Option<u32>,
    /// Medium findings.
    #[serde(default, deserialize_with = "whole_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub medium: Option<u32>,
    /// Low findings.
    #[serde(default, deserialize_with = "whole_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub low: Option<u32>,
    /// Findings rated `none` or `unknown`.
    #[serde(default, deserialize_with = "whole_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub other: Option<u32>,
}

/// A whole number of days: an integer, or a number whose fraction is zero (`384.0`).
fn whole_days<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    let Some(days) = Option::<f64>::deserialize(d)? else { return Ok(None) };
    if days.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&days) {
        return Err(D::Error::custom(format!("expected a whole number of days, got {days}")));
    }
    // Whole and within u32: the cast is exact.
    Ok(Some(days as u32))
}

impl TriageSla {
    /// The days allowed for a finding of `severity`, when the SLA names them.
    pub fn days_for(&self, severity: Severity) -> Option<u32> {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::None | Severity::Unknown => self.other,
        }
    }

    /// True when no severity has a deadline.
    pub fn is_empty(&self) -> bool {
        *self == TriageSla::default()
    }
}

/// The tenant's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantSettings {
    /// The triage SLA; absent until an admin sets one.
    pub triage_sla: Option<TriageSla>,
    /// Row version (`ETag`; `PUT` takes it as `If-Match`); 0 before the first change.
    pub version: i64,
    /// Last changed; absent before the first change.
    #[serde(with = "rfc3339_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<OffsetDateTime>,
}

/// `PUT /tenant/settings` (needs `If-Match`): the whole settings object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantSettings {
    /// The triage SLA; `null` removes it.
    #[serde(default)]
    pub triage_sla: Option<TriageSla>,
}

#[cfg(test)]
mod tests {
    use super::TriageSla;

    #[test]
    fn days_are_whole_numbers_however_written() {
        let sla: TriageSla =
            serde_json::from_str(r#"{"critical": 7, "high": 384.0, "low": null}"#).expect("whole");
        assert_eq!((sla.critical, sla.high, sla.medium, sla.low), (Some(7), Some(384), None, None));
        for bad in [r#"{"high": 1.5}"#, r#"{"high": -3}"#, r#"{"high": "7"}"#, r#"{"high": 1e20}"#] {
            assert!(serde_json::from_str::<TriageSla>(bad).is_err(), "{bad}");
        }
    }
}

//! The wire words of every enum as `Display` and `FromStr` (the same spelling serde uses), and
//! [`refuse_unknown`], which a request field uses so a word this crate does not know is refused
//! with a field error instead of decoding to an enum's `Unknown` variant.
//!
//! The rule: an enum the daemon only ever sends is `#[non_exhaustive]` with an `Unknown` variant
//! (`#[serde(other)]`), so a newer daemon's word never breaks an older client's decoding; where
//! such an enum is also read from a request or a query, that field is declared with
//! `deserialize_with = "refuse_unknown"`.

use serde::{Deserialize, Deserializer};

use super::{
    ApiKeyEnvironment, BomFormat, CbomBomFormat, CbomStatus, EventKind, FeatureRequestKind,
    FeatureRequestStatus, GapReason, Justification, ProjectKind, ReleaseState, Role, ScanStatus, TenantKind,
    TriageResponse, TriageState, VulnDataState, WarningKind,
};

impl ApiKeyEnvironment {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeyEnvironment::Live => "live",
            ApiKeyEnvironment::Test => "test",
        }
    }
}

impl CbomBomFormat {
    /// The query name.
    pub fn as_str(self) -> &'static str {
        match self {
            CbomBomFormat::Cyclonedx => "cyclonedx",
            CbomBomFormat::Spdx => "spdx",
        }
    }
}

impl VulnDataState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            VulnDataState::None => "none",
            VulnDataState::Fresh => "fresh",
            VulnDataState::Stale => "stale",
            VulnDataState::Unknown => "unknown",
        }
    }
}

impl GapReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::NoAdvisories => "no_advisories",
            GapReason::NotRegistry => "not_registry",
            GapReason::NoVersion => "no_version",
            GapReason::NoRelease => "no_release",
            GapReason::NoMatcher => "no_matcher",
            GapReason::Other => "other",
        }
    }
}

/// A word that is not one of an enum's wire spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    /// What was being parsed (`scan status`).
    pub kind: &'static str,
    /// The word given.
    pub word: String,
    /// The spellings accepted.
    pub expected: Vec<&'static str>,
}

impl std::fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} `{}` (expected one of: {})", self.kind, self.word, self.expected.join(", "))
    }
}

impl std::error::Error for UnknownWord {}

/// An enum with wire spellings.
pub trait WireWord: Copy + Sized + 'static {
    /// What the word names, for messages (`scan status`).
    const KIND: &'static str;
    /// Every known value (never an `Unknown` variant).
    fn known() -> &'static [Self];
    /// The wire spelling.
    fn word(self) -> &'static str;
    /// Whether this is the `Unknown` variant of an enum that has one.
    fn is_unknown(self) -> bool {
        false
    }
    /// The value spelled `s`, if it is a known one.
    fn from_word(s: &str) -> Result<Self, UnknownWord> {
        Self::known().iter().copied().find(|v| v.word() == s).ok_or_else(|| UnknownWord {
            kind: Self::KIND,
            word: s.to_owned(),
            expected: Self::known().iter().map(|v| v.word()).collect(),
        })
    }
}

/// `deserialize_with` for an optional request or query field: a word that decodes to the enum's
/// `Unknown` variant is an error naming the accepted words.
pub fn refuse_unknown<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: WireWord + Deserialize<'de>,
{
    let word = Option::<String>::deserialize(d)?;
    word.map(|w| T::from_word(&w).map_err(serde::de::Error::custom)).transpose()
}

macro_rules! wire_words {
    ($($ty:ident: $kind:literal => [$($v:ident),+ $(,)?] $(unknown $u:ident)?;)+) => {$(
        impl WireWord for $ty {
            const KIND: &'static str = $kind;
            fn known() -> &'static [Self] {
                &[$($ty::$v),+]
            }
            fn word(self) -> &'static str {
                self.as_str()
            }
            $(fn is_unknown(self) -> bool {
                self == $ty::$u
            })?
        }
    )+};
}

/// `Display` as the wire word and `FromStr` refusing unknown words.
macro_rules! display_from_str {
    ($($ty:ident),+ $(,)?) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                <$ty as WireWord>::from_word(s)
            }
        }
    )+};
}

/// `Display` only: these keep their own `FromStr`.
macro_rules! display {
    ($($ty:ident),+ $(,)?) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

wire_words! {
    ScanStatus: "scan status" => [Queued, Fetching, Scanning, Matching, Evaluating, Completed, Failed, Cancelled]
        unknown Unknown;
    ProjectKind: "project kind" => [Repo, Image, Product];
    ReleaseState: "release state" => [Draft, Released, EndOfLife];
    BomFormat: "document format" => [CycloneDx, CycloneDx15, CycloneDx17, Spdx, Spdx23, OpenVex, Sarif, Cbom];
    Role: "role" => [Owner, Admin, Member, Viewer];
    ApiKeyEnvironment: "key environment" => [Live, Test];
    TenantKind: "tenant kind" => [Personal, Organization] unknown Unknown;
    CbomStatus: "status" => [Queued, Downloading, Scanning, Completed, Failed] unknown Unknown;
    CbomBomFormat: "document format" => [Cyclonedx, Spdx];
    VulnDataState: "vulnerability data state" => [None, Fresh, Stale] unknown Unknown;
    GapReason: "coverage gap reason" => [NoAdvisories, NotRegistry, NoVersion] unknown Other;
    WarningKind: "warning kind" => [Unmaintained, Unsound, Notice] unknown Other;
    TriageState: "triage state" => [InTriage, Affected, NotAffected, Fixed, FalsePositive];
    Justification: "justification" => [
        ComponentNotPresent,
        VulnerableCodeNotPresent,
        VulnerableCodeNotInExecutePath,
        VulnerableCodeCannotBeControlledByAdversary,
        InlineMitigationsAlreadyExist,
    ];
    TriageResponse: "response" => [CanNotFix, WillNotFix, Update, Rollback, WorkaroundAvailable];
    EventKind: "event kind" => [
        ScanCompleted,
        ScanFailed,
        FindingNew,
        FindingResolved,
        FindingTriaged,
        GateFailed,
        CveWatchHit,
        VulndbUpdated,
        ApprovalChanged,
        WebhookUnhealthy,
    ] unknown Unknown;
    FeatureRequestKind: "feature request kind" => [Feature, Package, Bug];
    FeatureRequestStatus: "feature request status" => [Open, Planned, InProgress, Done, Declined];
}

display_from_str!(
    ScanStatus,
    ProjectKind,
    ReleaseState,
    BomFormat,
    Role,
    ApiKeyEnvironment,
    TenantKind,
    CbomStatus,
    CbomBomFormat,
    VulnDataState,
    GapReason,
    FeatureRequestKind,
    FeatureRequestStatus
);
display!(Justification, TriageResponse, EventKind);

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    /// Display, FromStr and serde agree on every known word, and `Unknown` is never parsed.
    fn round_trips<T>()
    where
        T: WireWord
            + std::fmt::Display
            + serde::Serialize
            + serde::de::DeserializeOwned
            + PartialEq
            + std::fmt::Debug,
    {
        for v in T::known() {
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(v.to_string()), "{v:?}");
            assert_eq!(T::from_word(&v.to_string()).unwrap(), *v);
            assert!(!v.is_unknown());
        }
        let e = T::from_word("no-such-word").unwrap_err();
        assert!(e.to_string().contains("no-such-word") && e.to_string().contains(T::KIND), "{e}");
    }

    #[test]
    fn every_enum_says_and_reads_its_wire_words() {
        round_trips::<ScanStatus>();
        round_trips::<ProjectKind>();
        round_trips::<ReleaseState>();
        round_trips::<BomFormat>();
        round_trips::<Role>();
        round_trips::<ApiKeyEnvironment>();
        round_trips::<TenantKind>();
        round_trips::<CbomStatus>();
        round_trips::<CbomBomFormat>();
        round_trips::<VulnDataState>();
        round_trips::<GapReason>();
        round_trips::<WarningKind>();
        round_trips::<TriageState>();
        round_trips::<Justification>();
        round_trips::<TriageResponse>();
        round_trips::<FeatureRequestKind>();
        round_trips::<FeatureRequestStatus>();
        assert_eq!("completed".parse::<ScanStatus>().unwrap(), ScanStatus::Completed);
        assert!("unknown".parse::<ScanStatus>().is_err(), "Unknown is decoded, never parsed");
    }

    #[test]
    fn a_new_server_word_decodes_to_unknown() {
        let s: ScanStatus = serde_json::from_str(r#""archived""#).unwrap();
        assert_eq!(s, ScanStatus::Unknown);
        assert!(!s.is_terminal());
        let v: VulnDataState = serde_json::from_str(r#""partial""#).unwrap();
        assert!(v.is_unknown());
        let c: CbomStatus = serde_json::from_str(r#""paused""#).unwrap();
        assert!(c.is_unknown() && !c.is_terminal());
        let t: TenantKind = serde_json::from_str(r#""enterprise""#).unwrap();
        assert!(t.is_unknown());
    }

    #[test]
    fn a_request_field_refuses_what_a_response_tolerates() {
        #[derive(Debug, serde::Deserialize)]
        struct Query {
            #[serde(default, deserialize_with = "refuse_unknown")]
            status: Option<ScanStatus>,
        }
        let q: Query = serde_json::from_str(r#"{"status":"queued"}"#).unwrap();
        assert_eq!(q.status, Some(ScanStatus::Queued));
        let q: Query = serde_json::from_str("{}").unwrap();
        assert_eq!(q.status, None);
        let e = serde_json::from_str::<Query>(r#"{"status":"archived"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown scan status `archived`"), "{e}");
    }
}

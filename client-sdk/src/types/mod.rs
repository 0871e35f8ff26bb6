//! Wire types of the Cairn API (v1): ids, problems, list envelopes and one module per resource.

mod admin;
mod advisories;
mod api_keys;
mod audit;
mod auth;
mod cbom_compat;
mod comparison;
mod component_usage;
mod coverage;
mod events;
mod findings;
mod gate;
mod git_credentials;
mod health;
mod history;
mod ids;
mod notification_prefs;
mod notifications;
mod oauth;
mod page;
mod problem;
mod projects;
mod requests;
mod roles;
mod scans;
mod time_fmt;
mod triage_rules;
mod versions;
mod vex_imports;
mod vulndb;
mod warnings;
mod webhooks;
mod words;

/// Cairn's domain words (cairn-vocab), re-exported so SDK users see one path.
pub use cairn_vocab::{
    DependencyScope, Severity, SourceKind, UnknownDependencyScope, UnknownSeverity, UnknownSourceKind,
};

pub use admin::{
    AddTeamMember, CreateTeam, PasswordResetIssued, Team, TeamMember, UpdateTeam, UpdateUserRole, UserAdmin,
};
pub use advisories::{AdvisoryDetail, AdvisorySummary, AffectedProject};
pub use api_keys::{ApiKey, ApiKeyEnvironment, CreateApiKey, CreatedApiKey, Scope};
pub use audit::{AuditEntry, AuditVerification, OutboxMessage};
pub use auth::{
    CreateInvite, CreatedInvite, ForgotPasswordRequest, LoginRequest, LogoutRequest, Me, RefreshRequest,
    RegisterRequest, ResetPasswordRequest, TenantMembership, TokenResponse, User,
};
pub use cbom_compat::{
    CBOM_DEFAULT_PROJECT_VERSION, CbomBomFormat, CbomDemoRequest, CbomDetailTruncated, CbomHealth, CbomScan,
    CbomScanCreated, CbomScanDetail, CbomScanList, CbomScanRequest, CbomStatus, TenantKind,
};
pub use comparison::{
    ComparedComponent, ComparedFindingStatus, Comparison, ComparisonSection, ComparisonSummary,
    ComponentChanges, CryptoChange, CryptoChanges, FindingChange, FindingChanges, LicenseChange,
    LicenseChanges, NotCompared, ReadinessDelta, ScanComparison, VersionChange, VersionDirection,
};
pub use component_usage::{ComponentUsage, FileLine};
pub use coverage::{CoverageGap, EcosystemCoverage, GapReason};
pub use events::{
    EVENT_ENVELOPE_VERSION, Event, EventFeed, EventKind, FindingEventData, ScanEventData, VulndbUpdatedData,
};
pub use findings::{Finding, Justification, Triage, TriageResponse, TriageSource, TriageState, TriageUpdate};
pub use gate::{
    GateNotEvaluated, GatePolicy, GateResult, GateStatus, GateSubject, GateViolation, GateWaived,
    PolicyAction,
};
pub use git_credentials::{CreateGitCredential, GitCredential, GitCredentialKind};
pub use health::{Health, SpecVersions};
pub use history::{HistoryPoint, ScanHistory};
pub use ids::{
    ApiKeyId, EventId, GitCredentialId, InviteId, NotificationId, OAuthIdentityId, ProjectId, ScanId, TeamId,
    TenantId, TriageRuleId, UserId, VersionId, VexImportId, WebhookDeliveryId, WebhookId,
};
pub use notification_prefs::{ChannelPrefs, NotificationPrefs};
pub use notifications::{Notification, NotificationPage, UnreadCount};
pub use oauth::OAuthIdentity;
pub use page::Page;
pub use problem::{FieldError, Problem, ProblemType};
pub use projects::{CreateProject, Project, ProjectKind, ProjectRisk, UpdateProject};
pub use roles::Role;
pub use scans::{
    BomFormat, CreateScan, CryptoAsset, PqcSummary, Scan, ScanComponent, ScanCounts, ScanDiagnostic,
    ScanEdge, ScanEvent, ScanFinding, ScanLicense, ScanSource, ScanStatus, SeverityCounts, SubmitSource,
    WsClientFrame, WsServerFrame,
};
pub use triage_rules::{CreateTriageRule, TriageRule, TriageRuleCreated};
pub use versions::{CreateVersion, ReleaseState, ReleaseStateChange, UpdateVersion, Version};
pub use vex_imports::{UnmatchedReason, UnmatchedStatement, VexApplied, VexDocumentFormat, VexImport};
pub use vulndb::{VulnDataState, VulnDataUsed, VulnDbChange, VulnDbSource, VulnDbStatus, VulnDbUpdate};
pub use warnings::{ScanWarning, WarningKind};
pub use webhooks::{
    CreateWebhook, CreatedWebhook, DeliveryAttempt, DeliveryState, QueuedDelivery, RotatedWebhookSecret,
    UpdateWebhook, Webhook, WebhookDelivery,
};
pub use words::{UnknownWord, WireWord, refuse_unknown};

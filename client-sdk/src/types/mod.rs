//! Wire types of the Cairn API (v1): ids, problems, list envelopes and one module per resource.

mod admin;
mod advisories;
mod api_keys;
mod approvals;
mod audit;
mod auth;
mod cbom_compat;
mod comparison;
mod component_usage;
mod controls;
mod coverage;
mod cra;
mod cve_watches;
mod events;
mod feature_requests;
mod findings;
mod gate;
mod git_credentials;
mod health;
mod history;
mod ids;
mod known_exploited;
mod licenses;
mod mail;
mod notification_prefs;
mod notifications;
mod oauth;
mod page;
mod policies;
mod problem;
mod product;
mod projects;
mod registry_credentials;
mod requests;
mod roles;
mod scans;
mod technical_file;
mod tenant_settings;
mod text_rule;
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
pub use approvals::{Approval, ApprovalDecision, ApprovalState, RequestApproval};
pub use audit::{AuditEntry, AuditVerification, OutboxMessage};
pub use auth::{
    CreateInvite, CreatedInvite, ForgotPasswordRequest, LoginRequest, LogoutRequest, Me, RefreshRequest,
    RegisterRequest, RegistrationPending, ResetPasswordRequest, TenantMembership, TokenResponse, User,
    VerifyRegistrationRequest,
};
pub use cbom_compat::{
    CBOM_DEFAULT_PROJECT_VERSION, CbomBomFormat, CbomDemoRequest, CbomDetailTruncated, CbomHealth, CbomScan,
    CbomScanCreated, CbomScanDetail, CbomScanList, CbomScanRequest, CbomStatus, TenantKind,
};
pub use comparison::{
    ComparedComponent, ComparedFindingStatus, Comparison, ComparisonSection, ComparisonSummary,
    ComponentChanges, CryptoChange, CryptoChanges, FindingChange, FindingChanges, GateChange, LicenseChange,
    LicenseChanges, NotCompared, ReadinessDelta, ScanComparison, VersionChange, VersionDirection,
};
pub use component_usage::{ComponentUsage, FileLine};
pub use controls::{
    Control, ControlEvidence, ControlStatus, EvidenceKind, Framework, FrameworkId, RECENT_SCAN_DAYS,
};
pub use coverage::{CoverageGap, EcosystemCoverage, GapReason};
pub use cra::{CraEvidence, CraItem, CraItemStatus, CraRequirement, CraStatus, ReportFormat};
pub use cve_watches::{CreateCveWatch, CveWatch, CveWatchCreated, CveWatchHit, CveWatchHitData, WatchTarget};
pub use events::{
    EVENT_ENVELOPE_VERSION, Event, EventFeed, EventKind, FindingEventData, ScanEventData, VulndbUpdatedData,
    WebhookUnhealthyData,
};
pub use feature_requests::{
    CreateFeatureRequest, FEATURE_REQUEST_BODY_MAX, FEATURE_REQUEST_TITLE_MAX, FeatureRequest,
    FeatureRequestKind, FeatureRequestStatus, FeatureRequestStatusChange,
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
    ApiKeyId, ApprovalId, CveWatchHitId, CveWatchId, EventId, FeatureRequestId, GitCredentialId, InviteId,
    NotificationId, OAuthIdentityId, PolicyId, ProjectId, RegistryCredentialId, ScanId, TeamId, TenantId,
    TriageRuleId, UserId, VersionId, VexImportId, WebhookDeliveryId, WebhookId,
};
pub use known_exploited::KnownExploited;
pub use licenses::{LicenseCategory, LicensedComponent, Obligation, ProjectLicense, ProjectObligation};
pub use mail::MailState;
pub use notification_prefs::{ChannelPrefs, NotificationPrefs};
pub use notifications::{Notification, NotificationPage, UnreadCount};
pub use oauth::OAuthIdentity;
pub use page::Page;
pub use policies::{AssignPolicy, PolicyAssignment, PolicyBody, PolicyRevision, PolicySource, StoredPolicy};
pub use problem::{FieldError, Problem, ProblemType};
pub use product::{ConformityRoute, CraCategory, ProductProfile};
pub use projects::{
    CreateProject, MAX_TAG_CHARS, MAX_TAGS, Project, ProjectKind, ProjectRisk, UpdateProject,
};
pub use registry_credentials::{CreateRegistryCredential, RegistryCredential};
pub use roles::Role;
pub use scans::{
    BomFormat, CreateScan, CryptoAsset, PqcSummary, Scan, ScanComponent, ScanCounts, ScanDiagnostic,
    ScanEdge, ScanEvent, ScanFinding, ScanLicense, ScanSource, ScanStatus, SeverityCounts, SubmitSource,
    WsClientFrame, WsServerFrame,
};
pub use technical_file::{
    TECHNICAL_FILE_FORMAT, TechnicalFileEntry, TechnicalFileGap, TechnicalFileManifest, TechnicalFileTool,
};
pub use tenant_settings::{TenantSettings, TriageSla, UpdateTenantSettings};
pub use text_rule::{TEXT_FORMAT, TEXT_PATTERN, WORD_FORMAT, WORD_PATTERN, check_text, check_word};
pub use triage_rules::{CreateTriageRule, TriageRule, TriageRuleCreated};
pub use versions::{CreateVersion, ReleaseState, ReleaseStateChange, UpdateVersion, Version};
pub use vex_imports::{UnmatchedReason, UnmatchedStatement, VexApplied, VexDocumentFormat, VexImport};
pub use vulndb::{
    VulnDataState, VulnDataUsed, VulnDbChange, VulnDbSource, VulnDbStatus, VulnDbUpdate, VulnSourceKind,
};
pub use warnings::{ScanWarning, WarningKind};
pub use webhooks::{
    CreateWebhook, CreatedWebhook, DeliveryAttempt, DeliveryState, QueuedDelivery, RotatedWebhookSecret,
    UpdateWebhook, Webhook, WebhookDelivery,
};
pub use words::{UnknownWord, WireWord, refuse_unknown};

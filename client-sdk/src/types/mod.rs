//! Wire types of the Cairn API (v1): ids, problems, list envelopes and one module per resource.

mod admin;
mod api_keys;
mod audit;
mod auth;
mod cbom_compat;
mod coverage;
mod events;
mod findings;
mod git_credentials;
mod health;
mod ids;
mod notification_prefs;
mod oauth;
mod page;
mod problem;
mod projects;
mod requests;
mod roles;
mod scans;
mod time_fmt;
mod versions;
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
pub use api_keys::{ApiKey, ApiKeyEnvironment, CreateApiKey, CreatedApiKey, Scope};
pub use audit::{AuditEntry, AuditVerification, OutboxMessage};
pub use auth::{
    CreateInvite, CreatedInvite, ForgotPasswordRequest, LoginRequest, LogoutRequest, Me, RefreshRequest,
    RegisterRequest, ResetPasswordRequest, TenantMembership, TokenResponse, User,
};
pub use cbom_compat::{
    CBOM_DEFAULT_PROJECT_VERSION, CbomBomFormat, CbomDemoRequest, CbomHealth, CbomScan, CbomScanCreated,
    CbomScanDetail, CbomScanList, CbomScanRequest, CbomStatus, TenantKind,
};
pub use coverage::{CoverageGap, EcosystemCoverage, GapReason};
pub use events::{EVENT_ENVELOPE_VERSION, Event, EventFeed, EventKind, FindingEventData, ScanEventData};
pub use findings::{Finding, Justification, Triage, TriageResponse, TriageState, TriageUpdate};
pub use git_credentials::{CreateGitCredential, GitCredential, GitCredentialKind};
pub use health::{Health, SpecVersions};
pub use ids::{
    ApiKeyId, EventId, GitCredentialId, InviteId, OAuthIdentityId, ProjectId, ScanId, TeamId, TenantId,
    UserId, VersionId, WebhookDeliveryId, WebhookId,
};
pub use notification_prefs::{ChannelPrefs, NotificationEvent, NotificationPrefs};
pub use oauth::OAuthIdentity;
pub use page::Page;
pub use problem::{FieldError, Problem, ProblemType};
pub use projects::{CreateProject, Project, ProjectKind, ProjectRisk, UpdateProject};
pub use roles::Role;
pub use scans::{
    BomFormat, CreateScan, CryptoAsset, PqcSummary, Scan, ScanComponent, ScanCounts, ScanDiagnostic,
    ScanEdge, ScanEvent, ScanFinding, ScanLicense, ScanSource, ScanStatus, SeverityCounts, WsClientFrame,
    WsServerFrame,
};
pub use versions::{CreateVersion, ReleaseState, ReleaseStateChange, UpdateVersion, Version};
pub use vulndb::{VulnDataState, VulnDataUsed, VulnDbChange, VulnDbSource, VulnDbStatus, VulnDbUpdate};
pub use warnings::{ScanWarning, WarningKind};
pub use webhooks::{
    CreateWebhook, CreatedWebhook, DeliveryAttempt, DeliveryState, QueuedDelivery, RotatedWebhookSecret,
    UpdateWebhook, Webhook, WebhookDelivery,
};
pub use words::{UnknownWord, WireWord, refuse_unknown};

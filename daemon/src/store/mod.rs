//! The store: every SQL statement of the daemon lives under this module, one file per aggregate.
//!
//! One `AnyPool` serves SQLite and Postgres with the same SQL (`$1` placeholders, TEXT ids and
//! RFC 3339 TEXT timestamps, BIGINT counters). Every function on tenant data takes the tenant and
//! filters on it, so another tenant's row is simply "not found".

mod advisories;
mod advisory_summaries;
mod api_keys;
mod approvals;
mod audit;
mod catalogue;
mod cbom_demo;
mod components;
mod controls;
mod cve_watches;
mod events;
mod evidence;
mod feature_requests;
mod finding_counts;
mod finding_events;
mod findings;
mod gates;
mod git_credentials;
mod idempotency;
mod invites;
mod jobs;
mod kev;
mod list;
mod notification_prefs;
mod notifications;
mod oauth_identities;
mod oauth_states;
mod outbox;
mod password_resets;
mod plans;
mod policies;
mod principals;
mod projects;
mod rate_buckets;
mod refresh_tokens;
mod regate;
mod registration_requests;
mod registry_credentials;
mod rematch;
mod scan_results;
mod scan_uploads;
mod scans;
mod settings;
mod sql;
mod teams;
mod tenant_settings;
mod tenants;
mod triage_rules;
mod users;
mod versions;
mod vex_imports;
mod vulndb;
mod vulndb_import;
mod webhook_deliveries;
mod webhooks;

pub use api_keys::{ApiKeyRecord, NewApiKey};
pub use approvals::{ActiveException, Decision, NewApproval};
pub use audit::{AuditEvent, GENESIS, chain_hash};
pub use cbom_demo::DemoClaim;
pub use components::{ComponentFilter, UsageQuery};
pub use controls::{Assignments, ProjectEvidence, ReleaseEvidence};
pub use cve_watches::HitCandidate;
pub use events::{EventBatch, NewEvent};
pub use feature_requests::{FeatureRequestFilter, NewFeatureRequest};
pub(crate) use findings::summary_of_details;
pub use findings::{FindingsQuery, TriageWrite};
pub use git_credentials::{NewGitCredential, SealedGitCredential};
pub use idempotency::IdempotencyClaim;
pub use idempotency::StoredResponse;
pub use invites::InviteRecord;
pub use jobs::{ClaimedJob, JobEnd, StaleJob};
pub use kev::KevSource;
pub use list::{ListQuery, Paging, SortKey};
pub use notifications::{NewNotification, Recipient};
pub use oauth_identities::UnlinkOutcome;
pub use oauth_states::{NewOAuthState, OAuthStateRecord};
pub use outbox::{ClaimedMail, MailSchedule, NewMail};
pub use plans::ListPlan;
pub use policies::PolicyText;
pub use principals::KeyPrincipal;
pub use rate_buckets::{BucketRule, BucketVerdict};
pub use refresh_tokens::RefreshOutcome;
pub use regate::{ClaimedRegate, RegateScope};
pub use registration_requests::PendingRegistration;
pub use rematch::{ClaimedRematch, RematchOutcome, RematchTarget};
pub use scan_results::{
    FindingFilter, NewComponent, NewDocument, NewFinding, NewVulnerability, ScanResults, StoredDocument,
};
pub use scan_uploads::{NewUpload, StoredUpload, UploadContent};
pub use scans::{CancelOutcome, ImageDigests, NewScan, Progress, ScanFilter};
pub use triage_rules::{AutoOutcome, AutoSource, AutoTriage, CandidateScope, CurrentTriage, TriageCandidate};
pub use users::UserRecord;
pub use vex_imports::NewVexImport;
pub use vulndb::{IndexFeed, OsvRow, VulnSourceRecord};
pub use vulndb_import::SourceReplacement;
pub use webhook_deliveries::{AttemptOutcome, ClaimedDelivery, NextStep};
pub use webhooks::{WebhookSettings, WebhookSubscription};

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Executor};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Store failures. `NotFound` covers "exists in another tenant" too.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row (in this tenant).
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Optimistic concurrency: the row has this version now.
    #[error("version mismatch, current version {0}")]
    VersionMismatch(i64),
    /// A tenant quota refused the write (its name in `[quotas]` and its limit).
    #[error("quota {quota} reached ({limit})")]
    QuotaExceeded {
        /// The quota's name in `[quotas]`.
        quota: &'static str,
        /// Its configured limit.
        limit: u32,
    },
    /// The database could not be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value did not parse (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The URL names no supported database.
    #[error("unsupported database URL (use sqlite://PATH or postgres://…): {0}")]
    UnsupportedUrl(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict("an object with this name or key already exists".into())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Conflict("a referenced object does not exist".into())
            }
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}

/// Result of store functions.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (WAL, foreign keys, busy timeout).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The database handle shared by all requests.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    /// The health probes' own connection, so a probe never queues behind API queries.
    probe: AnyPool,
    backend: Backend,
    /// The URL connected to (Postgres LISTEN needs its own connection).
    url: DbUrl,
    /// Serializes audit appends inside this process (see `audit`).
    audit_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Ticks when events were committed (see `events`).
    events_tick: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    /// Summaries derived from advisories' details (see `advisory_summaries`).
    summaries: std::sync::Arc<advisory_summaries::SummaryCache>,
}

/// Pool options with the per-connection set-up of `backend`.
fn pool_options(backend: Backend, max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(max).after_connect(move |conn, _meta| {
        Box::pin(async move {
            if backend == Backend::Sqlite {
                // WAL lets readers run beside the single writer; the busy timeout makes
                // concurrent writers wait instead of failing with SQLITE_BUSY.
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
            }
            Ok(())
        })
    })
}

impl Store {
    /// Opens a pool on `url` (`sqlite://PATH` creates the file; `postgres://…`).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?.log_statements(tracing::log::LevelFilter::Trace);
        let pool = pool_options(
            backend,
            match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            },
        )
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.clone())
        .await?;
        // One connection, opened on first use and kept: a probe that cannot get it within a
        // second reports the database as not answering rather than waiting behind the API.
        let probe = pool_options(backend, 1)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(1))
            .connect_lazy_with(options);
        Ok(Self {
            pool,
            probe,
            backend,
            url: DbUrl(url),
            audit_lock: Default::default(),
            events_tick: std::sync::Arc::new(tokio::sync::watch::channel(0).0),
            summaries: Default::default(),
        })
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers when the database does (`SELECT 1`), on the probes' own connection.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.probe).await?;
        Ok(())
    }

    /// Closes the pools (waits for connections to be returned).
    pub async fn close(&self) {
        self.probe.close().await;
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that writes. On SQLite it takes the write lock at `BEGIN IMMEDIATE`: a
    /// deferred transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT
    /// (517, which the busy timeout does not wait out) when another connection wrote in between.
    pub(crate) async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }
}

/// A database URL whose `Debug` hides the password.
#[derive(Clone)]
struct DbUrl(String);

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// Creates database `name` on the Postgres server at `server_url` (for test isolation and
/// first-time set-up). `name` must be a plain identifier.
pub async fn create_postgres_database(server_url: &str, name: &str) -> StoreResult<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Conflict(format!("invalid database name {name:?}")));
    }
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnectOptions::from_str(server_url)?.connect().await?;
    // Identifiers cannot be bound as parameters; `name` was checked above.
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await?;
    Ok(())
}

/// Drops database `name` on the Postgres server at `server_url` (test clean-up), forcibly
/// closing its connections.
pub async fn drop_postgres_database(server_url: &str, name: &str) -> StoreResult<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Conflict(format!("invalid database name {name:?}")));
    }
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnectOptions::from_str(server_url)?.connect().await?;
    // Identifiers cannot be bound as parameters; `name` was checked above.
    conn.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await?;
    Ok(())
}

/// Makes `sqlite://path` create its file (and parent directory) on first use.
fn sqlite_url(url: &str) -> StoreResult<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl(
            "in-memory SQLite is not supported (each pooled connection would see its own database)".into(),
        ));
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", parent.display())))?;
    }
    Ok(if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") })
}

/// A URL with its password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &creds[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Now, truncated to milliseconds so it round-trips through the TEXT column exactly.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.millisecond() as u32 * 1_000_000).unwrap_or(t)
}

const TS_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Fixed-width UTC text, so timestamps sort correctly as strings on both databases.
pub(crate) fn ts(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(TS_FORMAT).unwrap_or_else(|_| utc.to_string())
}

pub(crate) fn ts_opt(t: Option<OffsetDateTime>) -> Option<String> {
    t.map(ts)
}

pub(crate) fn parse_ts(s: &str) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

pub(crate) fn parse_ts_opt(s: Option<&str>) -> StoreResult<Option<OffsetDateTime>> {
    s.map(parse_ts).transpose()
}

pub(crate) fn parse_id<T: FromStr>(s: &str) -> StoreResult<T> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("id {s:?}")))
}

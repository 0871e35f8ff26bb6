//! Command-line arguments.

use cairn_sdk::types::Severity;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Cairn knows what is inside your software.
#[derive(Debug, Parser)]
#[command(name = "cairn", version, about)]
pub struct Cli {
    /// The profile to use (see `cairn login`); default: config.toml's `default`, else local mode.
    #[arg(long, global = true, env = "CAIRN_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Open the dashboard without the actions that change anything (new scans, triage).
    #[arg(long)]
    pub readonly: bool,
    /// What to do; none opens the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory every package a source tree pins and match it against OSV data.
    Scan(ScanArgs),
    /// Read a CycloneDX or SPDX document and write it in another format.
    Convert(ConvertArgs),
    /// Log in to a Cairn server and make it the default profile.
    Login(LoginArgs),
    /// Forget the active profile's credential (and revoke its session); back to local mode.
    Logout,
    /// Show the server in use, who you are, the daemon's health and the vulnerability data.
    Status {
        /// Print one JSON object instead (docs/cli.md shows its fields).
        #[arg(long)]
        json: bool,
    },
    /// Manage the per-user local daemon (local mode).
    #[command(subcommand)]
    Daemon(DaemonCommand),
    /// List projects.
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// List scans.
    #[command(subcommand)]
    Scans(ScansCommand),
    /// List findings (vulnerabilities in components) with their triage.
    #[command(subcommand)]
    Findings(FindingsCommand),
    /// Set a finding's triage (VEX) state, or make a triage rule from it (--rule).
    Triage(TriageArgs),
    /// Import VEX documents into a project's triage.
    #[command(subcommand)]
    Vex(VexCommand),
    /// The daemon's stored policies: list, show, push a document, assign to a project or as the
    /// tenant default.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Exceptions to gate violations: list, request, approve, reject.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Your notifications (made from events your preferences subscribe to): list, mark read.
    #[command(subcommand)]
    Notifications(NotificationsCommand),
    /// Your API keys: list, create (the secret is shown once), revoke.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// A project's versions: list, create, set the release state.
    #[command(subcommand)]
    Versions(VersionsCommand),
    /// The installation's users, teams and audit log (super admins).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Download a completed scan's document (SBOM, VEX, SARIF, CBOM).
    Export(ExportArgs),
    /// What changed between two scans (ids, through the daemon) or two SBOM files, lockfiles or
    /// trees (offline): components, findings, licenses, crypto.
    Diff(DiffArgs),
    /// Where a package is used: every project whose latest scan has it, with file and line.
    Where(WhereArgs),
    /// An advisory (id or alias) and every project it affects now, with the triage.
    Advisory(AdvisoryArgs),
    /// A project's licenses (latest scan): each concluded expression with its category and
    /// components, and the components whose license is not determined.
    Licenses(ProjectViewArgs),
    /// What a project's licenses ask (attribution, source disclosure, …), with the licenses and
    /// components behind each obligation.
    Obligations(ProjectViewArgs),
    /// A project's NOTICE file (latest scan), to standard output or `-o FILE`.
    Notice(NoticeArgs),
    /// A version's CRA checklist: each item met, not met, not evaluated or not applicable, with
    /// its reason; exits 1 when an item is not met or not evaluated.
    CraStatus(CraStatusArgs),
    /// Controls of frameworks (EU CRA Annex I, NIST SSDF, ISO/IEC 27001 A.8) judged from the
    /// tenant's data: each met, partially met, not met or not assessed, with its evidence.
    Controls(ControlsArgs),
    /// The daemon's vulnerability data: status, update from the mirror, import OSV files.
    #[command(subcommand)]
    Db(DbCommand),
    /// The tenant's outbound webhooks: list, add (the secret is shown once), remove, ping, their
    /// deliveries, redeliver, rotate the secret.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// CVE watches: an advisory (id or alias) or a package (purl, optionally a version range)
    /// watched across every project; list with hit counts, add (prints the hits now), remove,
    /// a watch's hits.
    #[command(subcommand)]
    Watch(WatchCommand),
    /// The image catalogue: image projects, their versions (tags) with digests and scan
    /// history, a version's SBOM.
    #[command(subcommand)]
    Images(ImagesCommand),
    /// Feature requests to the operators: list, add, set the status (tenant admins).
    #[command(subcommand)]
    Requests(RequestsCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `cairn webhooks …`.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// The tenant's webhooks (never their secrets).
    Ls {
        /// Print a JSON array of the API's `Webhook` objects.
        #[arg(long)]
        json: bool,
    },
    /// Add a webhook and print its signing secret, once.
    Add {
        /// Where events are POSTed (http:// or https://).
        url: String,
        /// An event kind to send (repeatable), e.g. scan.completed.
        #[arg(long = "event", value_name = "KIND", required = true, value_parser = event_kind)]
        events: Vec<cairn_sdk::types::EventKind>,
        /// Only events of this project id (repeatable).
        #[arg(long = "project", value_name = "ID")]
        projects: Vec<cairn_sdk::types::ProjectId>,
        /// Only events of at least this severity.
        #[arg(long, value_name = "SEVERITY", value_enum)]
        min_severity: Option<Severity>,
        /// Print the API's `CreatedWebhook` object (secret included) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a webhook and its deliveries.
    Rm {
        /// The webhook's id.
        id: cairn_sdk::types::WebhookId,
    },
    /// Send a `webhook.ping` to it; prints the delivery id.
    Ping {
        /// The webhook's id.
        id: cairn_sdk::types::WebhookId,
    },
    /// Its deliveries, oldest first, with the latest attempt of each.
    Deliveries {
        /// The webhook's id.
        id: cairn_sdk::types::WebhookId,
        /// Print a JSON array of the API's `WebhookDelivery` objects (every attempt).
        #[arg(long)]
        json: bool,
    },
    /// Send a delivery again now (the same body and delivery id).
    Redeliver {
        /// The webhook's id.
        id: cairn_sdk::types::WebhookId,
        /// The delivery's id.
        delivery: cairn_sdk::types::WebhookDeliveryId,
    },
    /// Make a new signing secret and print it, once; the old one keeps signing for a grace period.
    RotateSecret {
        /// The webhook's id.
        id: cairn_sdk::types::WebhookId,
    },
}

/// `cairn images …`.
#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// The tenant's image projects (one per repository scanned).
    Ls {
        /// Print a JSON array of the API's `Project` objects.
        #[arg(long)]
        json: bool,
    },
    /// An image's versions (one per tag) with the digest each tag resolved to at its latest scan.
    Versions {
        /// The image: `registry/repository` (a tag or digest is ignored), or the project's name or id.
        image: String,
        /// Also each version's scan history (one line per scan: date, digest, findings, gate).
        #[arg(long)]
        history: bool,
        /// Print a JSON array of the API's `Version` objects (with `--history`: of `HistoryPoint`s).
        #[arg(long)]
        json: bool,
    },
    /// Download a version's SBOM (its latest completed scan's document).
    Sbom {
        /// `registry/repository:tag` (or `@sha256:…` for a version named by its digest).
        image: String,
        /// The document format (`spdx-2.3`, `cyclonedx-1.5`, `cyclonedx`, …).
        #[arg(short = 'f', long, value_name = "FORMAT", value_parser = bom_format, default_value = "cyclonedx")]
        format: cairn_sdk::types::BomFormat,
        /// Where to write it; `-` for standard output.
        #[arg(short = 'o', long, value_name = "FILE", default_value = "-")]
        output: PathBuf,
    },
}

/// `cairn requests …`.
#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// The tenant's feature requests, oldest first.
    Ls {
        /// Only this status (open, planned, in_progress, done, declined).
        #[arg(long, value_parser = request_status)]
        status: Option<cairn_sdk::types::FeatureRequestStatus>,
        /// Only this kind (feature, package, bug).
        #[arg(long, value_parser = request_kind)]
        kind: Option<cairn_sdk::types::FeatureRequestKind>,
        /// Print a JSON array of the API's `FeatureRequest` objects.
        #[arg(long)]
        json: bool,
    },
    /// Ask for something; prints the request's id.
    Add {
        /// feature, package or bug.
        #[arg(value_parser = request_kind)]
        kind: cairn_sdk::types::FeatureRequestKind,
        /// One line, at most 200 characters.
        title: String,
        /// The details.
        #[arg(long, default_value = "")]
        body: String,
    },
    /// Set a request's status (tenant admins); sent with the version read as `If-Match`.
    Status {
        /// The request's id.
        id: cairn_sdk::types::FeatureRequestId,
        /// open, planned, in_progress, done or declined.
        #[arg(value_parser = request_status)]
        status: cairn_sdk::types::FeatureRequestStatus,
        /// A note for the requester.
        #[arg(long)]
        note: Option<String>,
    },
}

fn request_status(s: &str) -> Result<cairn_sdk::types::FeatureRequestStatus, String> {
    s.parse().map_err(|e: cairn_sdk::types::UnknownWord| e.to_string())
}

fn request_kind(s: &str) -> Result<cairn_sdk::types::FeatureRequestKind, String> {
    s.parse().map_err(|e: cairn_sdk::types::UnknownWord| e.to_string())
}

/// `cairn watch …`.
#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// The tenant's watches with how many hits each has.
    Ls {
        /// Print a JSON array of the API's `CveWatch` objects.
        #[arg(long)]
        json: bool,
    },
    /// Watch an advisory (`CVE-…`, `GHSA-…`, an OSV id) or a package (a `pkg:` purl); prints
    /// the watch's id, then its hits now.
    Add {
        /// An advisory id or alias, or a package URL (`pkg:pypi/lxml`).
        target: String,
        /// With a package URL without a version: versions in `vers` syntax (`<4.6.3`,
        /// `>=2.0.0|<2.17.1`), compared in the ecosystem's ordering.
        #[arg(long, value_name = "RANGE")]
        range: Option<String>,
        /// Print the API's `CveWatchCreated` object as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop watching.
    Rm {
        /// The watch's id (see `cairn watch ls`).
        id: cairn_sdk::types::CveWatchId,
    },
    /// A watch's hits, oldest first: those there at its creation and each later one.
    Hits {
        /// The watch's id.
        id: cairn_sdk::types::CveWatchId,
        /// Print a JSON array of the API's `CveWatchHit` objects.
        #[arg(long)]
        json: bool,
    },
}

fn event_kind(s: &str) -> Result<cairn_sdk::types::EventKind, String> {
    use cairn_sdk::types::EventKind;
    EventKind::parse(s)
        .filter(|k| EventKind::ALL.contains(k))
        .ok_or_else(|| format!("one of {}", EventKind::ALL.map(EventKind::as_str).join(", ")))
}

/// `cairn projects …`.
#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// Every project, with its latest scan's risk when the daemon reports it.
    Ls {
        /// Print a JSON array of the API's `Project` objects.
        #[arg(long)]
        json: bool,
    },
    /// Create a project (names are unique); prints its id.
    Create {
        /// The project's name.
        name: String,
        /// What it is.
        #[arg(long, value_name = "KIND", default_value = "repo", value_parser = project_kind)]
        kind: cairn_sdk::types::ProjectKind,
        /// Print the API's `Project` object as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `cairn scans …`.
#[derive(Debug, Subcommand)]
pub enum ScansCommand {
    /// Scans, newest first.
    Ls(ScansLsArgs),
    /// Cancel a queued or running scan: exit 0 when cancelled (or asked to stop), 3 when it had
    /// already ended.
    Cancel {
        /// The scan's id.
        scan: cairn_sdk::types::ScanId,
        /// Print the API's `Scan` object as JSON (the exit code is the same).
        #[arg(long)]
        json: bool,
    },
}

/// `cairn scans ls`.
#[derive(Debug, clap::Args)]
pub struct ScansLsArgs {
    /// Only this project's scans (name or id).
    #[arg(long, value_name = "NAME|ID")]
    pub project: Option<String>,
    /// Only scans in this status.
    #[arg(long, value_name = "STATUS", value_parser = scan_status)]
    pub status: Option<cairn_sdk::types::ScanStatus>,
    /// At most this many (the newest); 0 lists every scan.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// Print a JSON array of the API's `Scan` objects.
    #[arg(long)]
    pub json: bool,
}

/// `cairn keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Your API keys, newest first (never their secrets).
    Ls {
        /// Print a JSON array of the API's `ApiKey` objects.
        #[arg(long)]
        json: bool,
    },
    /// Create an API key and print its secret, once.
    Create(KeysCreateArgs),
    /// Revoke an API key, named by id or by its (unique) name.
    Revoke {
        /// The key's id or name (see `cairn keys ls`).
        #[arg(value_name = "ID|NAME")]
        key: String,
    },
}

/// `cairn keys create`.
#[derive(Debug, clap::Args)]
pub struct KeysCreateArgs {
    /// A label for the key.
    pub name: String,
    /// What the key may do; repeatable (`--scope scan:write --scope bom:read`).
    #[arg(long = "scope", value_name = "SCOPE", required = true, value_parser = scope)]
    pub scopes: Vec<cairn_sdk::types::Scope>,
    /// When the key stops working: RFC 3339, a date (`2027-01-31`, midnight UTC) or a time from
    /// now (`90d`, `12h`). Default: never.
    #[arg(long, value_name = "WHEN", value_parser = crate::when::future)]
    pub expires: Option<time::OffsetDateTime>,
    /// A test key (`crn_test_…`) instead of a live one.
    #[arg(long)]
    pub test: bool,
    /// Print the API's `CreatedApiKey` object (secret included) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `cairn versions …`.
#[derive(Debug, Subcommand)]
pub enum VersionsCommand {
    /// A project's versions, newest first.
    Ls {
        /// The project (name or id).
        #[arg(long, value_name = "NAME|ID")]
        project: String,
        /// Print a JSON array of the API's `Version` objects.
        #[arg(long)]
        json: bool,
    },
    /// Create a draft version of a project; prints its id.
    Create {
        /// The version's name (`1.4.0`), unique within the project.
        name: String,
        /// The project (name or id).
        #[arg(long, value_name = "NAME|ID")]
        project: String,
        /// End of support: RFC 3339, a date or a time from now (`365d`).
        #[arg(long, value_name = "WHEN", value_parser = crate::when::future)]
        support_until: Option<time::OffsetDateTime>,
        /// Print the API's `Version` object as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Move a version forward to `released` (the default) or `end_of_life`.
    Release {
        /// The version's name or id.
        #[arg(value_name = "NAME|ID")]
        version: String,
        /// The project (name or id); needed when the version is named by name.
        #[arg(long, value_name = "NAME|ID")]
        project: Option<String>,
        /// The new release state.
        #[arg(long, value_name = "STATE", default_value = "released", value_parser = release_state)]
        state: cairn_sdk::types::ReleaseState,
        /// Print the API's `Version` object as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `cairn admin …` (super admins; an API key also needs the `admin` scope).
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Every user of the installation.
    Users {
        /// Print a JSON array of the API's `UserAdmin` objects.
        #[arg(long)]
        json: bool,
    },
    /// The current tenant's teams.
    Teams {
        /// Print a JSON array of the API's `Team` objects.
        #[arg(long)]
        json: bool,
    },
    /// The audit log, newest first.
    Audit(AdminAuditArgs),
}

/// `cairn admin audit`.
#[derive(Debug, clap::Args)]
pub struct AdminAuditArgs {
    /// Only entries at or after this time: RFC 3339, a date, or a time ago (`24h`, `7d`).
    #[arg(long, value_name = "WHEN", value_parser = crate::when::past)]
    pub since: Option<time::OffsetDateTime>,
    /// Only entries of this action (`project.create`, `auth.login_failed`, …).
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// At most this many entries (the newest); 0 lists every one.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// Print a JSON array of the API's `AuditEntry` objects.
    #[arg(long)]
    pub json: bool,
}

/// `cairn notifications …`.
#[derive(Debug, Subcommand)]
pub enum NotificationsCommand {
    /// Your notifications in the current tenant, newest first.
    Ls(NotificationsLsArgs),
    /// Mark one notification read, or all of them with --all.
    Read(NotificationsReadArgs),
}

/// `cairn notifications ls`.
#[derive(Debug, clap::Args)]
pub struct NotificationsLsArgs {
    /// Only unread ones.
    #[arg(long)]
    pub unread: bool,
    /// At most this many (newest first).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Print a JSON array of the API's `Notification` objects.
    #[arg(long)]
    pub json: bool,
}

/// `cairn notifications read`.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct NotificationsReadArgs {
    /// The notification's id (see `cairn notifications ls`).
    pub id: Option<cairn_sdk::types::NotificationId>,
    /// Every unread notification.
    #[arg(long)]
    pub all: bool,
}

/// `cairn findings …`.
#[derive(Debug, Subcommand)]
pub enum FindingsCommand {
    /// Findings of each project's latest completed scan (or of one scan with --scan).
    Ls(FindingsLsArgs),
}

/// `cairn findings ls`.
#[derive(Debug, clap::Args)]
pub struct FindingsLsArgs {
    /// Only this project's findings (name or id).
    #[arg(long, value_name = "NAME|ID")]
    pub project: Option<String>,
    /// Only this scan's findings.
    #[arg(long, value_name = "ID")]
    pub scan: Option<cairn_sdk::types::ScanId>,
    /// Only findings of this severity.
    #[arg(long, value_name = "SEVERITY", value_enum)]
    pub severity: Option<Severity>,
    /// Only findings in this triage state, or `untriaged`.
    #[arg(long, value_name = "STATE", value_parser = state_filter)]
    pub state: Option<String>,
    /// Print a JSON array of the API's `Finding` objects.
    #[arg(long)]
    pub json: bool,
}

/// `cairn triage`.
#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    /// The finding's id (see `cairn findings ls`).
    pub finding: String,
    /// The new state.
    #[arg(long, value_name = "STATE", value_parser = triage_state)]
    pub state: cairn_sdk::types::TriageState,
    /// Why the component is not affected (with `--state not_affected`).
    #[arg(long, value_name = "JUSTIFICATION", value_parser = parse_str::<cairn_sdk::types::Justification>)]
    pub justification: Option<cairn_sdk::types::Justification>,
    /// What is being done about it.
    #[arg(long, value_name = "RESPONSE", value_parser = parse_str::<cairn_sdk::types::TriageResponse>)]
    pub response: Option<cairn_sdk::types::TriageResponse>,
    /// Free text: the impact statement or the reasoning.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Make a triage rule from the finding instead: its advisory in its package (every version,
    /// or those of --version-range), in every project (or each --project), now and in later
    /// scans. A rule fills untriaged findings only.
    #[arg(long)]
    pub rule: bool,
    /// With --rule: only this project (name or id); repeat for several.
    #[arg(long = "project", value_name = "PROJECT", requires = "rule")]
    pub projects: Vec<String>,
    /// With --rule: only these versions, purl `vers` syntax (`>=1.0.0|<2.0.0`).
    #[arg(long, value_name = "RANGE", requires = "rule")]
    pub version_range: Option<String>,
    /// With --rule: when it stops applying to new findings (RFC 3339, e.g. 2027-01-01T00:00:00Z).
    #[arg(long, value_name = "TIME", requires = "rule", value_parser = rfc3339)]
    pub expires: Option<time::OffsetDateTime>,
}

fn rfc3339(s: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time (2027-01-01T00:00:00Z): {e}"))
}

/// `cairn vex …`.
#[derive(Debug, Subcommand)]
pub enum VexCommand {
    /// Import an OpenVEX, CycloneDX VEX or CSAF VEX document into a project's triage; prints
    /// what it set and every statement that set nothing, with the reason.
    Import {
        /// The document (JSON).
        file: std::path::PathBuf,
        /// The project (name or id).
        #[arg(long, value_name = "PROJECT")]
        project: String,
        /// Print the API's `VexImport` object as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `cairn policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// The tenant's stored policies (key, revision, id) and the tenant default.
    Ls {
        /// Print the API's objects as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One policy's document at its current revision (or --revision N).
    Show {
        /// The policy (its document id or its id).
        policy: String,
        /// An older revision.
        #[arg(long, value_name = "N")]
        revision: Option<u32>,
    },
    /// Store a policy document (TOML or JSON): a new policy, or a new revision of the stored one
    /// with the same document id.
    Push {
        /// The document.
        file: PathBuf,
    },
    /// Make PROJECT's gate use POLICY (`--clear`: the tenant default applies again).
    Assign {
        /// The project (name or id).
        project: String,
        /// The policy (its document id or its id).
        #[arg(required_unless_present = "clear")]
        policy: Option<String>,
        /// Clear the project's own policy instead.
        #[arg(long, conflicts_with = "policy")]
        clear: bool,
    },
    /// Make POLICY the tenant default (`--clear`: the built-in default applies again).
    Default {
        /// The policy (its document id or its id).
        #[arg(required_unless_present = "clear")]
        policy: Option<String>,
        /// Clear the tenant default instead.
        #[arg(long, conflicts_with = "policy")]
        clear: bool,
    },
}

/// `cairn approvals …`.
#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// Approvals, oldest first (`--state pending`: what admins have to decide).
    Ls {
        /// Only this state: pending, approved, rejected, expired.
        #[arg(long, value_parser = approval_state)]
        state: Option<cairn_sdk::types::ApprovalState>,
        /// Print the API's objects as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ask for an exception: to a finding (--finding), or to a gate violation (--project, --rule,
    /// --subject as the gate result shows it, JSON).
    Request {
        /// The finding's id.
        #[arg(long, conflicts_with_all = ["project", "rule", "subject"])]
        finding: Option<String>,
        /// The project (name or id) of the violation.
        #[arg(long, requires = "subject")]
        project: Option<String>,
        /// The violated rule (absent: every rule on the subject).
        #[arg(long, requires = "subject")]
        rule: Option<String>,
        /// The violation's subject, JSON (`{"kind":"component","purl":"pkg:pypi/amqp@5.1.1"}`).
        #[arg(long, requires = "project")]
        subject: Option<String>,
        /// Why the exception is needed.
        #[arg(long)]
        reason: String,
        /// Until when (RFC 3339, e.g. 2027-01-01T00:00:00Z).
        #[arg(long, value_parser = rfc3339)]
        expires: time::OffsetDateTime,
    },
    /// Approve a pending request (admins).
    Approve {
        /// The approval's id.
        id: cairn_sdk::types::ApprovalId,
        /// A note for the record.
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a pending request (admins).
    Reject {
        /// The approval's id.
        id: cairn_sdk::types::ApprovalId,
        /// A note for the record.
        #[arg(long)]
        note: Option<String>,
    },
}

fn approval_state(s: &str) -> Result<cairn_sdk::types::ApprovalState, String> {
    cairn_sdk::types::ApprovalState::parse(s)
        .ok_or_else(|| format!("{s:?} is not a state: pending, approved, rejected, expired"))
}

/// `cairn export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The scan's id, or `latest` (the project's newest completed scan; needs --project).
    #[arg(value_name = "SCAN|latest", required_unless_present_any = ["technical_file", "compliance_report"])]
    pub scan: Option<String>,
    /// The project of `latest`, or of a version named by name (name or id).
    #[arg(long, value_name = "NAME|ID")]
    pub project: Option<String>,
    /// The document format.
    #[arg(
        short = 'f',
        long,
        value_name = "FORMAT",
        value_parser = bom_format,
        required_unless_present_any = ["technical_file", "compliance_report"]
    )]
    pub format: Option<cairn_sdk::types::BomFormat>,
    /// Instead of a scan's document: the technical file (a ZIP) of this version (name or id).
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["scan", "format", "compliance_report"])]
    pub technical_file: Option<String>,
    /// Instead of a scan's document: the compliance report of this version (name or id); a PDF
    /// when FILE ends in `.pdf`, else HTML.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["scan", "format"])]
    pub compliance_report: Option<String>,
    /// Where to write it; `-` for standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
}

/// How `cairn diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Tables for a terminal.
    Table,
    /// The comparison as JSON (the API's `Comparison`; `ScanComparison` for scan ids).
    Json,
    /// Markdown, for a pull request comment.
    Markdown,
}

/// `cairn diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier side: a scan id, or a CycloneDX/SPDX file, a lockfile or a directory.
    #[arg(value_name = "FROM")]
    pub from: String,
    /// The later side, of the same kind.
    #[arg(value_name = "TO")]
    pub to: String,
    /// How to print.
    #[arg(short = 'f', long, value_enum, default_value = "table")]
    pub format: DiffFormat,
    /// Offline: OSV data (files, directories or zips) to match both sides against, so findings
    /// are compared; without it findings are "not compared".
    #[arg(long, value_name = "PATH")]
    pub vulndb: Vec<PathBuf>,
    /// Offline: scan directories for cryptography too, so crypto assets and readiness are compared.
    #[arg(long)]
    pub crypto: bool,
}

/// `cairn where`.
#[derive(Debug, clap::Args)]
pub struct WhereArgs {
    /// A package name (any case) or a purl (`pkg:maven/org.apache.logging.log4j/log4j-core`,
    /// with `@version` for one version).
    #[arg(value_name = "PACKAGE")]
    pub package: String,
    /// Only this version.
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
    /// Only this purl type (`pypi`, `npm`, `cargo`, `maven`, …).
    #[arg(long, value_name = "TYPE")]
    pub ecosystem: Option<String>,
    /// Print a JSON array of the API's `ComponentUsage` objects.
    #[arg(long)]
    pub json: bool,
}

/// `cairn licenses` and `cairn obligations`.
#[derive(Debug, clap::Args)]
pub struct ProjectViewArgs {
    /// The project, by name or id.
    #[arg(value_name = "PROJECT")]
    pub project: String,
    /// Print a JSON array of the API's objects (`ProjectLicense`, `ProjectObligation`).
    #[arg(long)]
    pub json: bool,
}

/// `cairn notice`.
#[derive(Debug, clap::Args)]
pub struct NoticeArgs {
    /// The project, by name or id.
    #[arg(value_name = "PROJECT")]
    pub project: String,
    /// Write it to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// `cairn advisory`.
#[derive(Debug, clap::Args)]
pub struct AdvisoryArgs {
    /// The advisory id or an alias (`CVE-2021-44228`, `GHSA-…`, `PYSEC-…`).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Print the API's `AdvisoryDetail` object as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `cairn cra-status`.
#[derive(Debug, clap::Args)]
pub struct CraStatusArgs {
    /// The version's name or id.
    #[arg(value_name = "NAME|ID")]
    pub version: String,
    /// The project (name or id); needed when the version is named by name.
    #[arg(long, value_name = "NAME|ID")]
    pub project: Option<String>,
    /// Print the API's `CraStatus` object as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `cairn controls`.
#[derive(Debug, clap::Args)]
pub struct ControlsArgs {
    /// Only this framework's controls: `eu_cra`, `nist_ssdf` or `iso_27001`.
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Option<cairn_sdk::types::FrameworkId>,
    /// Print the API's `Control` objects as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// `cairn db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// What vulnerability data the daemon holds and how current it is.
    Status {
        /// Print the API's `VulnDbStatus` object as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch the configured ecosystems from the daemon's mirror (super admins).
    Update {
        /// Only this configured ecosystem (`crates.io`, `PyPI`, …); repeatable.
        #[arg(long = "ecosystem", value_name = "ECOSYSTEM")]
        ecosystems: Vec<String>,
    },
    /// Load OSV data as a named source (super admins): a zip (`all.zip` layout) or a directory of
    /// OSV JSON/YAML files. Sources accumulate: importing under a name replaces that source only.
    Import {
        /// The zip or directory (a symlink is followed).
        path: PathBuf,
        /// The source's name (default: the file or directory name; `all.zip` takes its directory's).
        #[arg(long)]
        name: Option<String>,
    },
    /// Remove one source and its advisories; the others stay (super admins).
    Remove {
        /// The source's name, as `cairn db status` lists it.
        name: String,
    },
}

fn parse_str<T: std::str::FromStr<Err = String>>(s: &str) -> Result<T, String> {
    s.parse()
}

fn project_kind(s: &str) -> Result<cairn_sdk::types::ProjectKind, String> {
    cairn_sdk::types::ProjectKind::parse(s).ok_or_else(|| "one of repo, image, product".into())
}

fn scope(s: &str) -> Result<cairn_sdk::types::Scope, String> {
    use cairn_sdk::types::Scope;
    Scope::parse(s).ok_or_else(|| format!("one of {}", Scope::ALL.map(Scope::as_str).join(", ")))
}

fn release_state(s: &str) -> Result<cairn_sdk::types::ReleaseState, String> {
    use cairn_sdk::types::ReleaseState;
    match ReleaseState::parse(s) {
        Some(ReleaseState::Draft) => Err("a version cannot go back to draft; released or end_of_life".into()),
        Some(state) => Ok(state),
        None => Err("one of released, end_of_life".into()),
    }
}

fn scan_status(s: &str) -> Result<cairn_sdk::types::ScanStatus, String> {
    cairn_sdk::types::ScanStatus::parse(s).ok_or_else(|| {
        "one of queued, fetching, scanning, matching, evaluating, completed, failed, cancelled".into()
    })
}

fn bom_format(s: &str) -> Result<cairn_sdk::types::BomFormat, String> {
    use cairn_sdk::types::BomFormat;
    BomFormat::parse(s).ok_or_else(|| format!("one of {}", BomFormat::ALL.map(BomFormat::as_str).join(", ")))
}

fn triage_state(s: &str) -> Result<cairn_sdk::types::TriageState, String> {
    s.parse().map_err(|e: cairn_vocab::UnknownTriageState| e.to_string())
}

fn state_filter(s: &str) -> Result<String, String> {
    if s == "untriaged" {
        return Ok(s.to_owned());
    }
    s.parse::<cairn_sdk::types::TriageState>()
        .map(|t| t.as_str().to_owned())
        .map_err(|e| format!("{e}, or untriaged"))
}

/// `cairn login`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("how").required(true).args(["api_key", "email", "oidc"])))]
pub struct LoginArgs {
    /// The server's base URL (default: the profile's current server).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Log in with an API key, read from standard input (prompted for on a terminal).
    #[arg(long, conflicts_with = "email")]
    pub api_key: bool,
    /// Log in with this email; the password is read from standard input (prompted for on a terminal).
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Log in through the daemon's OAuth provider of this name (`[[oauth.providers]] name`) in a
    /// browser: the URL is printed (and opened with $BROWSER when set), the login comes back to
    /// this process on 127.0.0.1 and is bound to it with PKCE.
    #[arg(long, value_name = "PROVIDER")]
    pub oidc: Option<String>,
    /// The profile to create or replace (default: `default`, or the one given with --profile).
    #[arg(long = "name", value_name = "NAME")]
    pub name: Option<String>,
}

/// `cairn daemon …`.
#[derive(Debug, Subcommand)]
pub enum DaemonCommand {
    /// Start the local daemon unless it runs.
    Start,
    /// Stop the local daemon.
    Stop,
    /// Say whether the local daemon runs, where, and how it is.
    Status,
    /// Print the end of the local daemon's log.
    Logs {
        /// How many lines.
        #[arg(short = 'n', long, default_value_t = 50)]
        lines: usize,
    },
    /// Run the local daemon in this process (what `start` spawns).
    #[command(hide = true)]
    Run,
}

/// `--fail-on`'s value: a [`Severity`], but not `unknown` (unknowns sort lowest and are counted
/// by `--fail-on-unknown` alone, so a threshold of "unknown" would mean nothing a user expects).
fn fail_on_threshold() -> impl clap::builder::TypedValueParser<Value = Severity> {
    use clap::builder::TypedValueParser as _;
    clap::builder::EnumValueParser::<Severity>::new().try_map(|s| match s {
        Severity::Unknown => Err("unknown severities are counted with --fail-on-unknown, not as a threshold"),
        s => Ok(s),
    })
}

/// Output formats of `cairn scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings worst first and the vulnerability coverage, for people (the default of `cairn
    /// scan` on a terminal).
    Table,
    /// Cairn's own report: components, edges, diagnostics and skipped paths.
    Json,
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// A NOTICE file: third-party components, their licenses, copyright lines and license texts.
    Notice,
    /// CycloneDX 1.5 JSON.
    #[value(name = "cyclonedx-1.5")]
    Cyclonedx15,
    /// CycloneDX 1.7 JSON.
    #[value(name = "cyclonedx-1.7")]
    Cyclonedx17,
    /// SPDX 3.0.1 JSON-LD.
    Spdx,
    /// SPDX 2.3 JSON.
    #[value(name = "spdx-2.3")]
    Spdx23,
    /// OpenVEX 0.2.0 (needs vulnerability findings).
    Openvex,
    /// SARIF 2.1.0.
    Sarif,
    /// A CBOM: CycloneDX 1.6 with the cryptographic algorithms found in source, their quantum
    /// security levels and replacements, and the readiness score (methodology cairn-cbom-v1).
    Cbom,
}

impl Format {
    /// The name the user types after `-f` (`cyclonedx-1.5`), for messages.
    pub fn name(self) -> String {
        self.to_possible_value().map_or_else(|| format!("{self:?}"), |v| v.get_name().to_owned())
    }

    /// The engine's document format; `None` for the table, Cairn's own JSON report, the NOTICE
    /// file and the CBOM.
    pub fn document(self) -> Option<cairn_engine::bom::Format> {
        use cairn_engine::bom::{CdxVersion, Format as F};
        Some(match self {
            Format::Table | Format::Json | Format::Notice | Format::Cbom => return None,
            Format::Cyclonedx => F::CycloneDx(CdxVersion::V1_6),
            Format::Cyclonedx15 => F::CycloneDx(CdxVersion::V1_5),
            Format::Cyclonedx17 => F::CycloneDx(CdxVersion::V1_7),
            Format::Spdx => F::Spdx3,
            Format::Spdx23 => F::Spdx23,
            Format::Openvex => F::OpenVex,
            Format::Sarif => F::Sarif,
        })
    }
}

/// Options every document writer shares.
#[derive(Debug, Clone, clap::Args)]
pub struct DocumentArgs {
    /// The project name recorded as the document's root component (default: the directory or file name).
    #[arg(long)]
    pub name: Option<String>,
    /// The project version recorded on the root component.
    #[arg(long = "project-version", value_name = "VERSION")]
    pub project_version: Option<String>,
    /// Creation time: RFC 3339 or seconds since the epoch. Default: SOURCE_DATE_EPOCH, else now.
    #[arg(long, value_name = "TIME")]
    pub timestamp: Option<String>,
}

/// `cairn convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// The document to read (`-`: standard input): CycloneDX JSON 1.2-1.7 or XML 1.4-1.6, SPDX
    /// 2.2/2.3 JSON or tag-value, SPDX 3.0.1 JSON-LD.
    pub file: PathBuf,
    /// Output format.
    #[arg(short = 'f', long, value_enum)]
    pub format: Format,
    /// Write the document here instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Name, version and timestamp of the new document.
    #[command(flatten)]
    pub document: DocumentArgs,
    /// Print no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--platform`, checked when parsed (a bad one is a usage error) and kept as written.
fn platform_arg(s: &str) -> Result<String, cairn_engine::image::PlatformError> {
    s.parse::<cairn_engine::image::Platform>().map(|_| s.to_owned())
}

/// `cairn scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// The directory or the one lockfile to scan, a container image (`docker save` tar, OCI
    /// layout directory or tar, or a registry reference with a tag or digest,
    /// `registry/repo:tag`, pulled with CAIRN_REGISTRY_USERNAME/PASSWORD when set; with
    /// --offline), or (without --offline) a git URL.
    #[arg(value_name = "PATH|IMAGE|URL")]
    pub path: PathBuf,
    /// The platform to scan in a multi-platform image (os/arch[/variant]; default: the image's
    /// only one, else linux/amd64). Without --offline, only with a registry reference.
    #[arg(long, value_name = "OS/ARCH", value_parser = platform_arg)]
    pub platform: Option<String>,
    /// Scan in this process, without a daemon.
    #[arg(long)]
    pub offline: bool,
    /// Output format. Default: a table on a terminal; else json with --offline, and through a
    /// daemon the summary alone (any other format is a document to download).
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<Format>,
    /// Wait for the scan to finish and print a summary (implied by -f, -o and the gate flags); without
    /// it only the scan id is printed.
    #[arg(long, conflicts_with = "offline")]
    pub wait: bool,
    /// Exit 1 when open findings at or above this severity exist (offline or through a daemon;
    /// findings of unknown severity and warnings count only with the flags below).
    #[arg(long, value_name = "SEVERITY", value_parser = fail_on_threshold())]
    pub fail_on: Option<Severity>,
    /// Findings of unknown severity (no rating in any loaded record) count for the gate too.
    #[arg(long)]
    pub fail_on_unknown: bool,
    /// Warnings (unmaintained, unsound, notice advisories) count for the gate too.
    #[arg(long)]
    pub fail_on_warnings: bool,
    /// A VEX document (OpenVEX or CycloneDX VEX): findings its not_affected / fixed statements
    /// name are suppressed (listed as such in the summary and the report), never counted.
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Evaluate a policy (a cairn-policy/1 TOML or JSON file, or `default` for the built-in one)
    /// and exit 1 when it fails (offline). Through a daemon, `assigned`: print the gate the daemon
    /// evaluated with the project's assigned policy and exit 1 when it fails.
    #[arg(long, value_name = "FILE|default|assigned")]
    pub policy: Option<String>,
    /// Branch, tag or commit of a git URL.
    #[arg(long = "ref", value_name = "REF", conflicts_with = "offline")]
    pub reference: Option<String>,
    /// Record the scan on this project (name or id).
    #[arg(long, value_name = "NAME|ID", conflicts_with = "offline")]
    pub project: Option<String>,
    /// Create the --project (by that name; kind image for a registry reference, else repo) when
    /// no project has the name.
    #[arg(long, requires = "project", conflicts_with = "offline")]
    pub create_project: bool,
    /// Largest archive uploaded to a remote daemon, in bytes (before compression).
    #[arg(long, value_name = "BYTES", default_value_t = 512 * 1024 * 1024, conflicts_with = "offline")]
    pub max_upload: u64,
    /// Write the document here instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Leave out paths matching this glob (gitignore syntax, relative to PATH); repeatable.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,
    /// Skip manifests and lockfiles larger than this many bytes (default 64 MiB; with --offline).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Do not read licenses from your cargo registry sources and Go module cache (read by default
    /// with --offline, for packages whose lockfile carries no license data).
    #[arg(long, requires = "offline")]
    pub no_package_caches: bool,
    /// OSV vulnerability data to match against: a file (.json, .yaml), a directory of them, or a
    /// zip such as OSV's per-ecosystem all.zip; repeatable.
    #[arg(long = "vulndb", value_name = "PATH")]
    pub vulndb: Vec<PathBuf>,
    /// Parse the --vulndb data afresh instead of reading it from the per-user cache
    /// ($XDG_CACHE_HOME/cairn/vulndb, rebuilt whenever the data changes), and leave the cache as it is.
    #[arg(long, requires = "vulndb")]
    pub no_vulndb_cache: bool,
    /// Name, version and timestamp of the document.
    #[command(flatten)]
    pub document: DocumentArgs,
    /// Print no progress or summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

-- Cairn's whole data model (API.md), SQLite flavour. Ids are UUID strings, timestamps RFC 3339
-- UTC strings of fixed width (so they sort as text), so one set of queries runs on both databases.
-- Flags are BIGINT 0/1 (the Any driver cannot decode SQLite booleans).
-- Every tenant-owned row carries tenant_id; the store filters on it in every query.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    super_admin BIGINT NOT NULL DEFAULT 0 CHECK (super_admin IN (0, 1)),
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
);
CREATE INDEX users_created ON users (created_at, id);

CREATE TABLE memberships (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT
);
CREATE INDEX invites_tenant ON invites (tenant_id, created_at);

CREATE TABLE oauth_identities (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (provider, subject)
);
CREATE INDEX oauth_identities_user ON oauth_identities (user_id);

CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX teams_tenant_created ON teams (tenant_id, created_at, id);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    environment TEXT NOT NULL CHECK (environment IN ('live', 'test')),
    lookup TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_keys_user ON api_keys (tenant_id, user_id, created_at);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('repo', 'image', 'product')),
    repo_url TEXT,
    default_ref TEXT,
    team_id TEXT REFERENCES teams (id) ON DELETE SET NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX projects_tenant_created ON projects (tenant_id, created_at, id);
CREATE INDEX projects_tenant_updated ON projects (tenant_id, updated_at, id);
CREATE INDEX projects_team ON projects (tenant_id, team_id);

CREATE TABLE project_versions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    release_state TEXT NOT NULL CHECK (release_state IN ('draft', 'released', 'end_of_life')),
    support_until TEXT,
    released_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX project_versions_project ON project_versions (tenant_id, project_id, created_at, id);

CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    version_id TEXT REFERENCES project_versions (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'fetching', 'scanning', 'matching', 'evaluating', 'completed', 'failed', 'cancelled')),
    source_kind TEXT NOT NULL,
    source TEXT NOT NULL,
    requested_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    error TEXT,
    vulndb_snapshot TEXT,
    counts TEXT NOT NULL DEFAULT '{}',
    bom BLOB,
    bom_sha256 TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX scans_tenant_created ON scans (tenant_id, created_at, id);
CREATE INDEX scans_project ON scans (tenant_id, project_id, created_at);
CREATE INDEX scans_status ON scans (status, created_at);

CREATE TABLE scan_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    status TEXT NOT NULL,
    step TEXT,
    percent BIGINT,
    message TEXT,
    counts TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (scan_id, seq)
);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    purl TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT,
    scope TEXT,
    direct BIGINT NOT NULL DEFAULT 0 CHECK (direct IN (0, 1)),
    locations TEXT NOT NULL DEFAULT '[]',
    hashes TEXT NOT NULL DEFAULT '[]',
    UNIQUE (scan_id, purl)
);
CREATE INDEX components_purl ON components (tenant_id, purl);
CREATE INDEX components_scan ON components (scan_id, name, id);

CREATE TABLE component_edges (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    from_purl TEXT NOT NULL,
    to_purl TEXT NOT NULL,
    PRIMARY KEY (scan_id, from_purl, to_purl)
);

CREATE TABLE crypto_assets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    asset_type TEXT NOT NULL,
    name TEXT NOT NULL,
    primitive TEXT,
    quantum_level BIGINT,
    detail TEXT NOT NULL DEFAULT '{}',
    locations TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX crypto_assets_scan ON crypto_assets (scan_id, name, id);

CREATE TABLE licenses (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    component_id TEXT REFERENCES components (id) ON DELETE CASCADE,
    expression TEXT NOT NULL,
    source TEXT NOT NULL,
    category TEXT
);
CREATE INDEX licenses_scan ON licenses (scan_id, expression);

-- Vulnerability data is shared reference data (OSV), not tenant-owned.
CREATE TABLE vulnerabilities (
    id TEXT PRIMARY KEY,
    aliases TEXT NOT NULL DEFAULT '[]',
    summary TEXT,
    severity TEXT,
    cvss_vector TEXT,
    cvss_score REAL,
    published_at TEXT,
    modified_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX vulnerabilities_modified ON vulnerabilities (modified_at);

CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    vulnerability_id TEXT NOT NULL REFERENCES vulnerabilities (id),
    severity TEXT NOT NULL,
    fixed_version TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (scan_id, component_id, vulnerability_id)
);
CREATE INDEX findings_tenant ON findings (tenant_id, severity, id);
CREATE INDEX findings_project ON findings (tenant_id, project_id, id);
CREATE INDEX findings_vuln ON findings (tenant_id, vulnerability_id);
CREATE INDEX findings_scan ON findings (scan_id, id);

-- Triage lives per project, vulnerability and purl so it survives re-scans.
CREATE TABLE triage (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    vulnerability_id TEXT NOT NULL,
    purl TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_triage', 'affected', 'not_affected', 'fixed', 'false_positive')),
    justification TEXT,
    response TEXT,
    note TEXT,
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, vulnerability_id, purl)
);
CREATE INDEX triage_tenant ON triage (tenant_id, state);

CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    rules TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE policy_assignments (
    policy_id TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    PRIMARY KEY (policy_id, project_id)
);
CREATE INDEX policy_assignments_project ON policy_assignments (tenant_id, project_id);

CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version_id TEXT REFERENCES project_versions (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'revoked', 'expired')),
    reason TEXT,
    requested_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    decided_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    expires_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX approvals_tenant ON approvals (tenant_id, state, created_at);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (tenant_id, user_id, read_at, created_at);

CREATE TABLE notification_prefs (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prefs TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, created_at);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempt BIGINT NOT NULL DEFAULT 0,
    status_code BIGINT,
    error TEXT,
    next_attempt_at TEXT,
    delivered_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (delivered_at, next_attempt_at);

-- Append-only and hash-chained: hash = SHA-256(prev_hash || canonical row).
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants (id) ON DELETE SET NULL,
    actor_user_id TEXT,
    actor_api_key_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    request_id TEXT,
    created_at TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq);

CREATE TABLE cve_watches (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    vulnerability_id TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, vulnerability_id)
);
CREATE INDEX cve_watches_vuln ON cve_watches (vulnerability_id);

CREATE TABLE feature_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL
);
CREATE INDEX feature_requests_tenant ON feature_requests (tenant_id, created_at);

-- The durable queue: claimed with SELECT ... in a write transaction on SQLite.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    priority BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 3,
    run_after TEXT NOT NULL,
    locked_by TEXT,
    locked_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, priority, run_after);

-- Idempotency-Key replay store: one row per principal and key, kept 24 hours.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    tenant_id TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Installation-wide settings the daemon generates once (the JWT signing key), shared by replicas.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Scans end to end: progress on the scan row, job heartbeats, results beside the 0001 tables,
-- documents rendered once at completion, diagnostics.

ALTER TABLE scans ADD COLUMN percent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN step TEXT;
ALTER TABLE scans ADD COLUMN vulndb TEXT;
ALTER TABLE scans ADD COLUMN crypto BIGINT NOT NULL DEFAULT 1 CHECK (crypto IN (0, 1));
ALTER TABLE scans ADD COLUMN cancel_requested BIGINT NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
ALTER TABLE scans ADD COLUMN spec TEXT;
CREATE INDEX scans_tenant_status ON scans (tenant_id, status, created_at, id);
CREATE INDEX scans_project_completed ON scans (tenant_id, project_id, status, finished_at);

ALTER TABLE jobs ADD COLUMN scan_id TEXT REFERENCES scans (id) ON DELETE CASCADE;
ALTER TABLE jobs ADD COLUMN heartbeat_at TEXT;
CREATE INDEX jobs_running ON jobs (state, heartbeat_at);
CREATE INDEX jobs_scan ON jobs (scan_id);

ALTER TABLE components ADD COLUMN ord BIGINT NOT NULL DEFAULT 0;
ALTER TABLE components ADD COLUMN local BIGINT NOT NULL DEFAULT 0 CHECK (local IN (0, 1));
ALTER TABLE components ADD COLUMN declared_license TEXT;
ALTER TABLE components ADD COLUMN detected_license TEXT;
ALTER TABLE components ADD COLUMN concluded_license TEXT;
ALTER TABLE components ADD COLUMN license_category TEXT;
ALTER TABLE components ADD COLUMN findings BIGINT NOT NULL DEFAULT 0;
CREATE INDEX components_scan_ord ON components (scan_id, ord);

ALTER TABLE findings ADD COLUMN purl TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN ord BIGINT NOT NULL DEFAULT 0;
CREATE INDEX findings_scan_ord ON findings (scan_id, ord);

ALTER TABLE crypto_assets ADD COLUMN ord BIGINT NOT NULL DEFAULT 0;

CREATE TABLE scan_documents (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    format TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    compressed BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scan_id, format)
);

CREATE TABLE scan_diagnostics (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    ord BIGINT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT,
    line BIGINT,
    message TEXT NOT NULL,
    PRIMARY KEY (scan_id, ord)
);

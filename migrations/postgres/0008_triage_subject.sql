-- Triage of ad-hoc scans: a finding of a scan without a project is triaged per scan. `subject` is
-- `p:<project id>` or `s:<scan id>`, so one unique key covers both; project_id loses NOT NULL,
-- which SQLite can only do by copying the table (the same statements run on Postgres).
CREATE TABLE triage_new (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    scan_id TEXT REFERENCES scans (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
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
    CHECK ((project_id IS NULL AND scan_id IS NOT NULL) OR (project_id IS NOT NULL AND scan_id IS NULL)),
    UNIQUE (tenant_id, subject, vulnerability_id, purl)
);
INSERT INTO triage_new (id, tenant_id, project_id, scan_id, subject, vulnerability_id, purl, state, justification,
    response, note, updated_by, version, created_at, updated_at)
SELECT id, tenant_id, project_id, NULL, 'p:' || project_id, vulnerability_id, purl, state, justification,
    response, note, updated_by, version, created_at, updated_at FROM triage;
DROP TABLE triage;
ALTER TABLE triage_new RENAME TO triage;
CREATE INDEX triage_tenant ON triage (tenant_id, state);
CREATE INDEX findings_tenant_vuln_purl ON findings (tenant_id, vulnerability_id, purl);

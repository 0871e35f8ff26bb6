-- Triage rules (issue 19): one decision applied to matching findings across projects, now and at
-- the end of every later scan, until it expires. `projects` is a JSON array of project ids, NULL
-- for every project. Triage rows record what set them (`source_kind` 'rule' or 'vex', NULL for a
-- person) so a finding's triage can say "by rule R" or name the VEX document.
CREATE TABLE triage_rules (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    vulnerability TEXT NOT NULL,
    purl TEXT NOT NULL,
    version_range TEXT,
    projects TEXT,
    state TEXT NOT NULL CHECK (state IN ('in_triage', 'affected', 'not_affected', 'fixed', 'false_positive')),
    justification TEXT,
    response TEXT,
    note TEXT,
    expires_at TEXT,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX triage_rules_tenant ON triage_rules (tenant_id, created_at);

CREATE TABLE vex_imports (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    format TEXT NOT NULL,
    document TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    statements BIGINT NOT NULL,
    applied BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    unmatched TEXT NOT NULL,
    imported_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX vex_imports_project ON vex_imports (tenant_id, project_id, imported_at);

ALTER TABLE triage ADD COLUMN source_kind TEXT;
ALTER TABLE triage ADD COLUMN source_id TEXT;
ALTER TABLE triage ADD COLUMN source_document TEXT;
ALTER TABLE triage ADD COLUMN source_statement TEXT;
CREATE INDEX triage_source ON triage (tenant_id, source_kind, source_id);

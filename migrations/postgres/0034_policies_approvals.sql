-- Issue 19: stored policies, their revisions and assignments, and approvals (exceptions). The
-- `policies`, `policy_assignments` and `approvals` tables of 0001 were never written by any code;
-- they are replaced by the shapes the API needs.
DROP TABLE policy_assignments;
DROP TABLE approvals;
DROP TABLE policies;

-- A stored policy: `key` is the document's own `id`; `revision` is the daemon's (1, 2, 3, … per
-- PUT) and is the policy's ETag; `document` the text as submitted (TOML or JSON).
CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT,
    revision BIGINT NOT NULL,
    document TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, key)
);
CREATE INDEX policies_tenant ON policies (tenant_id, created_at);

-- Every revision of every policy, so a gate result's (policy, revision) can be read back; `id`
-- (UUIDv7) orders the list's cursor.
CREATE TABLE policy_revisions (
    id TEXT NOT NULL UNIQUE,
    policy_id TEXT NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    document TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (policy_id, revision)
);

-- Which policy a project's gate uses; `project_id` NULL is the tenant default (one per tenant).
CREATE TABLE policy_assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    policy_id TEXT NOT NULL REFERENCES policies (id),
    assigned_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    assigned_at TEXT NOT NULL
);
CREATE UNIQUE INDEX policy_assignments_project ON policy_assignments (tenant_id, project_id)
    WHERE project_id IS NOT NULL;
CREATE UNIQUE INDEX policy_assignments_default ON policy_assignments (tenant_id) WHERE project_id IS NULL;
CREATE INDEX policy_assignments_policy ON policy_assignments (policy_id);

-- An exception request: `rule` NULL waives every rule on the subject; `subject_key` is the engine's
-- `Subject::key` (stable across scans), `subject` the subject as JSON for display.
CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    rule TEXT,
    subject_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    finding_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'expired')),
    reason TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    requested_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    decided_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    decided_at TEXT,
    decision_note TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX approvals_tenant ON approvals (tenant_id, state, created_at);
CREATE INDEX approvals_due ON approvals (state, expires_at);

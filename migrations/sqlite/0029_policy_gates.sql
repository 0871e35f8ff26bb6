-- Issue 19: the policy gate of each completed scan. `result` is the gate result as JSON (status,
-- policy id and revision, violations, waived, not evaluated); `policy_id` is NULL when the
-- built-in default policy was evaluated (no policy assigned). `facts` keeps what the gate was
-- evaluated over besides the stored document input (the project, the vulnerability facts, whether
-- crypto was inventoried), so a triage change evaluates it again without the scan.
CREATE TABLE gate_results (
    scan_id TEXT PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    policy_id TEXT,
    policy_key TEXT NOT NULL,
    revision BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
    result TEXT NOT NULL,
    facts TEXT NOT NULL,
    evaluated_at TEXT NOT NULL
);
CREATE INDEX gate_results_project ON gate_results (tenant_id, project_id, evaluated_at);

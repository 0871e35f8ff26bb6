-- The fair claim order (issue 16 point 5) counts each tenant's running jobs and finds its latest
-- claim for every queued candidate: one index serves both.
CREATE INDEX jobs_tenant ON jobs (tenant_id, state, locked_at);

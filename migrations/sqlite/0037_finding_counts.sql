-- Open findings per scan and severity, kept by the store in the transaction that changes a
-- scan's findings (results stored, re-match), so the findings list's total is a sum over each
-- project's latest scan instead of a COUNT over every finding of the tenant per request.
CREATE TABLE scan_finding_counts (
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    severity TEXT NOT NULL,
    open BIGINT NOT NULL,
    PRIMARY KEY (scan_id, severity)
);
CREATE INDEX scan_finding_counts_tenant ON scan_finding_counts (tenant_id, scan_id);

INSERT INTO scan_finding_counts (scan_id, tenant_id, severity, open)
SELECT scan_id, tenant_id, severity, COUNT(*) FROM findings WHERE resolved_at IS NULL
GROUP BY scan_id, tenant_id, severity;

-- Issue 20: evidence for a regulator.
-- `projects.product`: the product fields the CRA names (category, support period, security
-- contact, vulnerability handling policy, conformity route) as one JSON object written by the
-- typed `ProductProfile`; NULL until set.
ALTER TABLE projects ADD COLUMN product TEXT;

-- Per-tenant settings: the triage SLA (days per severity, JSON), with a row version for If-Match.
-- No row: no SLA set (the CRA checklist says so instead of judging against a default).
CREATE TABLE tenant_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    triage_sla TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

-- What a vulnerability data source holds: `osv` advisories or a `kev` list (CISA's catalogue of
-- known exploited vulnerabilities), and the revision its publisher gave it (KEV `catalogVersion`).
ALTER TABLE vulndb_sources ADD COLUMN kind TEXT NOT NULL DEFAULT 'osv';
ALTER TABLE vulndb_sources ADD COLUMN revision TEXT;

-- The entries of a KEV source, one per CVE, replaced whole with their source.
CREATE TABLE kev_entries (
    source TEXT NOT NULL REFERENCES vulndb_sources (name) ON DELETE CASCADE,
    cve_id TEXT NOT NULL,
    vendor_project TEXT NOT NULL,
    product TEXT NOT NULL,
    name TEXT NOT NULL,
    date_added TEXT NOT NULL,
    due_date TEXT,
    ransomware TEXT NOT NULL,
    PRIMARY KEY (source, cve_id)
);
CREATE INDEX kev_entries_cve ON kev_entries (cve_id);

-- Informational advisories (RustSec unmaintained / unsound / notice) that apply to a scan's
-- components: the list behind `counts.warnings`, stored with the other results in scan order.
CREATE TABLE scan_warnings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    ord BIGINT NOT NULL,
    kind TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    aliases TEXT NOT NULL,
    purl TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    summary TEXT,
    fixed TEXT NOT NULL,
    url TEXT,
    PRIMARY KEY (scan_id, ord)
);

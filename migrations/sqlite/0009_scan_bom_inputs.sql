-- Documents that follow triage: the engine's BomInput (gzipped JSON) is kept with a scan's
-- documents, and each document records the triage it was rendered with (a fingerprint), so a
-- download after a triage change renders it again.
CREATE TABLE scan_bom_inputs (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scan_id TEXT PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,
    compressed BLOB NOT NULL,
    created_at TEXT NOT NULL
);
ALTER TABLE scan_documents ADD COLUMN triage_stamp TEXT NOT NULL DEFAULT '';

-- The public CBOM demo: one row per client (an IPv4 address or an IPv6 /64) holding its latest
-- demo scan. A client may claim again 24 hours after `claimed_at`; the same repository asked
-- within 5 minutes of a claim is answered with that claim's scan. Rows, not memory, so the limits
-- hold across replicas and restarts. `scan_id` is empty between the claim and the scan's creation.
-- The demo tenant's id is the `cbom_demo_tenant` row of `settings`.
CREATE TABLE cbom_demo_claims (
    client TEXT PRIMARY KEY,
    repo_url TEXT NOT NULL,
    scan_id TEXT REFERENCES scans (id) ON DELETE SET NULL,
    claimed_at TEXT NOT NULL
);
CREATE INDEX cbom_demo_claims_repo ON cbom_demo_claims (repo_url, claimed_at);

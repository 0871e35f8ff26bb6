-- The findings list pages by id (keyset): each of its filters needs an index that ends in id, so a
-- page is an index walk from the cursor and never a sort of every matching finding.
-- Open findings of a tenant in id order (the unfiltered list; closed ones stay for history).
CREATE INDEX findings_open ON findings (tenant_id, id) WHERE resolved_at IS NULL;
-- One scan's open findings in id order (`scan=`): two equalities, so planners prefer it to the above.
CREATE INDEX findings_open_scan ON findings (tenant_id, scan_id, id) WHERE resolved_at IS NULL;
-- By advisory, in id order (replaces the index on (tenant_id, vulnerability_id)).
DROP INDEX findings_vuln;
CREATE INDEX findings_vuln ON findings (tenant_id, vulnerability_id, id);
-- By component purl, in id order.
CREATE INDEX findings_purl ON findings (tenant_id, purl, id);

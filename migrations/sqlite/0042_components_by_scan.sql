-- A scan's components by (scan, tenant): both of the equalities every per-scan statement has, so
-- planners without statistics prefer it to a tenant-leading index. With only (scan_id, ord) SQLite
-- chose `components_tenant_name` (tenant_id = ?) and walked every component of the tenant to find
-- one scan's: 2 s of each project's re-match at 50 projects of 11k components.
DROP INDEX components_scan_ord;
CREATE INDEX components_scan_ord ON components (scan_id, tenant_id, ord);

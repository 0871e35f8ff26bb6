-- An advisory's OSV record is stored once, in `osv_records`; `vulnerabilities` keeps only the
-- columns findings and lists read. Its `record` column (the OSV JSON again on import, a
-- finding's JSON on a scan) was never read, and writing it doubled an import's bytes.
ALTER TABLE vulnerabilities DROP COLUMN record;

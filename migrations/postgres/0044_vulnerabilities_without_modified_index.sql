-- No statement reads `vulnerabilities` by `modified_at` (rows are read by id), so the index only
-- cost its upkeep: on an OSV import, one more B-tree filled in random order for every record.
DROP INDEX vulnerabilities_modified;

-- The OSV ecosystems a vulnerability data source holds advisories for (a JSON array of names,
-- sorted), written with its records. NULL: stored before this column existed, not recorded
-- until the source is imported or updated again.
ALTER TABLE vulndb_sources ADD COLUMN ecosystems TEXT;

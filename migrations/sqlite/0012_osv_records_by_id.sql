-- Findings whose advisory has no summary (PyPA's PYSEC records) are summarised from the OSV
-- record's details when listed: look records up by advisory id alone, whatever their source.
CREATE INDEX osv_records_by_id ON osv_records (id);

-- Issue 16 point 5: rate limits shared by every replica on one database. One row per bucket
-- (class and principal or address): the GCRA theoretical arrival time in microseconds since the
-- Unix epoch. A row whose time has passed is a full bucket and may be deleted.
CREATE TABLE rate_buckets (
    bucket TEXT PRIMARY KEY,
    tat_us BIGINT NOT NULL
);
CREATE INDEX rate_buckets_by_tat ON rate_buckets (tat_us);

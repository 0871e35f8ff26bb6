-- Issue 16 point 5: rate limits shared by every replica on one database. One row per bucket
-- (class and principal or address): the GCRA theoretical arrival time in microseconds since the
-- Unix epoch. A row whose time has passed is a full bucket and may be deleted.
CREATE TABLE rate_buckets (
    bucket TEXT PRIMARY KEY,
    tat_us BIGINT NOT NULL
);
CREATE INDEX rate_buckets_by_tat ON rate_buckets (tat_us);

-- Issue 16 point 8, the CLI login: a login started with a PKCE challenge (a CLI's loopback
-- redirect) keeps it, and so does the one-time code it ends with; the code is redeemed only with
-- the verifier.
ALTER TABLE oauth_states ADD COLUMN code_challenge TEXT;
ALTER TABLE oauth_login_codes ADD COLUMN code_challenge TEXT;

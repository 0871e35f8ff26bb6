-- Continuous monitoring (issue 18). A re-match on new vulnerability data brings a project's latest
-- results up to date in place: a finding the new data no longer supports is closed with
-- `resolved_at` and a reason instead of deleted; each row names the data generation it came from
-- (`created_at` is when it was first seen in these results).
ALTER TABLE findings ADD COLUMN resolved_at TEXT;
ALTER TABLE findings ADD COLUMN resolved_reason TEXT;
ALTER TABLE findings ADD COLUMN vulndb_generation TEXT;

-- Notifications carry the event they were made from; one per user and event, so a consumer that
-- handles an event again after a crash adds nothing.
ALTER TABLE notifications ADD COLUMN event_id TEXT;
ALTER TABLE notifications ADD COLUMN project_id TEXT;
ALTER TABLE notifications ADD COLUMN data TEXT;
CREATE UNIQUE INDEX notifications_user_event ON notifications (user_id, event_id);

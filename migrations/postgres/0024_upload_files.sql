-- Issue 16, uploads stream: an upload may be kept as a file (its path here) instead of its bytes.
-- `content` becomes optional; rows from before keep their bytes and still work.
ALTER TABLE scan_uploads ALTER COLUMN content DROP NOT NULL;
ALTER TABLE scan_uploads ADD COLUMN path TEXT;
ALTER TABLE scan_uploads ADD CONSTRAINT scan_uploads_content_or_path CHECK (content IS NOT NULL OR path IS NOT NULL);

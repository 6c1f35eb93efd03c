-- Incremental staging: the last build's quarantined rows of records that did not change, recorded again
-- under this run, so quality.quarantine_latest still holds every record staging could not use.
INSERT INTO {scratch} BY NAME
SELECT $run_id AS run_id, asset, source, record_id, source_file, row_number, reason, record, quarantined_at
FROM quality.quarantine AS q
WHERE q.run_id = $last_run AND q.asset = $asset
  AND (q.record_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM _staging_changed AS c WHERE c.source = q.source AND c.record_id = q.record_id));

-- The record-id re-check of a raw table's current version, if it was counted at that version.
SELECT r.total_rows, r.missing_rows, r.repeated_rows, r.missing_sample, r.repeated_sample
FROM quality.raw_rechecks r JOIN quality.table_versions v ON v.table_name = r.table_name AND v.version = r.version
WHERE r.table_name = $table_name;

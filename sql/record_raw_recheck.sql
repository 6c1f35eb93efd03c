-- Remember a raw table's record-id re-check for its current version (none: the table has no version yet).
INSERT OR REPLACE INTO quality.raw_rechecks
SELECT table_name, version, $total_rows, $missing_rows, $repeated_rows, $missing_sample, $repeated_sample, now()
FROM quality.table_versions WHERE table_name = $table_name;

-- The checks an asset's last build recorded, to report again when a run carries the asset over.
SELECT check_name, passed, blocking, failing_rows, description, sample, metadata
FROM quality.check_results
WHERE run_id = $run_id AND asset = $asset
QUALIFY row_number() OVER (PARTITION BY check_name ORDER BY checked_at DESC) = 1
ORDER BY check_name;

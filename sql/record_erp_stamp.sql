INSERT OR REPLACE INTO quality.erp_stamps (source, stamp, snapshot_hash, rows, drift, run_id, recorded_at)
VALUES ($source, $stamp, $snapshot_hash, $rows, $drift, $run_id, $recorded_at);

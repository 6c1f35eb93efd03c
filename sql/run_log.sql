SELECT run_id, partition_date, started_at, finished_at, run_by, host, code_version, success, assets_built,
       row_counts, checks_passed, checks_failed, errors, snapshot
FROM quality.run_log ORDER BY finished_at DESC LIMIT $limit;

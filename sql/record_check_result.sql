INSERT INTO quality.check_results
    (run_id, asset, check_name, passed, blocking, failing_rows, description, sample, checked_at, severity, metadata)
VALUES ($run_id, $asset, $check_name, $passed, $blocking, $failing_rows, $description, $sample, now(), $severity,
        $metadata);

-- Dashboard: data-quality checks of the last 30 runs, oldest first: passed, failed as warnings, failed as errors.
SELECT * FROM (
    SELECT run_id, min(checked_at) AS checked_at, count(*) AS checks,
           count(*) FILTER (WHERE passed) AS passed,
           count(*) FILTER (WHERE NOT passed AND coalesce(severity, IF(blocking, 'error', 'warn')) = 'warn') AS failed_warn,
           count(*) FILTER (WHERE NOT passed AND coalesce(severity, IF(blocking, 'error', 'warn')) = 'error') AS failed_error
    FROM quality.check_results
    GROUP BY ALL
    ORDER BY checked_at DESC
    LIMIT 30
)
ORDER BY checked_at;

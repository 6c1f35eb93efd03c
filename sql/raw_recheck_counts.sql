-- Re-check of a published raw table (quality.raw_checks): its rows, the rows without a record id
-- (null, or matching the pattern $blank), and the rows whose record id repeats within their file or
-- ERP snapshot (same _file_hash), every occurrence counted. One scan; no row leaves DuckDB.
WITH ids AS (
    SELECT _record_id, count(*) AS n FROM {target} GROUP BY _file_hash, _record_id
)
SELECT
    CAST(coalesce(sum(n), 0) AS BIGINT) AS total_rows,
    CAST(coalesce(sum(n) FILTER (WHERE _record_id IS NULL OR regexp_matches(_record_id, $blank)), 0) AS BIGINT)
        AS missing_rows,
    CAST(coalesce(sum(n) FILTER (WHERE _record_id IS NOT NULL AND n > 1), 0) AS BIGINT) AS repeated_rows
FROM ids;

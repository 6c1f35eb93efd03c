-- The first $limit rows of a published raw table whose record id repeats within their file or ERP
-- snapshot (same _file_hash), in the order quality.raw_checks.REPEATED_ORDER gives the batch check.
WITH repeated AS (
    SELECT _file_hash, _record_id FROM {target}
    WHERE _record_id IS NOT NULL
    GROUP BY _file_hash, _record_id
    HAVING count(*) > 1
)
SELECT t._source_file, t._row_number, t._record_id
FROM {target} AS t
SEMI JOIN repeated AS r ON t._file_hash IS NOT DISTINCT FROM r._file_hash AND t._record_id = r._record_id
ORDER BY t._record_id NULLS FIRST, t._row_number NULLS FIRST, t._source_file NULLS FIRST, t._file_hash NULLS FIRST
LIMIT $limit;

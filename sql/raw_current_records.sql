-- The current version of each record of one raw table: the latest load wins, then the latest
-- dated delivery folder, then the last row of the file. Rows without an id are all kept
-- (staging quarantines them), so nothing is lost on the way.
WITH ranked AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY _record_id
               ORDER BY _loaded_at DESC,
                        nullif(regexp_extract(_source_file, '^(\d{{4}}-\d{{2}}-\d{{2}})/', 1), '') DESC NULLS LAST,
                        _row_number DESC
           ) AS _version
    FROM {raw}
)
SELECT * EXCLUDE (_version) FROM ranked WHERE _version = 1 OR _record_id IS NULL;

-- The current version of each record of one raw table: the latest load wins, then the latest
-- dated delivery folder, then the last row of the file. Rows without an id are all kept
-- (staging quarantines them), so nothing is lost on the way. With $since (incremental staging),
-- only the records whose current version was loaded after it: the new and changed ones.
WITH ranked AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY _record_id
               ORDER BY _loaded_at DESC,
                        nullif(regexp_extract(_source_file, '^(\d{{4}}-\d{{2}}-\d{{2}})/', 1), '') DESC NULLS LAST,
                        _row_number DESC
           ) AS _version
    FROM {raw}
    WHERE $since IS NULL OR _record_id IS NULL
       OR _record_id IN (SELECT _record_id FROM {raw} WHERE _loaded_at > $since)
)
SELECT * EXCLUDE (_version) FROM ranked
WHERE (_version = 1 OR _record_id IS NULL) AND ($since IS NULL OR _loaded_at > $since);

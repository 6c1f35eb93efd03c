-- The records of one raw table whose current version was loaded after $since: new and changed records
-- (rows without an id too), all an incremental staging run standardizes. Versions are ranked as in
-- raw_current_records.sql.
WITH ranked AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY _record_id
               ORDER BY _loaded_at DESC,
                        nullif(regexp_extract(_source_file, '^(\d{{4}}-\d{{2}}-\d{{2}})/', 1), '') DESC NULLS LAST,
                        _row_number DESC
           ) AS _version
    FROM {raw}
    WHERE _record_id IN (SELECT _record_id FROM {raw} WHERE _loaded_at > $since) OR _record_id IS NULL
)
SELECT * EXCLUDE (_version) FROM ranked WHERE (_version = 1 OR _record_id IS NULL) AND _loaded_at > $since;

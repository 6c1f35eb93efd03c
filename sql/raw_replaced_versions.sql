-- The raw rows loaded by $since of the records that have a newer version since: what their staged
-- rows came from, and what incremental staging replaces.
SELECT _loaded_at, _source_file, _row_number FROM {raw}
WHERE _loaded_at <= $since AND _record_id IN (SELECT _record_id FROM {raw} WHERE _loaded_at > $since);

-- The record key and the named personal columns of a raw table ({columns}: quoted names).
SELECT _source, _record_id, {columns} FROM {target};

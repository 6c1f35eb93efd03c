-- The first $limit rows of a published raw table without a record id (null, or matching $blank),
-- in table order, with the lineage that finds them in their file.
SELECT _source_file, _row_number, _record_id
FROM {target}
WHERE _record_id IS NULL OR regexp_matches(_record_id, $blank)
LIMIT $limit;

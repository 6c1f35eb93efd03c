-- Raw rows of the records to erase (their personal values are hashed for suppression before they go).
SELECT * FROM {target}
WHERE EXISTS (SELECT 1 FROM erase_records e WHERE e.source = {target}._source AND e.record_id = {target}._record_id);

-- Raw rows about to be erased, per file they were loaded from (the ledger's erased_rows).
SELECT _source, _file_hash, count(*) AS n FROM {target}
WHERE EXISTS (SELECT 1 FROM erase_records e WHERE e.source = {target}._source AND e.record_id = {target}._record_id)
GROUP BY ALL;

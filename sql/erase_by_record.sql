-- Rows of the records to erase, the record named by a (source column, record id column) pair.
DELETE FROM {target} WHERE EXISTS (
    SELECT 1 FROM erase_records e WHERE e.source = {target}.{source} AND e.record_id = CAST({target}.{record_id} AS VARCHAR));

-- Rows of a table whose id column holds record ids of one source ($source).
DELETE FROM {target} WHERE CAST({column} AS VARCHAR) IN (SELECT record_id FROM erase_records WHERE source = $source);

DELETE FROM {target} WHERE CAST({column} AS VARCHAR) IN (SELECT golden_id FROM erase_golden);

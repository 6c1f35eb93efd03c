SELECT DISTINCT _row_hash FROM {target};

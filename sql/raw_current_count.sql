-- How many rows raw_current_records.sql returns: one per record id, and every row without one.
SELECT count(DISTINCT _record_id) + count(*) FILTER (WHERE _record_id IS NULL) FROM {raw};

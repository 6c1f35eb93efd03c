-- A hash of every staged customer record as it is now: what incremental resolution compares with the
-- hashes kept at the last resolve (core.resolved_records) to find new, changed and removed records.
SELECT source, record_id, hash(s) AS record_hash FROM staging.customer_records AS s;

-- Every staged customer record: the input of entity resolution.
SELECT * FROM staging.customer_records ORDER BY source, record_id;

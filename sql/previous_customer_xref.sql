-- The last published crosswalk, so records that still resolve together keep their golden id.
SELECT source, record_id, golden_id FROM core.customer_xref;

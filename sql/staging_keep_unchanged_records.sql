-- Incremental staging, for a table keyed by record (customer_field_issues): the published rows of the
-- records that did not change.
INSERT INTO {scratch} BY NAME
SELECT * FROM {target} AS t
WHERE NOT EXISTS (SELECT 1 FROM _staging_changed AS c WHERE c.source = t.source AND c.record_id = t.record_id);

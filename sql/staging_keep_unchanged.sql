-- Incremental staging: the published rows whose raw version is still current, added to the scratch
-- table that holds the new and changed records, standardized anew. A staged row is known by the
-- lineage of the raw row it came from; _staging_replaced lists the raw versions a newer one replaced.
INSERT INTO {scratch} BY NAME
SELECT * FROM {target} AS t
WHERE NOT EXISTS (SELECT 1 FROM _staging_replaced AS r
                  WHERE r._loaded_at = t._loaded_at AND r._source_file = t._source_file AND r._row_number = t._row_number);

-- A published table's new version; runs inside the publish transaction.
INSERT OR REPLACE INTO quality.table_versions (table_name, version, published_at)
VALUES ($table_name, $version, now());

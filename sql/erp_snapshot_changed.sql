-- The snapshot's rows whose fingerprint raw does not hold yet: new rows and new versions of rows.
CREATE OR REPLACE TEMP TABLE _erp_changed AS
SELECT h.* FROM _erp_hashed h
WHERE NOT EXISTS (SELECT 1 FROM {target} p WHERE p._row_hash = h._row_hash);
DROP TABLE _erp_hashed;

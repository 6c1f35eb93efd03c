-- A stable fingerprint per ERP row (all source columns), for change capture and snapshot identity.
SELECT *, md5(CAST(snapshot AS VARCHAR)) AS _row_hash
FROM _erp_snapshot AS snapshot;

-- Each row of the ERP snapshot (temporary _erp_snapshot, filled piece by piece) with a stable fingerprint
-- of all its source columns, for change capture and snapshot identity, and its place in the snapshot.
CREATE OR REPLACE TEMP TABLE _erp_hashed AS
SELECT *, md5(CAST(snapshot AS VARCHAR)) AS _row_hash, row_number() OVER () AS _snapshot_row
FROM _erp_snapshot AS snapshot;
DROP TABLE _erp_snapshot;

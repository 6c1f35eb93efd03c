-- The temporary tables of an ERP load, whatever step it stopped at.
DROP TABLE IF EXISTS _erp_snapshot;
DROP TABLE IF EXISTS _erp_hashed;
DROP TABLE IF EXISTS _erp_changed;

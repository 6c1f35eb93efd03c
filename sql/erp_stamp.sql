-- The ERP fingerprint a raw ERP table was last loaded and checked at, with that snapshot's size and drift.
SELECT stamp, snapshot_hash, rows, drift FROM quality.erp_stamps WHERE source = $source;

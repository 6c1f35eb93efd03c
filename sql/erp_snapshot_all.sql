-- The first load of an ERP table: every row of the snapshot is new.
ALTER TABLE _erp_hashed RENAME TO _erp_changed;

-- After an erasure or a restore: the next run reads the ERP again rather than trusting its fingerprint.
DELETE FROM quality.erp_stamps;

-- The snapshot's identity: the MD5 of its rows' fingerprints, sorted (byte order) and joined.
SELECT md5(coalesce(string_agg(_row_hash, '' ORDER BY _row_hash), '')) FROM _erp_hashed;

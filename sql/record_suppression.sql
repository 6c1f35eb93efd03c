INSERT INTO quality.suppression SELECT hash, kind, $erasure_id FROM erase_suppression;

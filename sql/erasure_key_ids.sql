SELECT DISTINCT hash_key_id FROM quality.erasure_log;

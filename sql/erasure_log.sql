SELECT erasure_id, erased_at, requested_by, key_kind, golden_ids, records, len(identifier_hashes) AS identifier_hashes,
       rows_removed, hash_key_id
FROM quality.erasure_log ORDER BY erased_at DESC LIMIT $limit;

INSERT INTO quality.erasure_log (erasure_id, erased_at, requested_by, key_kind, key_hash, golden_ids, records,
                                 identifier_hashes, rows_removed, hash_key_id)
VALUES ($erasure_id, $erased_at, $requested_by, $key_kind, $key_hash, $golden_ids, $records, $identifier_hashes,
        $rows_removed, $hash_key_id);

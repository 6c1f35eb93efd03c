SELECT source, record_id, record_hash FROM core.resolved_records;

INSERT INTO quality.ingested_files (source, source_file, file_hash, rows, partition_date, run_id, loaded_at, suppressed_rows)
VALUES ($source, $source_file, $file_hash, $rows, $partition_date, $run_id, $loaded_at, $suppressed_rows)
ON CONFLICT DO NOTHING;

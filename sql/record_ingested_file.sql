INSERT INTO quality.ingested_files (source, source_file, file_hash, rows, partition_date, run_id, loaded_at)
VALUES ($source, $source_file, $file_hash, $rows, $partition_date, $run_id, $loaded_at)
ON CONFLICT DO NOTHING;

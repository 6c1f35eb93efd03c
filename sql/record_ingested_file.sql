INSERT INTO quality.ingested_files (source, source_file, file_hash, rows, partition_date, run_id, loaded_at, suppressed_rows,
                                    file_size, file_mtime_ns)
VALUES ($source, $source_file, $file_hash, $rows, $partition_date, $run_id, $loaded_at, $suppressed_rows,
        $file_size, $file_mtime_ns)
ON CONFLICT DO NOTHING;

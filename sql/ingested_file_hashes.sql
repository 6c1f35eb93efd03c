SELECT file_hash FROM quality.ingested_files WHERE source = $source;

SELECT coalesce(sum(rows), 0) FROM quality.ingested_files WHERE source = $source;

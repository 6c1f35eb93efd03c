UPDATE quality.ingested_files SET erased_rows = coalesce(erased_rows, 0) + $n WHERE source = $source AND file_hash = $file_hash;

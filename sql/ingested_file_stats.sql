-- The landing files a source has loaded, by path, size and modification time: such a file is known without hashing it.
SELECT source_file, file_size, file_mtime_ns, file_hash FROM quality.ingested_files
WHERE source = $source AND file_size IS NOT NULL;

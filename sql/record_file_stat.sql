-- A loaded file seen again at its path with another size or time (touched, or loaded before sizes and
-- times were kept): remember them, so the next run need not hash it again.
UPDATE quality.ingested_files SET file_size = $file_size, file_mtime_ns = $file_mtime_ns
WHERE source = $source AND file_hash = $file_hash AND source_file = $source_file;

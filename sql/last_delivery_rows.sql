-- Rows of the source's latest loaded file or ERP change set.
SELECT rows FROM quality.ingested_files WHERE source = $source ORDER BY loaded_at DESC, source_file DESC LIMIT 1;

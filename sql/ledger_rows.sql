-- Rows raw holds from the source's files: loaded, less those later erased.
SELECT coalesce(sum(rows - coalesce(erased_rows, 0)), 0) FROM quality.ingested_files WHERE source = $source;

SELECT raw_table, loaded_at, definition, run_id FROM quality.staging_watermarks WHERE staging_table = $staging_table;

INSERT OR REPLACE INTO quality.staging_watermarks (staging_table, raw_table, loaded_at, definition, run_id)
VALUES ($staging_table, $raw_table, $loaded_at, $definition, $run_id);

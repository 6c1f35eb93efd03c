-- When change capture last found a new or changed row of the source (NULL: never).
SELECT max(loaded_at) FROM quality.ingested_files WHERE source = $source AND rows > 0;

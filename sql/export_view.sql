-- A view of exports/latest.duckdb over one exported Parquet file ({view}: quoted name; {path}: quoted literal).
CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet({path});

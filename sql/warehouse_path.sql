-- The file the connection writes to (null for an in-memory warehouse): stored models live beside it.
SELECT path FROM duckdb_databases() WHERE database_name = current_database();

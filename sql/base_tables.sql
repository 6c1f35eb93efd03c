-- Base tables of the warehouse (not views), with their columns.
SELECT t.schema_name, t.table_name, list(c.column_name ORDER BY c.column_index) AS columns
FROM duckdb_tables() t JOIN duckdb_columns() c ON c.schema_name = t.schema_name AND c.table_name = t.table_name
WHERE t.database_name = current_database() AND c.database_name = current_database()
GROUP BY ALL ORDER BY ALL;

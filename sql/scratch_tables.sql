-- Leftovers of an interrupted build: scratch tables are named <table>__next.
SELECT schema_name, table_name FROM duckdb_tables() WHERE table_name LIKE '%\_\_next' ESCAPE '\';

SELECT table_name, version FROM quality.table_versions WHERE list_contains($tables, table_name);

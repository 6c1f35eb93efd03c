-- The columns and types of a table, without its rows.
SELECT * FROM {target} LIMIT 0

-- Rows per value of one column.
SELECT {column}, count(*) FROM {target} GROUP BY 1;

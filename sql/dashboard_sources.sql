-- Dashboard: per source, its records and the golden customers they resolved into.
SELECT source, count(*) AS records, count(DISTINCT golden_id) AS golden_customers
FROM core.customer_xref
GROUP BY ALL
ORDER BY records DESC, source;

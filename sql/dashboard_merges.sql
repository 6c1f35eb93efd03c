-- Dashboard: golden customers by how many source records were merged into each.
SELECT CASE WHEN records >= 5 THEN '5+' ELSE records::VARCHAR END AS records_merged,
       count(*) AS customers, sum(records)::BIGINT AS records
FROM (SELECT golden_id, count(*) AS records FROM core.customer_xref GROUP BY ALL)
GROUP BY ALL
ORDER BY records_merged;

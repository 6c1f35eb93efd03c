-- Dashboard: customers per lifecycle stage and value tier.
SELECT coalesce(lifecycle_stage, 'unknown') AS lifecycle_stage, coalesce(value_tier, 'unknown') AS value_tier,
       count(*) AS customers
FROM marts.customer_segment
GROUP BY ALL
ORDER BY lifecycle_stage, value_tier;

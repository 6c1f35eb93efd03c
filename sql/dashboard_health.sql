-- Dashboard: customer data health per run: mean score and the shares complete and stale (in %).
SELECT as_of, recorded_at, customers, mean_health_score, 100 * share_complete AS pct_complete,
       100 * share_stale AS pct_stale
FROM quality.data_health_history
ORDER BY recorded_at;

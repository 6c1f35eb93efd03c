-- Dashboard: golden customers first seen per month, and the running total (customers whose first date is unknown are left out).
SELECT month, new_customers, sum(new_customers) OVER (ORDER BY month)::BIGINT AS total_customers
FROM (
    SELECT date_trunc('month', first_seen_at)::DATE AS month, count(*) AS new_customers
    FROM core.golden_customer
    WHERE first_seen_at IS NOT NULL
    GROUP BY ALL
)
ORDER BY month;

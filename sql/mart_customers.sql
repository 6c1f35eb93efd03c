-- Golden customers with what the marts describe them by.
SELECT golden_id, customer_kind, first_seen_at, industry, company_size, province, city, country
FROM core.golden_customer
ORDER BY golden_id;

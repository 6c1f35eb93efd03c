-- Dashboard: customers per RFM segment (customers with no purchase have no RFM segment).
SELECT coalesce(rfm_segment, 'No purchase') AS segment, count(*) AS customers
FROM marts.customer_segment
GROUP BY ALL
ORDER BY customers DESC, segment;

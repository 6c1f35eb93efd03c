-- Dashboard: customers per CLV band (CNY), with the band's total value for the mean.
SELECT band, band_order, count(*) AS customers, sum(clv) AS total_clv
FROM (
    SELECT clv,
           CASE WHEN clv IS NULL OR clv <= 0 THEN 0 WHEN clv < 100 THEN 1 WHEN clv < 500 THEN 2 WHEN clv < 1000 THEN 3
                WHEN clv < 5000 THEN 4 WHEN clv < 10000 THEN 5 ELSE 6 END AS band_order
    FROM marts.customer_clv
)
JOIN (VALUES (0, '0'), (1, '< 100'), (2, '100–500'), (3, '500–1k'), (4, '1k–5k'), (5, '5k–10k'), (6, '≥ 10k'))
    AS bands(band_order, band) USING (band_order)
GROUP BY ALL
ORDER BY band_order;

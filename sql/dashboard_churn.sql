-- Dashboard: scored customers per churn-risk band, with the band's mean churn probability.
SELECT risk_band, count(*) AS customers, avg(churn_probability) AS mean_probability
FROM marts.customer_churn_risk
GROUP BY risk_band
ORDER BY CASE risk_band WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END;

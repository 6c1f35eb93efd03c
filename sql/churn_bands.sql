-- The latest churn risk band of each customer: the high-risk tag of the segments.
SELECT golden_id, risk_band FROM marts.customer_churn_risk;

-- marts.customer_360: one wide row per golden customer, the golden record with every mart.
-- A view, so it always shows the marts as last published; analysts and BI read it by name.
CREATE OR REPLACE VIEW marts.customer_360 AS
SELECT
    g.*,
    h.household_id, h.household_size,
    s.as_of AS segment_as_of,
    s.* EXCLUDE (golden_id, customer_kind, as_of, open_tickets, frequency),
    s.frequency AS paid_orders,
    v.orders, v.historical_value, v.first_purchase_at, v.prob_alive, v.expected_purchases,
    v.expected_average_value, v.expected_spend, v.clv, v.horizon_days AS clv_horizon_days,
    c.churn_probability, c.risk_band AS churn_risk, c.top_reasons AS churn_reasons, c.model_version AS churn_model_version,
    f.* EXCLUDE (golden_id, as_of)
FROM core.golden_customer AS g
LEFT JOIN core.household AS h USING (golden_id)
LEFT JOIN marts.customer_segment AS s USING (golden_id)
LEFT JOIN marts.customer_clv AS v USING (golden_id)
LEFT JOIN marts.customer_churn_risk AS c USING (golden_id)
LEFT JOIN marts.customer_satisfaction AS f USING (golden_id);

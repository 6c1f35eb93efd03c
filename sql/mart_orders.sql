-- Orders of golden customers, amounts in CNY (fx_rates: currency, cny_per_unit, registered by the caller).
SELECT x.golden_id, o.order_id, o.ordered_at, o.status, o.currency,
       CAST(o.total_amount AS DOUBLE) * fx.cny_per_unit AS amount
FROM staging.orders AS o
JOIN core.customer_xref AS x ON x.source = o.customer_source AND x.record_id = o.customer_record_id
JOIN fx_rates AS fx ON fx.currency = o.currency
ORDER BY x.golden_id, o.ordered_at, o.order_id;

-- Per sales owner, the customers whose records need updating, most valuable first. Value: the
-- customer's CLV from the last published marts.customer_clv ($with_clv false: none yet).
SELECT h.owner, h.golden_id, h.name, h.health_score, h.completeness, h.days_since_update,
       list_concat(
           list_filter([CASE WHEN NOT h.has_contact THEN 'phone or email missing' END,
                        CASE WHEN NOT h.has_address THEN 'address missing' END,
                        CASE WHEN NOT h.has_identity THEN (CASE WHEN h.customer_kind = 'company' THEN 'credit code missing'
                                                           ELSE 'birth date missing' END) END,
                        CASE WHEN h.stale THEN 'not updated for ' || coalesce(h.days_since_update::VARCHAR, '?') || ' days' END],
                       lambda v: v IS NOT NULL),
           h.conflicting_fields, h.invalid_fields) AS needs,
       clv.clv AS value_cny
FROM health h
LEFT JOIN clv USING (golden_id)
WHERE h.owner IS NOT NULL AND h.health_score < 100
ORDER BY h.owner, value_cny DESC NULLS LAST, h.health_score, h.golden_id;

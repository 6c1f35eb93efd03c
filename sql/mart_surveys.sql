-- Survey answers of golden customers: through the ticket or order surveyed, else the
-- respondent's email, else phone (golden_contacts).
SELECT coalesce(tx.golden_id, ox.golden_id, em.golden_id, ph.golden_id) AS golden_id,
       s.response_id, s.survey_date, s.csat, s.nps,
       CASE WHEN tx.golden_id IS NOT NULL THEN 'ticket' WHEN ox.golden_id IS NOT NULL THEN 'order'
            WHEN em.golden_id IS NOT NULL THEN 'email' WHEN ph.golden_id IS NOT NULL THEN 'phone' END AS linked_by
FROM staging.survey_responses AS s
LEFT JOIN core.customer_xref AS tx ON tx.source = 'service_tickets' AND tx.record_id = s.ticket_id
LEFT JOIN staging.orders AS o ON o.order_id = s.order_id
LEFT JOIN core.customer_xref AS ox ON ox.source = o.customer_source AND ox.record_id = o.customer_record_id
LEFT JOIN golden_contacts AS em ON em.kind = 'email' AND em.value = s.email
LEFT JOIN golden_contacts AS ph ON ph.kind = 'phone' AND ph.value = s.phone
ORDER BY s.response_id;

-- Activity rows of the customers to erase, as (source, record_id): orders booked on their ERP records,
-- the lines of those orders, tickets on their records, survey answers and campaign touches by their
-- email or phone or about their tickets and orders. Reads staging, whose ids are the raw record ids.
WITH orders AS (
    SELECT CAST(o.order_id AS VARCHAR) AS record_id FROM staging.orders o
    JOIN erase_records e ON e.source = o.customer_source AND e.record_id = o.customer_record_id
), tickets AS (
    SELECT record_id FROM erase_records WHERE source = 'service_tickets'
    UNION SELECT CAST(t.ticket_id AS VARCHAR) FROM staging.service_tickets t
    JOIN erase_records e ON e.source = 'erp_customers' AND e.record_id = t.erp_customer_record_id
)
SELECT 'erp_orders' AS source, record_id FROM orders
UNION SELECT 'erp_order_items', CAST(i.order_id AS VARCHAR) || ':' || CAST(i.line_no AS VARCHAR) FROM staging.order_items i
    WHERE CAST(i.order_id AS VARCHAR) IN (SELECT record_id FROM orders)
UNION SELECT 'service_tickets', record_id FROM tickets
UNION SELECT 'surveys', CAST(s.response_id AS VARCHAR) FROM staging.survey_responses s
    WHERE s.email IN (SELECT value FROM erase_values WHERE kind = 'email')
       OR s.phone IN (SELECT value FROM erase_values WHERE kind = 'phone')
       OR CAST(s.ticket_id AS VARCHAR) IN (SELECT record_id FROM tickets)
       OR CAST(s.order_id AS VARCHAR) IN (SELECT record_id FROM orders)
UNION SELECT 'campaign_events', CAST(c.event_id AS VARCHAR) FROM staging.campaign_events c
    WHERE c.email IN (SELECT value FROM erase_values WHERE kind = 'email')
       OR c.phone IN (SELECT value FROM erase_values WHERE kind = 'phone');

-- Service tickets of golden customers: a ticket is itself a customer record of source service_tickets.
SELECT x.golden_id, t.ticket_id, t.ticket_type, t.channel, t.status, t.opened_at, t.resolved_at, t.hours_to_resolve
FROM staging.service_tickets AS t
JOIN core.customer_xref AS x ON x.source = 'service_tickets' AND x.record_id = t.ticket_id
ORDER BY x.golden_id, t.opened_at, t.ticket_id;

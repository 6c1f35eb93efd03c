-- Every email, phone and id number the records to erase hold (standardized), as (kind, value), less the
-- values other golden customers' records hold too (a company switchboard on a contact's record): those
-- identify someone else as well, and erasing or suppressing by them would take that customer with it.
WITH held AS (
    SELECT s.source, s.record_id, 'email' AS kind, unnest(list_append(coalesce(s.emails, []), s.email)) AS value
    FROM staging.customer_records s
    UNION ALL
    SELECT s.source, s.record_id, 'phone', unnest(list_append(coalesce(s.phones, []), s.phone))
    FROM staging.customer_records s
    UNION ALL
    SELECT s.source, s.record_id, 'id_number', unnest(list_append([i.value FOR i IN coalesce(s.identifiers, [])], s.id_number))
    FROM staging.customer_records s
), shared AS (
    SELECT DISTINCT h.kind, h.value FROM held h
    JOIN core.customer_xref x ON x.source = h.source AND x.record_id = h.record_id
    WHERE x.golden_id NOT IN (SELECT golden_id FROM erase_golden)
)
SELECT DISTINCT h.kind, h.value FROM held h
JOIN erase_records e ON e.source = h.source AND e.record_id = h.record_id
WHERE h.value IS NOT NULL AND h.value <> ''
  AND NOT EXISTS (SELECT 1 FROM shared WHERE shared.kind = h.kind AND shared.value = h.value);

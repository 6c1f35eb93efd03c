-- Every email, phone and id number the records to erase hold (standardized), as (kind, value).
SELECT DISTINCT kind, value FROM (
    SELECT 'email' AS kind, unnest(list_append(coalesce(s.emails, []), s.email)) AS value
    FROM staging.customer_records s JOIN erase_records e ON e.source = s.source AND e.record_id = s.record_id
    UNION ALL
    SELECT 'phone', unnest(list_append(coalesce(s.phones, []), s.phone))
    FROM staging.customer_records s JOIN erase_records e ON e.source = s.source AND e.record_id = s.record_id
    UNION ALL
    SELECT 'id_number', unnest(list_append([i.value FOR i IN coalesce(s.identifiers, [])], s.id_number))
    FROM staging.customer_records s JOIN erase_records e ON e.source = s.source AND e.record_id = s.record_id
)
WHERE value IS NOT NULL AND value <> '';

-- Golden customers to erase: named by golden id, or holding the email or phone (standardized, in
-- erase_request(kind, value)) on their golden record or on any of their records.
SELECT DISTINCT golden_id FROM (
    SELECT g.golden_id FROM core.golden_customer g JOIN erase_request r
        ON (r.kind = 'golden_id' AND g.golden_id = r.value)
        OR (r.kind = 'email' AND (g.email = r.value OR list_contains(g.emails, r.value)))
        OR (r.kind = 'phone' AND (g.phone = r.value OR list_contains(g.phones, r.value)))
    UNION ALL
    SELECT x.golden_id FROM staging.customer_records s
    JOIN erase_request r
        ON (r.kind = 'email' AND (s.email = r.value OR list_contains(s.emails, r.value)))
        OR (r.kind = 'phone' AND (s.phone = r.value OR list_contains(s.phones, r.value)))
    JOIN core.customer_xref x ON x.source = s.source AND x.record_id = s.record_id
);

-- The records of the golden customers to erase (erase_golden), and any staged record holding one of the
-- requested emails or phones even if it never resolved (quarantined, or before the first resolve).
SELECT DISTINCT source, record_id FROM (
    SELECT source, record_id FROM core.customer_xref WHERE golden_id IN (SELECT golden_id FROM erase_golden)
    UNION ALL
    SELECT s.source, s.record_id FROM staging.customer_records s JOIN erase_request r
        ON (r.kind = 'email' AND (s.email = r.value OR list_contains(s.emails, r.value)))
        OR (r.kind = 'phone' AND (s.phone = r.value OR list_contains(s.phones, r.value)))
);

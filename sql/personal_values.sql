-- Every golden customer's emails, phones and id numbers, one row per (kind, value): what a masked
-- export must not contain. kind matches assets/exports/consumers.py PERSONAL_COLUMNS.
SELECT DISTINCT kind, value FROM (
    SELECT 'email' AS kind, unnest(emails) AS value FROM core.golden_customer
    UNION ALL SELECT 'email', email FROM core.golden_customer
    UNION ALL SELECT 'phone', unnest(phones) FROM core.golden_customer
    UNION ALL SELECT 'phone', phone FROM core.golden_customer
    UNION ALL SELECT 'id_number', id_number FROM core.golden_customer
    UNION ALL SELECT 'id_number', unnest(identifiers).value FROM core.golden_customer
)
WHERE value IS NOT NULL AND value <> '';

-- Every email and phone of a golden customer that belongs to that customer alone: how survey
-- answers and campaign touches, which carry only a contact, find their customer.
CREATE OR REPLACE TEMP VIEW golden_contacts AS
WITH contacts AS (
    SELECT golden_id, 'email' AS kind, unnest(emails) AS value FROM core.golden_customer
    UNION ALL
    SELECT golden_id, 'phone' AS kind, unnest(phones) AS value FROM core.golden_customer
)
SELECT kind, value, min(golden_id) AS golden_id
FROM contacts
GROUP BY kind, value
HAVING count(DISTINCT golden_id) = 1;

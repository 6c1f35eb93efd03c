-- A customer table's rows of the customers in _crm360_consenting (golden_id): a consent-only export.
SELECT * FROM {target} WHERE golden_id IN (SELECT golden_id FROM _crm360_consenting);

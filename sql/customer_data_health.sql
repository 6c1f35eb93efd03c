-- Per golden customer: is its record complete, current and consistent (the seed documents' first
-- concern). $as_of: the run's date; $stale_days: older than this since the last update is stale.
WITH members AS (
    SELECT x.golden_id, r.source, r.record_id, r.birth_date, r.gender, r.attributes,
           coalesce(r.updated_at, r.created_at) AS changed_at
    FROM core.customer_xref x
    JOIN staging.customer_records r USING (source, record_id)
),
conflicts AS (
    SELECT golden_id,
           count(DISTINCT birth_date) AS birth_dates,
           count(DISTINCT gender) AS genders,
           arg_max(json_extract_string(attributes, '$.owner'), changed_at)
               FILTER (WHERE json_extract_string(attributes, '$.owner') IS NOT NULL) AS owner
    FROM members GROUP BY golden_id
),
nulled AS (
    SELECT x.golden_id, list(DISTINCT i.field || ': ' || i.reason ORDER BY i.field || ': ' || i.reason) AS invalid_fields
    FROM staging.customer_field_issues i
    JOIN core.customer_xref x USING (source, record_id)
    WHERE i.action = 'nulled'
    GROUP BY x.golden_id
),
health AS (
    SELECT g.golden_id, g.customer_kind,
           coalesce(g.full_name, g.company_name) AS name,
           coalesce(g.full_name, g.company_name) IS NOT NULL AS has_name,
           (g.phone IS NOT NULL OR g.email IS NOT NULL) AS has_contact,
           (g.address_line1 IS NOT NULL AND g.city IS NOT NULL) AS has_address,
           CASE WHEN g.customer_kind = 'company' THEN g.id_number IS NOT NULL ELSE g.birth_date IS NOT NULL END
               AS has_identity,
           g.last_updated_at,
           date_diff('day', CAST(g.last_updated_at AS DATE), CAST($as_of AS DATE)) AS days_since_update,
           list_filter([
               CASE WHEN c.birth_dates > 1 THEN 'birth_date: ' || c.birth_dates || ' different values' END,
               CASE WHEN c.genders > 1 THEN 'gender: ' || c.genders || ' different values' END
           ], lambda v: v IS NOT NULL) AS conflicting_fields,
           coalesce(n.invalid_fields, []) AS invalid_fields,
           c.owner
    FROM core.golden_customer g
    LEFT JOIN conflicts c USING (golden_id)
    LEFT JOIN nulled n USING (golden_id)
)
SELECT *,
       (has_name::INT + has_contact::INT + has_address::INT + has_identity::INT) / 4.0 AS completeness,
       coalesce(days_since_update > $stale_days, true) AS stale,
       -- 60 for completeness, 20 for being current, 20 for holding no conflicting or invalid value
       round(60 * (has_name::INT + has_contact::INT + has_address::INT + has_identity::INT) / 4.0
             + 20 * (NOT coalesce(days_since_update > $stale_days, true))::INT
             + 20 * (len(conflicting_fields) = 0 AND len(invalid_fields) = 0)::INT) AS health_score
FROM health
ORDER BY golden_id;

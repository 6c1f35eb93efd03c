-- Marketing consent per golden customer, from the consent statements of its records: every
-- golden customer once, with
--   marketing_consent  BOOLEAN    what its deciding statement says; false when it has none
--   consent_at         TIMESTAMP  when that statement was made, in UTC; null when there is none
--   consent_source     VARCHAR    the source of the deciding statement; null when there is none
-- A statement is a record's attributes.marketing_consent (mapping files: `attributes:`) read as
-- yes (是, y, yes, true, 1, 同意, opt-in) or no (否, n, no, false, 0, 不同意, opt-out), trimmed and
-- case-insensitive; anything else (blank, unknown) states nothing. The latest dated statement
-- wins. Its date is attributes.marketing_consent_at, a naive source time read as China Standard
-- Time like staging's other timestamps (assets/standardize/dates.py); an undated statement (or one
-- whose date cannot be read) is older than every dated one and is dated by its record's last change
-- (updated_at, else created_at). At the same time a "no" beats a "yes": withdrawal is the safe reading
-- (then source and record id, so the deciding source is always the same).
WITH statements AS (
    SELECT x.golden_id, r.source, r.record_id,
           lower(trim(json_extract_string(r.attributes, '$.marketing_consent'))) AS said,
           try_strptime(trim(json_extract_string(r.attributes, '$.marketing_consent_at')),
                        ['%Y/%m/%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d', '%Y/%m/%d', '%Y/%m/%d %H:%M:%S',
                         '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M:%S']) AS said_at_local,
           coalesce(r.updated_at, r.created_at) AS changed_at
    FROM core.customer_xref AS x
    JOIN staging.customer_records AS r USING (source, record_id)
),
decided AS (
    SELECT golden_id, source, record_id,
           CASE WHEN said IN ('是', 'y', 'yes', 'true', '1', '同意', 'opt-in') THEN true
                WHEN said IN ('否', 'n', 'no', 'false', '0', '不同意', 'opt-out') THEN false END AS consent,
           said_at_local IS NOT NULL AS dated,
           coalesce(timezone('UTC', timezone('Asia/Shanghai', said_at_local)),
                    timezone('UTC', changed_at)) AS consent_at
    FROM statements
),
latest AS (
    SELECT golden_id, consent, consent_at, source AS consent_source
    FROM decided
    WHERE consent IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY golden_id
        ORDER BY dated DESC, consent_at DESC NULLS LAST, consent ASC, source, record_id) = 1
)
SELECT g.golden_id,
       coalesce(l.consent, false) AS marketing_consent,
       l.consent_at,
       l.consent_source
FROM core.golden_customer AS g
LEFT JOIN latest AS l USING (golden_id)
ORDER BY g.golden_id;

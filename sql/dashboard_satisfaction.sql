-- Dashboard: CSAT (share satisfied, 0-100) and NPS (-100..100) of all respondents per month.
SELECT month, responses, csat_responses, csat_score, nps_responses, nps_score
FROM marts.satisfaction_by_segment_month
WHERE segment_kind = 'all'
ORDER BY month;

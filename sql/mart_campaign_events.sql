-- Campaign touches of golden customers, by the recipient's email, else phone (golden_contacts).
SELECT coalesce(em.golden_id, ph.golden_id) AS golden_id,
       e.event_id, e.campaign_id, e.channel, e.event_type, e.event_time
FROM staging.campaign_events AS e
LEFT JOIN golden_contacts AS em ON em.kind = 'email' AND em.value = e.email
LEFT JOIN golden_contacts AS ph ON ph.kind = 'phone' AND ph.value = e.phone
ORDER BY e.event_id;

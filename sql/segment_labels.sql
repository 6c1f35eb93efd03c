-- Each customer's segments, for satisfaction per segment and month.
SELECT golden_id, rfm_segment, value_tier, lifecycle_stage FROM marts.customer_segment;

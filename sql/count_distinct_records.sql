-- Records a raw table holds a version of (its last snapshot's size, for a change-captured table).
SELECT count(DISTINCT _record_id) FROM {target};

-- The changed rows of one span of the snapshot, in snapshot order.
SELECT * FROM _erp_changed WHERE _snapshot_row BETWEEN $first AND $last ORDER BY _snapshot_row;

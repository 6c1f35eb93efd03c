SELECT * EXCLUDE (_slice_row) FROM _staging_current WHERE _slice_row BETWEEN $first AND $last ORDER BY _slice_row;

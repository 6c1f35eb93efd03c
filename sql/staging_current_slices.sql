-- A first load out of core: the current records of one raw table (the query of raw_current_records),
-- numbered, for staging to take a slice at a time.
CREATE OR REPLACE TEMP TABLE _staging_current AS
SELECT *, row_number() OVER () AS _slice_row FROM ({current});

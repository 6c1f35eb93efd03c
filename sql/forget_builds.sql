-- After a change outside the pipeline (an erasure, a restore): every asset rebuilds on its next run.
DELETE FROM quality.table_versions;
DELETE FROM quality.asset_builds;

SELECT count(*) FROM core.golden_id_history;

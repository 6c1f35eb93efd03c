SELECT * FROM core.match_pairs;

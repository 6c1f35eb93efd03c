-- Append a checked scratch batch to its target; run inside the publish transaction.
CREATE TABLE IF NOT EXISTS {target} AS FROM {scratch} WITH NO DATA;
INSERT INTO {target} BY NAME FROM {scratch};
DROP TABLE {scratch};

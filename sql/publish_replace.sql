-- Swap a checked scratch table in for its target; run inside the publish transaction.
DROP TABLE IF EXISTS {target};
ALTER TABLE {scratch} RENAME TO {target_name};

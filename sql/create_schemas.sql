-- The warehouse layers, one schema each (DESIGN.md: Architecture).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS quality;

CREATE TABLE IF NOT EXISTS quality.check_results (
    run_id        VARCHAR,
    asset         VARCHAR NOT NULL,
    check_name    VARCHAR NOT NULL,
    passed        BOOLEAN NOT NULL,
    blocking      BOOLEAN NOT NULL,
    failing_rows  BIGINT,
    description   VARCHAR,
    sample        JSON,
    checked_at    TIMESTAMPTZ NOT NULL
);
-- added after the first release: warehouses created before get them here
ALTER TABLE quality.check_results ADD COLUMN IF NOT EXISTS severity VARCHAR;
ALTER TABLE quality.check_results ADD COLUMN IF NOT EXISTS metadata JSON;
COMMENT ON COLUMN quality.check_results.severity IS 'error: the asset was not published and downstream skipped; warn: reported only (as configured for this run).';
COMMENT ON COLUMN quality.check_results.metadata IS 'What the check measured (per-source counts, shares, the columns that changed).';
COMMENT ON TABLE quality.check_results IS 'Every data-quality check evaluation, newest last: which check, on which asset, how many rows failed, a sample of them.';

CREATE TABLE IF NOT EXISTS quality.ingested_files (
    source        VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,
    file_hash     VARCHAR NOT NULL,
    rows          BIGINT NOT NULL,
    partition_date DATE,
    run_id        VARCHAR,
    loaded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, file_hash)
);
COMMENT ON TABLE quality.ingested_files IS 'One row per landing file or ERP snapshot loaded into raw; a file whose hash is here is never loaded again.';

CREATE TABLE IF NOT EXISTS quality.quarantine (
    run_id          VARCHAR,
    asset           VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    record_id       VARCHAR,
    source_file     VARCHAR,
    row_number      BIGINT,
    reason          VARCHAR NOT NULL,
    record          JSON,
    quarantined_at  TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE quality.quarantine IS 'Records a layer could not use, with the reason and the record as it was; every run appends, see quality.quarantine_latest.';

CREATE OR REPLACE VIEW quality.quarantine_latest AS
SELECT q.* FROM quality.quarantine q
WHERE q.run_id IS NOT DISTINCT FROM (
    SELECT arg_max(run_id, quarantined_at) FROM quality.quarantine p WHERE p.asset = q.asset
);
COMMENT ON VIEW quality.quarantine_latest IS 'The quarantine of each asset''s latest run.';

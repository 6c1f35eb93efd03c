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

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
ALTER TABLE quality.ingested_files ADD COLUMN IF NOT EXISTS suppressed_rows BIGINT DEFAULT 0;
ALTER TABLE quality.ingested_files ADD COLUMN IF NOT EXISTS erased_rows BIGINT DEFAULT 0;
ALTER TABLE quality.ingested_files ADD COLUMN IF NOT EXISTS file_size BIGINT;
ALTER TABLE quality.ingested_files ADD COLUMN IF NOT EXISTS file_mtime_ns BIGINT;
COMMENT ON COLUMN quality.ingested_files.file_size IS 'The landing file''s size in bytes when it was loaded (NULL for ERP snapshots).';
COMMENT ON COLUMN quality.ingested_files.file_mtime_ns IS 'The landing file''s modification time (ns since the epoch) when it was loaded: a file at the same path with the same size and time is not hashed again.';
COMMENT ON COLUMN quality.ingested_files.rows IS 'Rows loaded into raw from the file (after suppression of erased customers).';
COMMENT ON COLUMN quality.ingested_files.suppressed_rows IS 'Rows of the file left out because they belong to an erased customer (quality.erasure_log).';
COMMENT ON COLUMN quality.ingested_files.erased_rows IS 'Rows of the file later removed from raw by crm360 erase.';
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

-- Privacy: erasures and what keeps an erased customer out of later runs. Neither holds personal data,
-- only keyed hashes (HMAC-SHA256, key CRM360_HASH_KEY) of identifiers and record keys.
CREATE TABLE IF NOT EXISTS quality.erasure_log (
    erasure_id      VARCHAR PRIMARY KEY,
    erased_at       TIMESTAMPTZ NOT NULL,
    requested_by    VARCHAR,
    key_kind        VARCHAR NOT NULL,
    key_hash        VARCHAR NOT NULL,
    golden_ids      VARCHAR[],
    records         BIGINT,
    identifier_hashes VARCHAR[],
    rows_removed    JSON,
    hash_key_id     VARCHAR NOT NULL
);
COMMENT ON TABLE quality.erasure_log IS 'One row per crm360 erase: when, by whom, by which key (as a keyed hash), the golden ids removed, the keyed hashes of their identifiers, and the rows removed per table.';
CREATE TABLE IF NOT EXISTS quality.suppression (
    hash        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    erasure_id  VARCHAR NOT NULL
);
COMMENT ON TABLE quality.suppression IS 'Keyed hashes of the record keys (source:record id), emails, phones and id numbers of erased customers: ingest leaves out any delivered row that matches one.';

-- Audit: one row per `crm360 run` (who, when, what was built, row counts, check summary).
CREATE TABLE IF NOT EXISTS quality.run_log (
    run_id          VARCHAR PRIMARY KEY,
    partition_date  DATE,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ NOT NULL,
    run_by          VARCHAR,
    host            VARCHAR,
    code_version    VARCHAR,
    success         BOOLEAN NOT NULL,
    assets_built    VARCHAR[],
    row_counts      JSON,
    checks_passed   INTEGER,
    checks_failed   JSON,
    errors          JSON,
    snapshot        VARCHAR
);
COMMENT ON TABLE quality.run_log IS 'One row per crm360 run: who ran it, when, with which code, what it built (rows per asset), what its checks said, and the snapshot it left.';

-- Incremental runs: a version per published table (bumped by every publish) and the inputs each asset
-- was last built from; an asset whose inputs' versions, run date and settings are unchanged is not rebuilt.
CREATE TABLE IF NOT EXISTS quality.table_versions (
    table_name    VARCHAR PRIMARY KEY,
    version       VARCHAR NOT NULL,
    published_at  TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE quality.table_versions IS 'One row per warehouse table: a new version id each time a run publishes it (replace or append). Downstream assets compare these to decide whether to rebuild.';
CREATE TABLE IF NOT EXISTS quality.asset_builds (
    asset         VARCHAR PRIMARY KEY,
    fingerprint   VARCHAR NOT NULL,
    run_id        VARCHAR,
    built_at      TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE quality.asset_builds IS 'Per asset, the fingerprint of what its last publish was built from (input table versions, run date, settings) and the run that built it; equal inputs on a later run carry the asset over instead of rebuilding it.';
CREATE TABLE IF NOT EXISTS quality.staging_watermarks (
    staging_table VARCHAR NOT NULL,
    raw_table     VARCHAR NOT NULL,
    loaded_at     TIMESTAMPTZ,
    definition    VARCHAR NOT NULL,
    run_id        VARCHAR,
    PRIMARY KEY (staging_table, raw_table)
);
COMMENT ON TABLE quality.staging_watermarks IS 'Per incremental staging table and raw input: the newest raw load it has standardized, the definition (mappings, code) it was built with, and the run; the next run standardizes only raw records loaded after it.';
CREATE TABLE IF NOT EXISTS quality.raw_rechecks (
    table_name    VARCHAR PRIMARY KEY,
    version       VARCHAR NOT NULL,
    total_rows    BIGINT NOT NULL,
    missing_rows  BIGINT NOT NULL,
    repeated_rows BIGINT NOT NULL,
    missing_sample  VARCHAR NOT NULL,
    repeated_sample VARCHAR NOT NULL,
    checked_at    TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE quality.raw_rechecks IS 'Per raw table: the record-id re-check (rows, blank and repeated ids, samples) of its version in quality.table_versions; while the version stands the re-check is not counted again.';
CREATE TABLE IF NOT EXISTS quality.erp_stamps (
    source        VARCHAR PRIMARY KEY,
    stamp         VARCHAR NOT NULL,
    snapshot_hash VARCHAR NOT NULL,
    rows          BIGINT NOT NULL,
    drift         VARCHAR NOT NULL,
    run_id        VARCHAR,
    recorded_at   TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE quality.erp_stamps IS 'Per raw ERP table: the fingerprint of the ERP database (SQLite: file identity, size, modification time, header) when its snapshot was last loaded and checked, with that snapshot''s rows and column drift; while the fingerprint is unchanged a run checks raw without reading the ERP again.';

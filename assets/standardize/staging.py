"""Build a staging table from the current raw records: standardize, check, publish atomically.

A pure function over a DuckDB connection (``build_staging``) and a thin Dagster factory
(``staging_asset``); the CLI and tests call the former.
"""


from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import dagster as dg
import duckdb
import pandera.polars as pa
import polars as pl

from assets.reporting import (carry_over, check_specs, finish_build, is_full_run, plan_build, report_checks,
                              stop_if_blocked)
from assets.standardize import incremental as inc
from assets.standardize.quarantine import Staged
from pipelines import warehouse as wh
from pipelines.config import WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import QualityPolicy, Warehouse
from pipelines.version import code_version
from quality.pandera_checks import merge_validations, validate_frame
from quality.results import CheckOutcome, Policy
from quality.staging_checks import QUARANTINE_WARN_SHARE, STAGING_CHECKS, quarantine_share, rows_reconcile
from quality.volume import MAX_CHANGE, VOLUME_CHECKS, row_count_change

QUARANTINE = wh.TableRef("quality", "quarantine")
SLICE_ROWS = 250_000  # records standardized at once by a table built row by row


@dataclass(frozen=True)
class StagingBuild:
    staged: Staged
    extra_tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # further staging tables, replaced together


@dataclass(frozen=True)
class StagingTable:
    name: str
    raw_tables: tuple[str, ...]
    build: Callable[[dict[str, pl.DataFrame], date], StagingBuild]
    schema: type[pa.DataFrameModel]
    key_columns: tuple[str, ...]
    description: str
    columns: dict[str, str]
    source_column: str | None = None  # column naming each row's source; None: the single raw table
    extra_descriptions: dict[str, str] = field(default_factory=dict)
    # built incrementally (assets/standardize/incremental.py): raw table -> the source its rows and its
    # quarantine name; each row derived from one raw row, whose lineage it keeps (extra tables: keyed by
    # source and record_id); ``definition``: what the rows depend on besides the code
    incremental: dict[str, str] | None = None
    definition: str = ""


@dataclass
class StagingOutcome:
    table: str
    rows: int = 0
    quarantined: int = 0
    checks: list[CheckOutcome] = field(default_factory=list)
    published: bool = False
    standardized: int = 0  # raw records standardized by this build (incremental: the new and changed ones)
    incremental: bool = False


def read_current(con: duckdb.DuckDBPyConnection, raw_table: str, since: datetime | None = None) -> pl.DataFrame:
    """The current version of every record of a raw table; with ``since``, of those loaded after it."""
    ref = wh.TableRef("raw", raw_table)
    if not wh.table_exists(con, ref):
        raise RuntimeError(f"{ref} has not been loaded yet; materialize the raw layer first")
    return wh.fetch_frame(con, wh.load_sql("raw_current_records").format(raw=ref.sql), {"since": since})


def _counts(frame: pl.DataFrame, column: str | None, default: str) -> dict[str, int]:
    if column is None:
        return {default: frame.height} if frame.height else {}
    return dict(frame.group_by(column).len().iter_rows())


def published_counts(con: duckdb.DuckDBPyConnection, ref: wh.TableRef, column: str | None,
                     default: str) -> dict[str, int] | None:
    """Rows per source of the table as last published (None before its first publish)."""
    if not wh.table_exists(con, ref):
        return None
    if column is None:
        return {default: wh.fetch_value(con, wh.load_sql("count_rows").format(target=ref.sql))}
    return dict(wh.fetch_rows(con, wh.load_sql("count_rows_by").format(target=ref.sql, column=wh.quote_ident(column))))


def build_in_slices(spec: StagingTable, inputs: dict[str, pl.DataFrame], as_of: date,
                    rows: int = SLICE_ROWS) -> StagingBuild:
    """``spec.build`` a slice of at most ``rows`` records at a time, for a table built row by row (an
    incremental one): the result is the same as in one go, and the memory of standardizing follows the
    slice, not the whole table (a first load of millions of records)."""
    if spec.incremental is None or sum(frame.height for frame in inputs.values()) <= rows:
        return spec.build(inputs, as_of)
    empty = {name: frame.clear() for name, frame in inputs.items()}
    parts = [spec.build({**empty, name: frame.slice(start, rows)}, as_of)
             for name, frame in inputs.items() for start in range(0, frame.height, rows)]

    def joined(frames: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(frames, how="vertical_relaxed")

    return StagingBuild(Staged(joined([p.staged.table for p in parts]), joined([p.staged.quarantined for p in parts])),
                        {name: joined([p.extra_tables[name] for p in parts]) for name in parts[0].extra_tables})


def _quarantine_rows(quarantined: pl.DataFrame, run_id: str | None, asset: str) -> pl.DataFrame:
    return quarantined.select(
        pl.lit(run_id, dtype=pl.String).alias("run_id"), pl.lit(asset).alias("asset"),
        "source", "record_id", pl.col("_source_file").alias("source_file"), pl.col("_row_number").alias("row_number"),
        "reason", "record", pl.lit(datetime.now(timezone.utc), dtype=pl.Datetime("us", "UTC")).alias("quarantined_at"),
    )


@dataclass(frozen=True)
class FirstLoad:
    rows: int  # staged
    quarantined: pl.DataFrame
    raw_counts: dict[str, int]  # current records per raw table
    schema_check: CheckOutcome
    extra_refs: list[wh.TableRef]


def _raw_rows(con: duckdb.DuckDBPyConnection, raw_tables: tuple[str, ...]) -> int:
    return sum(wh.fetch_value(con, wh.load_sql("count_rows").format(target=wh.TableRef("raw", name).sql))
               for name in raw_tables if wh.table_exists(con, wh.TableRef("raw", name)))


def stage_first_load(con: duckdb.DuckDBPyConnection, spec: StagingTable, ref: wh.TableRef, as_of: date,
                     rows: int = SLICE_ROWS) -> FirstLoad:
    """The first build of a table built row by row, out of core: each raw table's current records go
    to a DuckDB temporary table, come back ``rows`` at a time to be standardized, and are staged
    (scratch tables) as they come; only the quarantine is kept in memory. The same rows, quarantine
    and checks as ``build_in_slices`` over the whole input (tested), in the memory of a slice."""
    empty = {name: wh.fetch_frame(con, f"SELECT * FROM {wh.TableRef('raw', name).sql} LIMIT 0")
             for name in spec.raw_tables}
    writers: dict[str, wh.BatchWriter] = {}
    quarantined, checks, raw_counts = [], [], {}

    def take(part: StagingBuild) -> None:
        checks.append(validate_frame(spec.schema, part.staged.table, name="schema_valid", key_columns=spec.key_columns))
        for table, frame in {spec.name: part.staged.table, **part.extra_tables}.items():
            writers.setdefault(table, wh.BatchWriter(con, wh.TableRef("staging", table).scratch.sql)).add(frame)
        quarantined.append(part.staged.quarantined)

    try:
        for name in spec.raw_tables:
            current = wh.load_sql("raw_current_records").format(raw=wh.TableRef("raw", name).sql).strip().rstrip(";")
            wh.execute(con, wh.load_sql("staging_current_slices").format(current=current), {"since": None})
            raw_counts[name] = wh.fetch_value(con, "SELECT count(*) FROM _staging_current")
            for first in range(1, raw_counts[name] + 1, rows):
                piece = wh.fetch_frame(con, wh.load_sql("staging_current_slice"), {"first": first, "last": first + rows - 1})
                take(spec.build({**empty, name: piece}, as_of))
    finally:
        wh.execute(con, "DROP TABLE IF EXISTS _staging_current")
    if spec.name not in writers:  # no raw record at all: the empty build stages the empty table
        take(spec.build(empty, as_of))
    return FirstLoad(writers[spec.name].rows, pl.concat(quarantined, how="vertical_relaxed"), raw_counts,
                     merge_validations(checks), [wh.TableRef("staging", t) for t in writers if t != spec.name])


def build_staging(con: duckdb.DuckDBPyConnection, spec: StagingTable, as_of: date, run_id: str | None = None,
                  asset: str | None = None, policy: Policy | None = None, full: bool = False) -> StagingOutcome:
    """Standardize the current raw records into ``staging.<name>``: for an incremental table only the
    records loaded since its last build (unless ``full``), merged with the published rest."""
    ref = wh.TableRef("staging", spec.name)
    asset = asset or str(ref)
    loads = inc.newest_loads(con, spec.raw_tables) if spec.incremental else {}
    definition = inc.definition_hash(spec.definition, code_version())
    marks = None if full or not spec.incremental else inc.last_watermarks(con, spec.name, spec.raw_tables, definition)
    policy = policy or Policy()
    if marks is None and spec.incremental is not None and _raw_rows(con, spec.raw_tables) > SLICE_ROWS:
        first = stage_first_load(con, spec, ref, as_of)  # out of core: staged slice by slice
        quarantined, raw_counts = first.quarantined, first.raw_counts
        outcome = StagingOutcome(str(ref), first.rows, quarantined.height, standardized=first.rows + quarantined.height)
        if spec.source_column is None:
            raw_counts = {quarantined["source"][0] if quarantined.height else spec.raw_tables[0]: sum(raw_counts.values())}
        staged_counts = published_counts(con, ref.scratch, spec.source_column, next(iter(raw_counts))) or {}
        return _check_publish(con, spec, ref, first.extra_refs, outcome, first.schema_check, raw_counts, staged_counts,
                              quarantined, policy, loads, definition, run_id, asset)
    inputs = {name: read_current(con, name, marks.loaded_at[name] if marks else None) for name in spec.raw_tables}
    result = build_in_slices(spec, inputs, as_of)
    staged, quarantined = result.staged.table, result.staged.quarantined
    outcome = StagingOutcome(str(ref), staged.height, quarantined.height, standardized=staged.height + quarantined.height,
                             incremental=marks is not None)
    extra_refs = [wh.TableRef("staging", name) for name in result.extra_tables]
    if marks is None:
        raw_counts = {name: frame.height for name, frame in inputs.items()}
        if spec.source_column is None:
            raw_counts = {quarantined["source"][0] if quarantined.height else spec.raw_tables[0]: sum(raw_counts.values())}
        staged_counts = _counts(staged, spec.source_column, next(iter(raw_counts)))
        wh.stage(con, ref, staged)
        for extra_ref, frame in zip(extra_refs, result.extra_tables.values()):
            wh.stage(con, extra_ref, frame)
    else:  # the changed records' new rows, and the published rows (and quarantine) of all the others
        with wh.registered(con, _staging_changed=inc.changed_keys(inputs, spec.incremental),
                           _staging_replaced=inc.replaced_versions(con, marks)):
            inc.stage_merged(con, ref, staged)
            for extra_ref, frame in zip(extra_refs, result.extra_tables.values()):
                inc.stage_merged(con, extra_ref, frame, by_record=True)
            quarantine_scratch = wh.stage(con, QUARANTINE, _quarantine_rows(quarantined, run_id, asset))
            quarantined = inc.stage_quarantine(con, quarantine_scratch, run_id, marks.run_id, asset)
        raw_counts = {spec.incremental[name]: wh.fetch_value(
            con, wh.load_sql("raw_current_count").format(raw=wh.TableRef("raw", name).sql)) for name in spec.raw_tables}
        staged_counts = published_counts(con, ref.scratch, spec.source_column, spec.raw_tables[0]) or {}
        outcome.rows, outcome.quarantined = sum(staged_counts.values()), quarantined.height
    schema_check = validate_frame(spec.schema, staged, name="schema_valid", key_columns=spec.key_columns)
    return _check_publish(con, spec, ref, extra_refs, outcome, schema_check, raw_counts, staged_counts, quarantined,
                          policy, loads, definition, run_id, asset, quarantine_staged=marks is not None)


def _check_publish(con: duckdb.DuckDBPyConnection, spec: StagingTable, ref: wh.TableRef, extra_refs: list[wh.TableRef],
                   outcome: StagingOutcome, schema_check: CheckOutcome, raw_counts: dict[str, int],
                   staged_counts: dict[str, int], quarantined: pl.DataFrame, policy: Policy, loads: dict,
                   definition: str, run_id: str | None, asset: str, quarantine_staged: bool = False) -> StagingOutcome:
    """The checks over what is staged (in the scratch tables), then one publish of it all, or nothing."""
    scratches = [ref, *extra_refs, QUARANTINE]
    outcome.checks = policy.apply(outcome.table, [
        schema_check,
        rows_reconcile(raw_counts, staged_counts, _counts(quarantined, "source", "")),
        quarantine_share(raw_counts, quarantined, policy.threshold("quarantine_share", QUARANTINE_WARN_SHARE)),
        row_count_change(staged_counts, published_counts(con, ref, spec.source_column, next(iter(raw_counts), spec.name)),
                         policy.threshold("row_count_change", MAX_CHANGE)),
    ])
    if any(c.stops_run for c in outcome.checks):
        for scratch in scratches:
            wh.discard(con, scratch)
        return outcome
    if not quarantine_staged:
        wh.stage(con, QUARANTINE, _quarantine_rows(quarantined, run_id, asset))
    comments = {ref: (spec.description, spec.columns)}
    comments.update({r: (spec.extra_descriptions.get(r.table, ""), {}) for r in extra_refs})
    wh.publish(con, [ref, *extra_refs], appends=[QUARANTINE], comments=comments,
               also=inc.watermark_statements(spec.name, loads, definition, run_id) if spec.incremental else ())
    outcome.published = True
    return outcome


def staging_asset(spec: StagingTable) -> dg.AssetsDefinition:
    key = dg.AssetKey(["staging", spec.name])
    schema = dg.TableSchema(columns=[dg.TableColumn(name, "standardized", description=text)
                                     for name, text in spec.columns.items()])

    @dg.asset(
        key=key,
        group_name="staging",
        description=spec.description,
        deps=[dg.AssetKey(["raw", name]) for name in spec.raw_tables],
        partitions_def=daily_partitions,
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "polars", "pandera"},
        metadata={"dagster/table_name": f"staging.{spec.name}", "dagster/column_schema": schema},
        check_specs=check_specs(key, {**STAGING_CHECKS, **VOLUME_CHECKS}),
    )
    def _stage(context: dg.AssetExecutionContext, warehouse: Warehouse, quality: QualityPolicy) -> Iterator:
        as_of = date.fromisoformat(context.partition_key) if context.has_partition_key else date.today()
        with warehouse.get_connection() as con:
            # not the run date: a record is standardized as of the run that staged it (it matters only to
            # birth dates judged against it), so a day that brought nothing to these raw tables costs nothing
            plan = plan_build(context, con)
            if plan.carried:
                yield from carry_over(context, con, plan, {f"staging.{spec.name}": None})
                return
            outcome = build_staging(con, spec, as_of, context.run.run_id, key.to_user_string(), quality.policy(),
                                    full=is_full_run(context))
            yield from report_checks(context, con, outcome.table, outcome.checks)
            if outcome.published:
                finish_build(context, con, plan)
        stop_if_blocked(outcome.table, outcome.checks)
        yield dg.MaterializeResult(metadata={"dagster/row_count": outcome.rows, "quarantined": outcome.quarantined,
                                             "standardized": outcome.standardized, "incremental": outcome.incremental},
                                   data_version=plan.data_version)

    return _stage

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

from assets.reporting import check_specs, report_checks, stop_if_blocked
from assets.standardize.quarantine import Staged
from pipelines import warehouse as wh
from pipelines.config import WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import QualityPolicy, Warehouse
from quality.pandera_checks import validate_frame
from quality.results import CheckOutcome, Policy
from quality.staging_checks import QUARANTINE_WARN_SHARE, STAGING_CHECKS, quarantine_share, rows_reconcile
from quality.volume import MAX_CHANGE, VOLUME_CHECKS, row_count_change

QUARANTINE = wh.TableRef("quality", "quarantine")


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


@dataclass
class StagingOutcome:
    table: str
    rows: int = 0
    quarantined: int = 0
    checks: list[CheckOutcome] = field(default_factory=list)
    published: bool = False


def read_current(con: duckdb.DuckDBPyConnection, raw_table: str) -> pl.DataFrame:
    ref = wh.TableRef("raw", raw_table)
    if not wh.table_exists(con, ref):
        raise RuntimeError(f"{ref} has not been loaded yet; materialize the raw layer first")
    return wh.fetch_frame(con, wh.load_sql("raw_current_records").format(raw=ref.sql))


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


def build_staging(con: duckdb.DuckDBPyConnection, spec: StagingTable, as_of: date, run_id: str | None = None,
                  asset: str | None = None, policy: Policy | None = None) -> StagingOutcome:
    inputs = {name: read_current(con, name) for name in spec.raw_tables}
    result = spec.build(inputs, as_of)
    staged, quarantined = result.staged.table, result.staged.quarantined
    raw_counts = {name: frame.height for name, frame in inputs.items()}
    if spec.source_column is None:
        raw_counts = {quarantined["source"][0] if quarantined.height else spec.raw_tables[0]: sum(raw_counts.values())}
    staged_counts = _counts(staged, spec.source_column, next(iter(raw_counts)))
    outcome = StagingOutcome(f"staging.{spec.name}", staged.height, quarantined.height)
    policy = policy or Policy()
    outcome.checks = policy.apply(outcome.table, [
        validate_frame(spec.schema, staged, name="schema_valid", key_columns=spec.key_columns),
        rows_reconcile(raw_counts, staged_counts, _counts(quarantined, "source", "")),
        quarantine_share(raw_counts, quarantined, policy.threshold("quarantine_share", QUARANTINE_WARN_SHARE)),
        row_count_change(staged_counts, published_counts(con, wh.TableRef("staging", spec.name), spec.source_column,
                                                         next(iter(raw_counts), spec.name)),
                         policy.threshold("row_count_change", MAX_CHANGE)),
    ])
    if any(c.stops_run for c in outcome.checks):
        return outcome
    ref = wh.TableRef("staging", spec.name)
    wh.stage(con, ref, staged)
    extra_refs = [wh.TableRef("staging", name) for name in result.extra_tables]
    for extra_ref, frame in zip(extra_refs, result.extra_tables.values()):
        wh.stage(con, extra_ref, frame)
    now = datetime.now(timezone.utc)
    wh.stage(con, QUARANTINE, quarantined.select(
        pl.lit(run_id, dtype=pl.String).alias("run_id"), pl.lit(asset or outcome.table).alias("asset"),
        "source", "record_id", pl.col("_source_file").alias("source_file"), pl.col("_row_number").alias("row_number"),
        "reason", "record", pl.lit(now, dtype=pl.Datetime("us", "UTC")).alias("quarantined_at"),
    ))
    comments = {ref: (spec.description, spec.columns)}
    comments.update({r: (spec.extra_descriptions.get(r.table, ""), {}) for r in extra_refs})
    wh.publish(con, [ref, *extra_refs], appends=[QUARANTINE], comments=comments)
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
            outcome = build_staging(con, spec, as_of, context.run.run_id, key.to_user_string(), quality.policy())
            yield from report_checks(context, con, outcome.table, outcome.checks)
        stop_if_blocked(outcome.table, outcome.checks)
        yield dg.MaterializeResult(metadata={"dagster/row_count": outcome.rows, "quarantined": outcome.quarantined})

    return _stage

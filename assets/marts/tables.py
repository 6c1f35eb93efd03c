"""The mart tables' shared machinery: a table's description and column docs, atomic publish with
COMMENT ON, and a factory for the Dagster asset that builds, checks and publishes a mart.

A mart is built by a pure function of the warehouse connection (``build``) that returns its
frames and checks; the asset only schedules it, reports the checks and stops on a blocking one,
so the last good mart stays.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

import dagster as dg
import duckdb
import polars as pl

from assets.reporting import (carry_over, check_specs, finish_build, json_metadata, plan_build, report_checks,
                              stop_if_blocked)
from pipelines import warehouse as wh
from pipelines.config import WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import QualityPolicy, Warehouse
from quality.results import CheckOutcome, Policy
from quality.gx_suites import SUITES, gx_checks, run_suite
from quality.volume import DROP_CHECKS, MAX_CHANGE, row_count_drop


@dataclass(frozen=True)
class MartTable:
    name: str
    description: str
    columns: dict[str, str]  # column -> description

    @property
    def ref(self) -> wh.TableRef:
        return wh.TableRef("marts", self.name)

    @property
    def key(self) -> dg.AssetKey:
        return dg.AssetKey(["marts", self.name])


@dataclass
class MartBuild:
    frames: dict[str, pl.DataFrame]  # mart name -> rows
    checks: list[CheckOutcome] = field(default_factory=list)
    metadata: dict[str, dict] = field(default_factory=dict)  # mart name -> materialization metadata
    published: bool = False


def publish_marts(con: duckdb.DuckDBPyConnection, tables: Sequence[MartTable], build: MartBuild) -> None:
    """Stage every table of the build and swap them in together, with their comments."""
    for table in tables:
        wh.stage(con, table.ref, build.frames[table.name])
    wh.publish(con, [t.ref for t in tables], comments={t.ref: (t.description, t.columns) for t in tables})
    build.published = True


def build_and_publish(con: duckdb.DuckDBPyConnection, tables: Sequence[MartTable],
                      build: Callable[[duckdb.DuckDBPyConnection, date], MartBuild], as_of: date,
                      policy: Policy | None = None) -> MartBuild:
    """Build, and publish only when no check of severity error failed."""
    policy = policy or Policy()
    primary = tables[0]
    last_good = (wh.fetch_value(con, wh.load_sql("count_rows").format(target=primary.ref.sql))
                 if wh.table_exists(con, primary.ref) else None)
    result = build(con, as_of)
    checks = [*result.checks, row_count_drop(str(primary.ref), result.frames[primary.name].height, last_good,
                                             policy.threshold("row_count_drop", MAX_CHANGE))]
    if str(primary.ref) in SUITES:
        golden = wh.fetch_frame(con, wh.load_sql("golden_ids"))["golden_id"]
        checks.append(run_suite(str(primary.ref), result.frames[primary.name], golden, wh.gx_docs_dir(con)))
    result.checks = policy.apply(str(primary.ref), checks)
    if not any(c.stops_run for c in result.checks):
        publish_marts(con, tables, result)
    return result


def mart_asset(name: str, tables: Sequence[MartTable], deps: Sequence[dg.AssetKey],
               build: Callable[[duckdb.DuckDBPyConnection, date], MartBuild], description: str,
               checks: dict[str, tuple[bool, str]], kinds: set[str] | None = None, *,
               whole_because: str) -> dg.AssetsDefinition:
    """One Dagster multi-asset for the tables a mart build writes together; checks on the first.

    A mart is carried over when its inputs and the run date are unchanged, and otherwise recomputed
    whole; ``whole_because`` says why it is not updated for the touched customers only."""
    primary = tables[0]
    whole = f" Recomputed whole when an input or the run date changes: {whole_because}."
    description += whole
    specs = [dg.AssetSpec(t.key, group_name="marts", description=t.description + whole, deps=list(deps),
                          kinds=kinds or {"duckdb", "polars"},
                          metadata={"dagster/table_name": str(t.ref),
                                    "dagster/column_schema": dg.TableSchema(columns=[
                                        dg.TableColumn(c, "mart", description=text) for c, text in t.columns.items()])})
             for t in tables]

    @dg.multi_asset(name=name, specs=specs,
                    check_specs=check_specs(primary.key, {**checks, **DROP_CHECKS, **gx_checks(str(primary.ref))}),
                    partitions_def=daily_partitions, pool=WAREHOUSE_POOL, description=description)
    def _mart(context: dg.AssetExecutionContext, warehouse: Warehouse, quality: QualityPolicy) -> Iterator:
        as_of = date.fromisoformat(context.partition_key) if context.has_partition_key else date.today()
        with warehouse.get_connection() as con:
            plan = plan_build(context, con, settings={"as_of": as_of})
            if plan.carried:
                yield from carry_over(context, con, plan, {str(primary.ref): primary.key})
                return
            result = build_and_publish(con, tables, build, as_of, quality.policy())
            yield from report_checks(context, con, str(primary.ref), result.checks, asset_key=primary.key)
            if result.published:
                finish_build(context, con, plan)
        stop_if_blocked(str(primary.ref), result.checks)
        for table in tables:
            extra = {k: json_metadata(v) if isinstance(v, (dict, list)) else v
                     for k, v in result.metadata.get(table.name, {}).items()}
            yield dg.MaterializeResult(asset_key=table.key, data_version=plan.data_version,
                                       metadata={"dagster/row_count": result.frames[table.name].height, **extra})

    return _mart

"""Thin Dagster wrappers: one raw asset per source, its checks declared beside it."""


from collections.abc import Iterator
from datetime import date
from functools import partial

import dagster as dg

from assets.reporting import check_specs, is_full_run, report_checks, stop_if_blocked
from assets.ingest.erp_load import ingest_erp_snapshot, ingest_unchanged_erp
from assets.ingest.load import IngestOutcome, ingest_files
from assets.ingest.spec import LINEAGE_COLUMNS, ErpTable, FileSource
from pipelines import warehouse as wh
from pipelines.config import WAREHOUSE_POOL
from pipelines.erp import ArrowReadDeclined
from pipelines.partitions import daily_partitions
from pipelines.resources import ErpDatabase, Landing, QualityPolicy, Warehouse
from quality.raw_checks import RAW_CHECKS
from quality.freshness import FRESHNESS_CHECKS
from quality.volume import VOLUME_CHECKS

RAW_GROUP = "raw"


def raw_check_specs(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return check_specs(key, {**RAW_CHECKS, **VOLUME_CHECKS, **FRESHNESS_CHECKS})


def table_metadata(ref: wh.TableRef, columns: dict[str, str], column_type: str) -> dict:
    schema = dg.TableSchema(
        columns=[dg.TableColumn(name, column_type, description=text) for name, text in columns.items()]
        + [dg.TableColumn(name, "lineage", description=text) for name, text in LINEAGE_COLUMNS.items()]
    )
    return {"dagster/table_name": str(ref), "dagster/column_schema": schema}


def partition_date(context: dg.AssetExecutionContext) -> date | None:
    return date.fromisoformat(context.partition_key) if context.has_partition_key else None


def report(context: dg.AssetExecutionContext, con, outcome: IngestOutcome) -> Iterator:
    yield from report_checks(context, con, outcome.table, outcome.checks)
    stop_if_blocked(outcome.table, outcome.checks)
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": outcome.total_rows,
            "rows_added": outcome.rows_added,
            "new_files": dg.MetadataValue.json(outcome.new_files),
            "skipped_files": dg.MetadataValue.json(outcome.skipped_files),
            # the source's newest delivery, not this run: what Dagster's freshness checks judge
            **({"dagster/last_updated_timestamp": dg.MetadataValue.timestamp(outcome.newest_delivery)}
               if outcome.newest_delivery else {}),
        }
    )


def file_ingest_asset(source: FileSource) -> dg.AssetsDefinition:
    ref = wh.TableRef("raw", source.name)
    key = dg.AssetKey(["raw", source.name])

    @dg.asset(
        key=key,
        group_name=RAW_GROUP,
        description=source.description,
        partitions_def=daily_partitions,
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "polars", source.format},
        metadata=table_metadata(ref, source.columns, "as delivered" if source.format == "parquet" else "string"),
        check_specs=raw_check_specs(key),
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: Landing, quality: QualityPolicy):
        with warehouse.get_connection() as con:
            outcome = ingest_files(con, source, landing.root, as_of=partition_date(context), run_id=context.run.run_id,
                                   progress=context.log.info, policy=quality.policy(),
                                   trust_file_stats=not is_full_run(context))
            yield from report(context, con, outcome)

    return _ingest


def erp_ingest_asset(table: ErpTable) -> dg.AssetsDefinition:
    ref = wh.TableRef("raw", table.name)
    key = dg.AssetKey(["raw", table.name])

    @dg.asset(
        key=key,
        group_name=RAW_GROUP,
        description=table.description,
        partitions_def=daily_partitions,
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "polars", "sql"},
        metadata=table_metadata(ref, table.columns, "as in the ERP"),
        check_specs=raw_check_specs(key),
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: Warehouse, erp: ErpDatabase, quality: QualityPolicy):
        label, as_of, policy = f"{erp.label}#{table.table}", partition_date(context), quality.policy()
        stamp, outcome = erp.stamp(), None  # taken before the read: a change during it is read next time
        if not is_full_run(context):
            with warehouse.get_connection() as con:
                outcome = ingest_unchanged_erp(con, table, label, stamp, as_of=as_of, policy=policy)
        if outcome is None:
            load = partial(ingest_erp_snapshot, table=table, source_label=label, as_of=as_of,
                           run_id=context.run.run_id, policy=policy, stamp=stamp)
            with warehouse.get_connection() as con:
                try:  # piece by piece, in the memory of a piece
                    outcome = load(con, snapshot=erp.read_chunks(table.table))
                except ArrowReadDeclined as reason:
                    context.log.warning(f"{label}: read whole, through SQLAlchemy: {reason}")
                    outcome = load(con, snapshot=erp.read_table(table.table))
        else:
            context.log.info(f"{label}: the ERP is unchanged since its last good load (same file, size, time and "
                             "header); not read again")
        with warehouse.get_connection() as con:
            yield from report(context, con, outcome)

    return _ingest

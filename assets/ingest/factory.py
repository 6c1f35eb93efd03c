"""Thin Dagster wrappers: one raw asset per source, its checks declared beside it."""


import json
from collections.abc import Iterator
from datetime import date

import dagster as dg

from assets.ingest.load import IngestOutcome, ingest_erp_snapshot, ingest_files
from assets.ingest.spec import LINEAGE_COLUMNS, ErpTable, FileSource
from pipelines import warehouse as wh
from pipelines.config import WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import ErpDatabase, Landing, Warehouse
from quality.raw_checks import RAW_CHECKS

RAW_GROUP = "raw"


def raw_check_specs(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(name, asset=key, blocking=blocking, description=description)
        for name, (blocking, description) in RAW_CHECKS.items()
    ]


def table_metadata(ref: wh.TableRef, columns: dict[str, str], column_type: str) -> dict:
    schema = dg.TableSchema(
        columns=[dg.TableColumn(name, column_type, description=text) for name, text in columns.items()]
        + [dg.TableColumn(name, "lineage", description=text) for name, text in LINEAGE_COLUMNS.items()]
    )
    return {"dagster/table_name": str(ref), "dagster/column_schema": schema}


def partition_date(context: dg.AssetExecutionContext) -> date | None:
    return date.fromisoformat(context.partition_key) if context.has_partition_key else None


def report(context: dg.AssetExecutionContext, con, outcome: IngestOutcome) -> Iterator:
    """Record every check in quality.check_results, yield it to Dagster, and stop on a blocking failure."""
    for check in outcome.checks:
        wh.record_check_result(
            con, run_id=context.run.run_id, asset=outcome.table, check_name=check.name, passed=check.passed,
            blocking=check.blocking, failing_rows=check.failing_rows, description=check.description, sample=check.sample,
        )
        yield dg.AssetCheckResult(
            check_name=check.name,
            passed=check.passed,
            severity=dg.AssetCheckSeverity.ERROR if check.blocking else dg.AssetCheckSeverity.WARN,
            description=check.description,
            metadata={
                "failing_rows": check.failing_rows,
                "sample": dg.MetadataValue.json(json.loads(json.dumps(check.sample, default=str, ensure_ascii=False))),
                **{k: dg.MetadataValue.json(v) if isinstance(v, (list, dict)) else v for k, v in check.metadata.items()},
            },
        )
    if outcome.blocked_by:
        failed = ", ".join(f"{c.name} ({c.failing_rows} rows)" for c in outcome.blocked_by)
        raise dg.Failure(
            description=f"{outcome.table} not published: blocking check failed: {failed}; the last good table is unchanged.",
            allow_retries=False,
        )
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": outcome.total_rows,
            "rows_added": outcome.rows_added,
            "new_files": dg.MetadataValue.json(outcome.new_files),
            "skipped_files": dg.MetadataValue.json(outcome.skipped_files),
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
    def _ingest(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: Landing):
        with warehouse.get_connection() as con:
            outcome = ingest_files(con, source, landing.root, as_of=partition_date(context), run_id=context.run.run_id,
                                   progress=context.log.info)
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
    def _ingest(context: dg.AssetExecutionContext, warehouse: Warehouse, erp: ErpDatabase):
        snapshot = erp.read_table(table.table)
        with warehouse.get_connection() as con:
            outcome = ingest_erp_snapshot(con, table, snapshot, f"{erp.label}#{table.table}",
                                          as_of=partition_date(context), run_id=context.run.run_id)
            yield from report(context, con, outcome)

    return _ingest

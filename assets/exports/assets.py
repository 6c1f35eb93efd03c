"""One Dagster asset per export set (consumer), downstream of the marts and so gated by their checks."""


from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dagster as dg

from assets.exports.build import export_consumer, latest_run, remove_old_sets
from assets.exports.consumers import CONSUMERS, Consumer
from assets.exports.latest_db import build_latest_db
from assets.reporting import (carry_over, check_specs, finish_build, json_metadata, plan_build, report_checks,
                              stop_if_blocked)
from pipelines.config import WAREHOUSE_POOL
from pipelines.crypto import encryption_key, key_id
from pipelines.hashing import hash_key, hash_key_id
from pipelines.partitions import daily_partitions
from pipelines.resources import Exports, QualityPolicy, Warehouse
from pipelines.version import code_version
from quality.export_checks import CHECKS

UPSTREAM = [dg.AssetKey(["core", "golden_customer"]), dg.AssetKey(["marts", "customer_360"])] + [
    dg.AssetKey(["marts", name]) for name in ("customer_segment", "customer_clv", "customer_churn_risk",
                                              "customer_satisfaction")]


def _checks(consumer: Consumer) -> dict[str, tuple[bool, str]]:
    names = ["files_verified"] + (["no_personal_data"] if consumer.masked else []) + (
        ["consent_only"] if consumer.consent_only else [])
    return {name: CHECKS[name] for name in names}


def export_asset(consumer: Consumer) -> dg.AssetsDefinition:
    key = dg.AssetKey(["exports", consumer.name])
    tables = ", ".join(f"{s}.{t}" for s, t in consumer.tables)

    @dg.asset(key=key, group_name="exports", deps=UPSTREAM, partitions_def=daily_partitions, pool=WAREHOUSE_POOL,
              check_specs=check_specs(key, _checks(consumer)), kinds={"parquet", "polars"},
              description=f"{consumer.description} Files under exports/<date>/{consumer.name}/ with manifest.json "
                          f"(rows, schemas, SHA-256, run, code version); exports/latest/{consumer.name} points at the "
                          f"last set that passed its checks. Tables: {tables}.",
              metadata={"masking": json_metadata(consumer.masking), "consent_only": consumer.consent_only})
    def _export(context: dg.AssetExecutionContext, warehouse: Warehouse, exports: Exports,
                quality: QualityPolicy) -> Iterator:
        as_of = date.fromisoformat(context.partition_key) if context.has_partition_key else date.today()
        keys = hash_key(Path(warehouse.database)), encryption_key()
        with warehouse.get_connection() as con:
            plan = plan_build(context, con, settings={
                "as_of": as_of, "hash_key": hash_key_id(keys[0]), "encryption": keys[1] and key_id(keys[1])})
            if plan.carried and latest_run(exports.root, consumer.name) == plan.carried:
                yield from carry_over(context, con, plan, {f"exports.{consumer.name}": None})
                return
            result = export_consumer(con, consumer, exports.root, as_of, run_id=context.run.run_id,
                                     hash_key=keys[0], encryption_key=keys[1],
                                     code_version=code_version(), policy=quality.policy())
            yield from report_checks(context, con, f"exports.{consumer.name}", result.checks)
            if not any(c.stops_run for c in result.checks):
                finish_build(context, con, plan, files=True)
        stop_if_blocked(f"exports.{consumer.name}", result.checks)
        latest, views = build_latest_db(exports.root)
        removed = remove_old_sets(exports.root, as_of, exports.keep_days)
        yield dg.MaterializeResult(data_version=plan.data_version, metadata={
            "dagster/row_count": result.rows, "path": dg.MetadataValue.path(str(result.folder)),
            "tables": json_metadata({t: e["rows"] for t, e in result.tables.items()}),
            "bytes": result.bytes, "seconds": round(result.seconds, 2), "latest_duckdb": str(latest),
            "views": json_metadata(views), "old_sets_removed": len(removed)})

    return _export


export_assets = [export_asset(c) for c in CONSUMERS]

"""Customer data health: is each golden customer's record complete, current and consistent, and
which customers each sales owner should update first. Built after the core layer from what it
published (and the last published CLV, for value); its summary is kept per run."""


from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import dagster as dg
import duckdb
import polars as pl

from assets.reporting import (carry_over, check_specs, finish_build, json_metadata, plan_build, report_checks,
                              stop_if_blocked)
from pipelines import warehouse as wh
from pipelines.config import HEALTH_STALE_DAYS, WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import QualityPolicy, Warehouse
from quality.mart_checks import one_row_per_customer
from quality.results import CheckOutcome, Policy

HEALTH = wh.TableRef("quality", "customer_data_health")
BY_OWNER = wh.TableRef("quality", "data_health_by_owner")
HISTORY = wh.TableRef("quality", "data_health_history")
CLV = wh.TableRef("marts", "customer_clv")
KEYS = {"customer_data_health": dg.AssetKey(["quality", "customer_data_health"]),
        "data_health_by_owner": dg.AssetKey(["quality", "data_health_by_owner"])}

HEALTH_COLUMNS = {
    "golden_id": "Golden customer id.", "customer_kind": "person or company.", "name": "Name or company name.",
    "has_name": "A name (or company name) is known.", "has_contact": "A phone or an email is known.",
    "has_address": "A street address and city are known.",
    "has_identity": "A birth date (persons) or a credit code (companies) is known.",
    "last_updated_at": "Newest update of any of its records.", "days_since_update": "Days from that update to the run's date.",
    "conflicting_fields": "Fields its records disagree on (two birth dates, two genders).",
    "invalid_fields": "Values its records held that standardization nulled as invalid (field: reason).",
    "owner": "Sales owner, from the CRM's most recent record of the customer.",
    "completeness": "Share of the four key fields known (name, contact, address, identity).",
    "stale": "Not updated for more than HEALTH_STALE_DAYS days (or never).",
    "health_score": "0-100: 60 for completeness, 20 for being current, 20 for no conflicting or invalid value.",
}
BY_OWNER_COLUMNS = {
    "owner": "Sales owner.", "golden_id": "Golden customer id.", "name": "Name or company name.",
    "health_score": "Health score (0-100).", "completeness": "Share of key fields known.",
    "days_since_update": "Days since the last update.", "needs": "What to update, in words.",
    "value_cny": "Customer lifetime value from the last published marts.customer_clv (null before one exists).",
}
CHECKS: dict[str, tuple[bool, str]] = {
    "customer_data_health_one_row_per_customer": (True, "Every golden customer exactly once, none unknown."),
}


@dataclass
class HealthBuild:
    health: pl.DataFrame
    by_owner: pl.DataFrame
    summary: dict
    checks: list[CheckOutcome] = field(default_factory=list)
    published: bool = False


def summarize(health: pl.DataFrame) -> dict:
    """The run's figures: customers, and the shares complete, stale, conflicting and holding invalid values."""
    n = max(health.height, 1)
    return {
        "customers": health.height,
        "share_complete": round(health.filter(pl.col("completeness") == 1).height / n, 4),
        "share_stale": round(health["stale"].sum() / n, 4),
        "share_conflicting": round(health.filter(pl.col("conflicting_fields").list.len() > 0).height / n, 4),
        "share_invalid": round(health.filter(pl.col("invalid_fields").list.len() > 0).height / n, 4),
        "mean_health_score": round(float(health["health_score"].mean() or 0.0), 2),
    }


def build_health(con: duckdb.DuckDBPyConnection, as_of: date, stale_days: int = HEALTH_STALE_DAYS) -> HealthBuild:
    health = wh.fetch_frame(con, wh.load_sql("customer_data_health"), {"as_of": as_of, "stale_days": stale_days})
    clv = (wh.fetch_frame(con, wh.load_sql("select_all").format(target=CLV.sql)).select("golden_id", "clv")
           if wh.table_exists(con, CLV) else pl.DataFrame(schema={"golden_id": pl.String, "clv": pl.Float64}))
    con.register("health", health.to_arrow())
    con.register("clv", clv.to_arrow())
    try:
        by_owner = wh.fetch_frame(con, wh.load_sql("data_health_by_owner"))
    finally:
        con.unregister("health")
        con.unregister("clv")
    golden = wh.fetch_frame(con, wh.load_sql("golden_ids"))
    return HealthBuild(health, by_owner, summarize(health),
                       [one_row_per_customer("customer_data_health", health, golden, every_customer=True)])


def publish_health(con: duckdb.DuckDBPyConnection, build: HealthBuild, as_of: date, run_id: str | None) -> None:
    history = pl.DataFrame([{"run_id": run_id, "as_of": as_of, **build.summary,
                             "recorded_at": datetime.now(timezone.utc)}])
    wh.stage(con, HEALTH, build.health)
    wh.stage(con, BY_OWNER, build.by_owner)
    wh.stage(con, HISTORY, history)
    wh.publish(con, [HEALTH, BY_OWNER], appends=[HISTORY], comments={
        HEALTH: ("Per golden customer: completeness of its key fields, age of its latest update, conflicting and "
                 "invalid values, health score.", HEALTH_COLUMNS),
        BY_OWNER: ("Per sales owner: the customers whose records need updating, most valuable first.", BY_OWNER_COLUMNS),
        HISTORY: ("Customer data health per run: customers, shares complete, stale, conflicting, invalid; mean score.",
                  {})})
    build.published = True


def _spec(name: str, description: str, columns: dict[str, str], deps) -> dg.AssetSpec:
    return dg.AssetSpec(KEYS[name], group_name="quality", description=description, deps=deps, kinds={"duckdb", "sql"},
                        metadata={"dagster/table_name": f"quality.{name}",
                                  "dagster/column_schema": dg.TableSchema(columns=[
                                      dg.TableColumn(c, "health", description=t) for c, t in columns.items()])})


@dg.multi_asset(
    name="customer_data_health",
    specs=[_spec("customer_data_health", "Per golden customer: completeness of its key fields, age of its latest "
                 "update, conflicting and invalid values, and a 0-100 health score.", HEALTH_COLUMNS,
                 [dg.AssetKey(["core", "golden_customer"]), dg.AssetKey(["core", "customer_xref"])]),
           _spec("data_health_by_owner", "Per sales owner (the CRM's owner column): the customers whose records need "
                 "updating and what to update, most valuable (CLV) first.", BY_OWNER_COLUMNS,
                 [dg.AssetKey(["quality", "customer_data_health"])])],
    check_specs=check_specs(KEYS["customer_data_health"], CHECKS),
    partitions_def=daily_partitions, pool=WAREHOUSE_POOL,
    description="Customer data health, and what each sales owner should update first.",
)
def customer_data_health(context: dg.AssetExecutionContext, warehouse: Warehouse, quality: QualityPolicy) -> Iterator:
    as_of = date.fromisoformat(context.partition_key) if context.has_partition_key else date.today()
    policy: Policy = quality.policy()
    with warehouse.get_connection() as con:
        plan = plan_build(context, con, settings={"as_of": as_of})
        if plan.carried:
            yield from carry_over(context, con, plan, {str(HEALTH): KEYS["customer_data_health"]})
            return
        build = build_health(con, as_of, int(policy.threshold("health_stale_days", HEALTH_STALE_DAYS)))
        build.checks = policy.apply(str(HEALTH), build.checks)
        if not any(c.stops_run for c in build.checks):
            publish_health(con, build, as_of, context.run.run_id)
            finish_build(context, con, plan)
        yield from report_checks(context, con, str(HEALTH), build.checks, asset_key=KEYS["customer_data_health"])
    stop_if_blocked(str(HEALTH), build.checks)
    yield dg.MaterializeResult(asset_key=KEYS["customer_data_health"], data_version=plan.data_version,
                               metadata={"dagster/row_count": build.health.height, "summary": json_metadata(build.summary)})
    yield dg.MaterializeResult(asset_key=KEYS["data_health_by_owner"], data_version=plan.data_version,
                               metadata={"dagster/row_count": build.by_owner.height,
                                         "owners": build.by_owner["owner"].n_unique()})

"""marts.customer_360: the SQL view joining the golden record with every mart (sql/customer_360.sql)."""

from collections.abc import Iterator

import dagster as dg
import duckdb

from assets.reporting import carry_over, check_specs, finish_build, plan_build, report_checks, stop_if_blocked
from pipelines import warehouse as wh
from pipelines.config import WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import QualityPolicy, Warehouse
from quality.results import CheckOutcome, Policy, outcome

KEY = dg.AssetKey(["marts", "customer_360"])
DESCRIPTION = ("One wide row per golden customer: the golden record, its household, segments, CLV, churn risk and "
               "satisfaction. A view over the published tables, for analysts and BI.")
CHECKS = {"customer_360_one_row_per_customer": (True, "Exactly one row per golden customer.")}
UPSTREAM = [dg.AssetKey(["core", "golden_customer"]), dg.AssetKey(["core", "household"])] + [
    dg.AssetKey(["marts", name]) for name in ("customer_segment", "customer_clv", "customer_churn_risk",
                                               "customer_satisfaction")]


def build_customer_360(con: duckdb.DuckDBPyConnection,
                       policy: Policy | None = None) -> tuple[int, list[CheckOutcome]]:
    """(Re)create the view in one transaction with its comment, then count its rows per customer."""
    wh.execute(con, "BEGIN TRANSACTION")
    try:
        wh.execute(con, wh.load_sql("customer_360"))
        wh.execute(con, wh.load_sql("comment_customer_360"))
        wh.execute(con, "COMMIT")
    except BaseException:
        con.rollback()
        raise
    rows, customers = wh.fetch_rows(con, wh.load_sql("customer_360_counts"))[0]
    return rows, (policy or Policy()).apply("marts.customer_360", [
        outcome(CHECKS, "customer_360_one_row_per_customer", rows == customers, abs(rows - customers),
                rows=rows, golden_customers=customers)])


@dg.asset(key=KEY, group_name="marts", description=DESCRIPTION, deps=UPSTREAM, partitions_def=daily_partitions,
          pool=WAREHOUSE_POOL, kinds={"duckdb", "sql"}, check_specs=check_specs(KEY, CHECKS),
          metadata={"dagster/table_name": "marts.customer_360"})
def customer_360(context: dg.AssetExecutionContext, warehouse: Warehouse, quality: QualityPolicy) -> Iterator:
    with warehouse.get_connection() as con:
        plan = plan_build(context, con)
        if plan.carried:
            yield from carry_over(context, con, plan, {"marts.customer_360": KEY})
            return
        rows, checks = build_customer_360(con, quality.policy())
        yield from report_checks(context, con, "marts.customer_360", checks, asset_key=KEY)
        if not any(c.stops_run for c in checks):
            finish_build(context, con, plan, files=True)  # a view: no publish gives it a version
    stop_if_blocked("marts.customer_360", checks)
    yield dg.MaterializeResult(metadata={"dagster/row_count": rows}, data_version=plan.data_version)

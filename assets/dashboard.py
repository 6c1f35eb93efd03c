"""The dashboard: one self-contained HTML page of charts a manager can open from the warehouse's
folder after every run (growth, merges, segments, CLV, churn, satisfaction, data quality).

Each chart is a small aggregate from ``sql/dashboard_<name>.sql``, drawn as a Vega-Lite spec by
Altair; Vega's JavaScript is inlined once from vl-convert's bundle, so the page loads no URL."""

# No `from __future__ import annotations`: Dagster checks the asset's context annotation as an object.
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import dagster as dg
import duckdb
import jinja2
import polars as pl

from assets.reporting import carry_over, finish_build, plan_build
from pipelines import warehouse as wh
from pipelines.config import WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse

KEY = dg.AssetKey(["exports", "dashboard"])
DEPS = [dg.AssetKey(k) for k in (["core", "golden_customer"], ["core", "customer_xref"], ["marts", "customer_segment"],
                                 ["marts", "customer_clv"], ["marts", "customer_churn_risk"],
                                 ["marts", "customer_satisfaction"], ["marts", "satisfaction_by_segment_month"],
                                 ["quality", "customer_data_health"])]
TEMPLATE = "dashboard.html.j2"
@dataclass(frozen=True)
class Chart:
    """One chart: its data is ``sql/dashboard_<name>.sql`` over ``tables`` (no data yet while one is missing),
    drawn by ``<name>`` of assets/dashboard_charts.py."""
    name: str
    title: str
    note: str
    tables: tuple[wh.TableRef, ...]


GOLDEN, XREF = wh.TableRef("core", "golden_customer"), wh.TableRef("core", "customer_xref")
SEGMENT = wh.TableRef("marts", "customer_segment")
CHARTS = (
    Chart("growth", "Customers over time", "Golden customers by month first seen (bars) and in total (line).",
          (GOLDEN,)),
    Chart("sources", "Customers by source", "Records per source and the golden customers they belong to.",
          (XREF,)),
    Chart("merges", "Records merged into golden customers", "How many source records each golden customer unites.",
          (XREF,)),
    Chart("segments", "Segment mix (RFM)", "Customers per RFM segment.", (SEGMENT,)),
    Chart("tiers", "Lifecycle stage and value tier", "Customers per lifecycle stage, coloured by tier.",
          (SEGMENT,)),
    Chart("clv", "Customer lifetime value", "Customers per predicted CLV band.",
          (wh.TableRef("marts", "customer_clv"),)),
    Chart("churn", "Churn risk", "Customers with purchases, per churn-risk band.",
          (wh.TableRef("marts", "customer_churn_risk"),)),
    Chart("satisfaction", "Satisfaction trend", "CSAT and NPS of all survey answers, per month.",
          (wh.TableRef("marts", "satisfaction_by_segment_month"),)),
    Chart("checks", "Data-quality checks per run", "Checks passed and failed in the last 30 runs.",
          (wh.TableRef("quality", "check_results"),)),
    Chart("health", "Customer data health over time", "Mean health score, and shares of records complete and stale.",
          (wh.TableRef("quality", "data_health_history"),)),
)


@dataclass(frozen=True)
class DashboardSummary:
    path: Path
    charts: int  # charts drawn (with data)
    bytes: int
    empty: tuple[str, ...] = ()  # charts with no data yet


def dashboard_data(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Each chart's aggregate; an empty frame where a table it reads does not exist yet."""
    return {c.name: wh.fetch_frame(con, wh.load_sql(f"dashboard_{c.name}"))
            if all(wh.table_exists(con, t) for t in c.tables) else pl.DataFrame() for c in CHARTS}


def _total(data: dict[str, pl.DataFrame], name: str, column: str, where: pl.Expr | None = None) -> float | None:
    frame = data.get(name, pl.DataFrame())
    frame = frame.filter(where) if where is not None and frame.height else frame
    return float(frame[column].sum()) if frame.height else None


def headline(data: dict[str, pl.DataFrame]) -> list[tuple[str, str]]:
    """The figures at the top of the page, as (label, formatted value); "–" where there is no data yet."""
    golden, records = _total(data, "merges", "customers"), _total(data, "merges", "records")
    scored, clv_total = _total(data, "churn", "customers"), _total(data, "clv", "total_clv")
    high, clv_customers = _total(data, "churn", "customers", pl.col("risk_band") == "high"), _total(data, "clv", "customers")
    nps = data.get("satisfaction", pl.DataFrame())
    nps = nps.drop_nulls("nps_score") if nps.height else nps

    def fmt(value: float | None, spec: str = ",.0f") -> str:
        return "–" if value is None else format(value, spec)

    return [("golden customers", fmt(golden)), ("source records", fmt(records)),
            ("records per customer", fmt(records / golden if golden and records else None, ".2f")),
            ("VIP customers", fmt(_total(data, "tiers", "customers", pl.col("value_tier") == "VIP"))),
            ("mean CLV (CNY)", fmt(clv_total / clv_customers if clv_customers else None)),
            ("at high churn risk (of scored)", fmt(high / scored if scored and high is not None else None, ".1%")),
            ("latest NPS" + (f" ({nps['month'][-1]:%Y-%m})" if nps.height else ""),
             fmt(nps["nps_score"][-1] if nps.height else None, "+.0f"))]


def _vega_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates as YYYY-MM-DD and times as ISO UTC strings, which the browser reads as UTC whatever its zone."""
    return frame.with_columns(
        *(pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date),
        *(pl.col(c).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ") if t.time_zone
          else pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ") for c, t in frame.schema.items() if t == pl.Datetime))


def _spec(chart: Chart, frame: pl.DataFrame) -> str:
    """The chart's Vega-Lite spec as JSON safe inside a <script> element (no "<" at all; no $schema URL)."""
    values = _vega_values(frame)
    from assets import dashboard_charts  # imported here: Altair is only needed to draw

    spec = getattr(dashboard_charts, chart.name)(values).properties(width="container", height=240).to_dict()
    spec.pop("$schema", None)
    return json.dumps(spec, ensure_ascii=False, default=str).replace("<", "\\u003c")


def render_dashboard(data: dict[str, pl.DataFrame], *, title: str, as_of: date, run_id: str | None) -> str:
    """The page: headline figures, then one panel per chart (a spec, or a "no data yet" note)."""
    import vl_convert  # imported here: only rendering needs it, and it is large

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True)
    panels = [{"chart": c, "spec": _spec(c, data[c.name]) if data.get(c.name, pl.DataFrame()).height else None}
              for c in CHARTS]
    return env.get_template(TEMPLATE).render(
        title=title, as_of=as_of, run_id=run_id, headline=headline(data), panels=panels,
        built_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        vega_bundle=vl_convert.javascript_bundle().replace("</script", "<\\/script"))


def dashboard_path(warehouse: Path) -> Path:
    """Beside the warehouse file: data/warehouse.duckdb -> data/warehouse.dashboard.html."""
    return warehouse.with_name(f"{warehouse.stem}.dashboard.html")


def write_dashboard(con: duckdb.DuckDBPyConnection, path: Path, *, as_of: date,
                    run_id: str | None) -> DashboardSummary:
    """Render and replace the page in one rename, so a reader never sees half a page."""
    data = dashboard_data(con)
    page = render_dashboard(data, title="crm360 customer dashboard", as_of=as_of, run_id=run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(page, encoding="utf-8")
    os.replace(scratch, path)
    empty = tuple(name for name, frame in data.items() if not frame.height)
    return DashboardSummary(path, len(CHARTS) - len(empty), path.stat().st_size, empty)


@dg.asset(key=KEY, group_name="exports", deps=DEPS, partitions_def=daily_partitions, pool=WAREHOUSE_POOL,
          kinds={"html"}, description="The customer dashboard: one self-contained HTML page beside the warehouse "
          "(growth, merges, segments, CLV, churn risk, satisfaction, data quality), rebuilt when its inputs or the "
          "run date change.")
def dashboard(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator:
    as_of = date.fromisoformat(context.partition_key) if context.has_partition_key else date.today()
    path = dashboard_path(Path(warehouse.database).resolve())
    with warehouse.get_connection() as con:
        plan = plan_build(context, con, settings={"as_of": as_of})
        if plan.carried and path.is_file():
            yield from carry_over(context, con, plan, {})
            return
        summary = write_dashboard(con, path, as_of=as_of, run_id=context.run.run_id)
        finish_build(context, con, plan, files=True)
    yield dg.MaterializeResult(data_version=plan.data_version, metadata={
        "dagster/uri": dg.MetadataValue.url(path.as_uri()), "path": dg.MetadataValue.path(str(path)),
        "charts": summary.charts, "charts_without_data": ", ".join(summary.empty) or "none", "bytes": summary.bytes})

"""Build every mart from about a million golden customers: seconds per mart and the churn model's
held-out AUC.

A built demo warehouse (``make run``) is scaled up by copying its golden customers with their
orders, tickets, survey answers and campaign touches K times under new ids (DuckDB SQL, seconds),
then each mart is built and published exactly as the daily job does (``assets.marts``).
    .venv/bin/python bench/bench_marts.py                       # ~1M golden customers from data/warehouse.duckdb
    .venv/bin/python bench/bench_marts.py --customers 200000
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from assets.marts.churn import CHURN_MODEL_CARD, CUSTOMER_CHURN_RISK, build_churn  # noqa: E402
from assets.marts.clv import CLV_CALIBRATION, CLV_DIAGNOSTICS, CUSTOMER_CLV, build_clv  # noqa: E402
from assets.marts.customer_360 import build_customer_360  # noqa: E402
from assets.marts.satisfaction import CUSTOMER_SATISFACTION, SATISFACTION_BY_SEGMENT_MONTH, build_satisfaction  # noqa: E402
from assets.marts.segments import CUSTOMER_SEGMENT, build_customer_segment  # noqa: E402
from assets.marts.tables import build_and_publish  # noqa: E402
from pipelines import warehouse as wh  # noqa: E402

# Each copy gets new ids (suffix -<copy>) and new contacts, so it links exactly as the original does.
SCALE_SQL = """
CREATE SCHEMA IF NOT EXISTS core; CREATE SCHEMA IF NOT EXISTS staging; CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE core.golden_customer AS
  SELECT g.* REPLACE (g.golden_id || '-' || k AS golden_id,
                      list_transform(g.emails, lambda e: k || '.' || e) AS emails,
                      list_transform(g.phones, lambda p: p || '-' || k) AS phones)
  FROM src.core.golden_customer AS g, range($copies) AS r(k);
CREATE TABLE core.customer_xref AS
  SELECT x.* REPLACE (x.record_id || '-' || k AS record_id, x.golden_id || '-' || k AS golden_id)
  FROM src.core.customer_xref AS x, range($copies) AS r(k);
CREATE TABLE core.household AS
  SELECT h.* REPLACE (h.golden_id || '-' || k AS golden_id, h.household_id || '-' || k AS household_id)
  FROM src.core.household AS h, range($copies) AS r(k);
CREATE TABLE staging.orders AS
  SELECT o.* REPLACE (o.order_id || '-' || k AS order_id, o.customer_record_id || '-' || k AS customer_record_id)
  FROM src.staging.orders AS o, range($copies) AS r(k);
CREATE TABLE staging.service_tickets AS
  SELECT t.* REPLACE (t.ticket_id || '-' || k AS ticket_id) FROM src.staging.service_tickets AS t, range($copies) AS r(k);
CREATE TABLE staging.survey_responses AS
  SELECT s.* REPLACE (s.response_id || '-' || k AS response_id, s.ticket_id || '-' || k AS ticket_id,
                      s.order_id || '-' || k AS order_id, k || '.' || s.email AS email, s.phone || '-' || k AS phone)
  FROM src.staging.survey_responses AS s, range($copies) AS r(k);
CREATE TABLE staging.campaign_events AS
  SELECT e.* REPLACE (e.event_id || '-' || k AS event_id, k || '.' || e.email AS email, e.phone || '-' || k AS phone)
  FROM src.staging.campaign_events AS e, range($copies) AS r(k);
"""
MARTS = [  # in the daily job's order: churn feeds the segments' tags, segments feed satisfaction
    ("customer_churn_risk", [CUSTOMER_CHURN_RISK, CHURN_MODEL_CARD], build_churn),
    ("customer_segment", [CUSTOMER_SEGMENT], build_customer_segment),
    ("customer_satisfaction", [CUSTOMER_SATISFACTION, SATISFACTION_BY_SEGMENT_MONTH], build_satisfaction),
    ("customer_clv", [CUSTOMER_CLV, CLV_DIAGNOSTICS, CLV_CALIBRATION], build_clv),
]


def scale(source: Path, target: Path, copies: int) -> None:
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        wh.execute(con, f"ATTACH {wh.quote_literal(str(source))} AS src (READ_ONLY)")
        for statement in filter(str.strip, SCALE_SQL.split(";")):
            wh.execute(con, statement, {"copies": copies} if "$copies" in statement else None)
        wh.execute(con, "DETACH src")
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb", help="a built demo warehouse")
    parser.add_argument("--customers", type=int, default=1_000_000, help="golden customers to build the marts for")
    parser.add_argument("--as-of", default="2026-11-01", help="the run's business date (the demo data's)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "bench_marts.duckdb")  # not marts.duckdb: its catalog would shadow the schema
    args = parser.parse_args()
    console = Console(soft_wrap=True)
    as_of = date.fromisoformat(args.as_of)

    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        base = wh.fetch_value(con, "SELECT count(*) FROM core.golden_customer")
    copies = max(1, math.ceil(args.customers / base))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    scale(args.warehouse, args.out, copies)
    scaled_seconds = time.perf_counter() - started

    con = duckdb.connect(str(args.out))
    timings, card = {}, {}
    try:
        counts = {t: wh.fetch_value(con, f"SELECT count(*) FROM {t}") for t in
                  ("core.golden_customer", "staging.orders", "staging.service_tickets", "staging.survey_responses",
                   "staging.campaign_events")}
        console.print(f"scaled {base:,} golden customers x {copies} in {scaled_seconds:.1f} s: "
                      + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        for name, tables, build in MARTS:
            t0 = time.perf_counter()
            result = build_and_publish(con, tables, build, as_of)
            timings[name] = time.perf_counter() - t0
            failed = [c.name for c in result.checks if not c.passed]
            console.print(f"  {name}: {timings[name]:.1f} s, {result.frames[tables[0].name].height:,} rows"
                          + (f", checks failed: {failed}" if failed else ""), highlight=False)
            if name == "customer_churn_risk":
                card = result.frames[CHURN_MODEL_CARD.name].row(0, named=True) if result.frames[CHURN_MODEL_CARD.name].height else {}
        t0 = time.perf_counter()
        build_customer_360(con)
        timings["customer_360"] = time.perf_counter() - t0
    finally:
        con.close()

    table = Table(title=f"marts for {counts['core.golden_customer']:,} golden customers (as of {as_of})")
    table.add_column("mart")
    table.add_column("seconds", justify="right")
    for name, seconds in timings.items():
        table.add_row(name, f"{seconds:.1f}")
    table.add_row("[bold]all marts[/bold]", f"[bold]{sum(timings.values()):.1f}[/bold]")
    console.print(table)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory {peak:,.0f} MB")
    if card:
        console.print(f"churn model {card['model_version']}: held-out ({card['heldout_cutoff']}) ROC AUC {card['roc_auc']}, "
                      f"PR AUC {card['pr_auc']}; recency-only baseline ROC AUC {card['recency_roc_auc']}, "
                      f"PR AUC {card['recency_pr_auc']}; base rate {card['base_rate']}", highlight=False)


if __name__ == "__main__":
    main()

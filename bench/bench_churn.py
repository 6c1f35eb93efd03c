"""Churn model against recency and BG/NBD 1 − P(alive), out of time, on our data and on data we did not make.

Four sources, one report each: the model's and both baselines' held-out ROC AUC, PR AUC and Brier
score side by side, and seconds per stage.
    .venv/bin/python bench/bench_churn.py                        # a built warehouse (data/warehouse.duckdb)
    .venv/bin/python bench/bench_churn.py --cdnow                # the CDNOW sample (tests/data/CDNOW_sample.csv)
    .venv/bin/python bench/bench_churn.py --generated 20000      # the generator's ERP orders, exported to CSV
    .venv/bin/python bench/bench_churn.py --synthetic 1000000    # a synthetic file of N customers: train + score time
    .venv/bin/python bench/bench_churn.py --transactions f.csv --customer-col c --date-col d [--amount-col a] --as-of D
The warehouse mode trains on --train cutoffs and tests on --heldout (every training label window
should end by the held-out cutoff); the file modes run `crm360 churn`'s code (models/churn_report.py)
with the pipeline's schedule. Generated and synthetic files are written under bench/out/churn/.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from models import churn  # noqa: E402
from models.churn_evaluation import evaluate  # noqa: E402
from models.churn_report import churn_report  # noqa: E402
from models.churn_training import ChurnSchedule  # noqa: E402
from pipelines import config  # noqa: E402
from pipelines.transaction_files import read_transactions  # noqa: E402

OUT = ROOT / "bench" / "out" / "churn"
DEMO_DATE = date(2026, 11, 1)  # the generator's default as-of (the Makefile's DEMO_DATE)
CDNOW = {"path": ROOT / "tests" / "data" / "CDNOW_sample.csv", "customer_col": "customer_id", "date_col": "date",
         "amount_col": "amount", "as_of": date(1998, 7, 1)}


def _dates(text: str) -> list[date]:
    return [date.fromisoformat(part.strip()) for part in text.split(",") if part.strip()]


def _side_by_side(report: dict) -> None:
    """The model and both baselines on the held-out customers, and the verdict."""
    print(f"held out {report['heldout_cutoff'][0]}: {report['customers']:,} customers, base rate "
          f"{report['base_rate']:.3f}; trained on {', '.join(report['trained_cutoffs'])}")
    print(f"  {'':<24}{'ROC AUC':>9}{'PR AUC':>9}{'Brier':>9}")
    rows = [("churn model", report), ("recency", report.get("recency_baseline") or {}),
            ("BG/NBD 1 - P(alive)", report.get("bgnbd_baseline") or {})]
    for name, figures in rows:
        cells = "".join(f"{figures[m]:>9.4f}" if figures.get(m) is not None else f"{'-':>9}"
                        for m in ("roc_auc", "pr_auc", "brier"))
        print(f"  {name:<24}{cells}")
    print(f"  {report.get('verdict')}")


# --- a transaction file ----------------------------------------------------------------------

def run_file(path: Path, *, customer_col: str, date_col: str, amount_col: str | None, as_of: date, horizon: int,
             as_json: bool) -> None:
    started = time.perf_counter()
    typed, warnings = read_transactions(path, customer_col=customer_col, date_col=date_col, amount_col=amount_col)
    read_s = time.perf_counter() - started
    schedule = ChurnSchedule(horizon, config.CHURN_TRAINING_CUTOFFS, config.CHURN_CUTOFF_SPACING_DAYS,
                             config.CHURN_MAX_TRAINING_ROWS)
    report = churn_report(typed, customer_col=customer_col, date_col=date_col, amount_col=amount_col, as_of=as_of,
                          schedule=schedule, warnings=warnings)
    total = time.perf_counter() - started
    if as_json:
        print(json.dumps(report.to_dict() | {"read_seconds": round(read_s, 2), "total_seconds": round(total, 2)},
                         indent=2, ensure_ascii=False))
        return
    print(f"{path}: {typed.height:,} rows, {report.customers:,} customers, {report.transactions:,} transactions "
          f"before {as_of}")
    _side_by_side(report.evaluation)
    s = report.seconds
    print(f"seconds: read {read_s:.2f}, snapshots {s.get('snapshots', 0):.2f}, training {s.get('training', 0):.2f}, "
          f"evaluation {s.get('evaluation', 0):.2f}, scoring {s['scoring']:.2f} ({report.scored.height:,} customers "
          f"scored); total {total:.2f}")
    print(f"risk bands: {report.bands}")
    for warning in report.warnings:
        print(f"warning: {warning}")


def export_generated_orders(customers: int, seed: int) -> tuple[Path, date]:
    """The generator's ERP orders of ``customers`` people and companies as a CSV an analyst might export:
    customer number, order date (China time, as the ERP writes it), amount in CNY; refunds negative,
    cancelled orders left out."""
    from pipelines.generator import generate

    landing = OUT / f"generated_{customers}_{seed}"
    if not (landing / "erp.sqlite").exists():
        generate(landing, customers=customers, seed=seed, as_of=DEMO_DATE)
    with sqlite3.connect(landing / "erp.sqlite") as con:
        rows = con.execute("SELECT cust_no, order_date, status, currency, total_amount FROM orders").fetchall()
    orders = pl.DataFrame(rows, schema=["cust_no", "order_date", "status", "currency", "total_amount"], orient="row")
    rate = pl.col("currency").replace_strict(config.FX_TO_CNY, default=None, return_dtype=pl.Float64)
    path = landing / "orders.csv"
    (orders.filter(pl.col("status").is_in(["paid", "refunded"]))
     .select("cust_no", "order_date",
             (pl.when(pl.col("status") == "refunded").then(-1.0).otherwise(1.0) * pl.col("total_amount") * rate)
             .round(2).alias("amount_cny"))
     .write_csv(path))
    return path, DEMO_DATE


def write_synthetic(customers: int, seed: int, end: date, years: float = 3.0) -> Path:
    """A transaction file of ``customers`` who joined uniformly over ``years`` before ``end`` and bought as a
    Poisson process (rate ~ Gamma, mean 4 a year) until an exponential lifetime (mean 1.5 years) ran out:
    Pareto/NBD, not BG/NBD, so the baseline is not the true model. Vectorized; about 5 rows a customer."""
    path = OUT / f"synthetic_{customers}_{seed}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    span = years * 365.0
    joined = rng.uniform(0, span, customers)  # days after the start
    alive_until = np.minimum(joined + rng.exponential(1.5 * 365.0, customers), span)
    rate = rng.gamma(0.8, 4.0 / 0.8 / 365.0, customers)  # purchases a day
    repeats = rng.poisson(rate * (alive_until - joined))
    owner = np.repeat(np.arange(customers), repeats)
    moment = joined[owner] + rng.uniform(size=owner.size) * (alive_until - joined)[owner]
    customer = np.concatenate([np.arange(customers), owner])
    day = np.floor(np.concatenate([joined, moment])).astype("int64")
    spend = rng.gamma(3.0, 1.0 / rng.gamma(4.0, 1.0 / 200.0, customers))  # each customer's mean order value
    amount = np.round(rng.gamma(6.0, spend[customer] / 6.0), 2)
    start = np.datetime64(end - timedelta(days=int(span)), "D")
    frame = pl.DataFrame({"customer": customer, "day": start + day.astype("timedelta64[D]"), "amount": amount})
    path.parent.mkdir(parents=True, exist_ok=True)
    (frame.sample(fraction=1.0, shuffle=True, seed=seed)  # files are rarely sorted by customer
     .select(pl.format("C{}", pl.col("customer")).alias("customer"), pl.col("day").cast(pl.String).alias("date"),
             "amount")
     .write_csv(path))
    return path


# --- a built warehouse -------------------------------------------------------------------------

def run_warehouse(args) -> None:
    import duckdb

    from assets.marts.activity import read_activity

    started = time.perf_counter()
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        activity = read_activity(con).linked()
    frames = {"customers": activity.customers, "orders": activity.orders, "tickets": activity.tickets,
              "surveys": activity.surveys, "campaign_events": activity.campaign_events}
    print(f"read {activity.customers.height:,} customers, {activity.orders.height:,} orders, "
          f"{activity.tickets.height:,} tickets, {activity.surveys.height:,} survey answers, "
          f"{activity.campaign_events.height:,} campaign events in {time.perf_counter() - started:.2f} s; "
          f"data end {churn.data_end(activity.orders)}")

    snapshots = {}
    for cutoff in [*_dates(args.train), date.fromisoformat(args.heldout)]:
        t = time.perf_counter()
        snapshots[cutoff] = churn.snapshot(**frames, cutoff=cutoff, horizon_days=args.horizon)
        frame = snapshots[cutoff]
        print(f"snapshot {cutoff}: {frame.height:,} active customers, churn rate {frame['churned'].mean():.3f}, "
              f"{time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    model = churn.train([(c, snapshots[c]) for c in _dates(args.train)])
    train_s = time.perf_counter() - t
    print(f"trained {model.version} on {model.card['training_rows']:,} rows in {train_s:.2f} s")

    heldout = snapshots[date.fromisoformat(args.heldout)]
    t = time.perf_counter()
    report = evaluate(model, heldout, orders=activity.orders)
    eval_s = time.perf_counter() - t
    t = time.perf_counter()
    scored = churn.score(model, heldout)
    score_s = time.perf_counter() - t
    model.record_evaluation(report)
    if args.save:
        churn.save_model(model, args.save)
    if args.json:
        print(json.dumps(report | {"training_seconds": round(train_s, 2)}, indent=2, ensure_ascii=False))
        return
    print()
    _side_by_side(report)
    print(f"  days of training labels after the held-out cutoff: {report['training_label_overlap_days']}; "
          f"top decile churns at {report['top_decile_churn_rate']:.3f}; evaluate {eval_s:.2f} s, score {score_s:.2f} s")
    print("\ncalibration (decile: predicted / observed)")
    for row in report["reliability"]:
        print(f"  {row['decile']:>2}: {row['mean_predicted']:.3f} / {row['observed_rate']:.3f}")
    print("\nfeatures (held-out AUC lost when shuffled; mean |log-odds share|)")
    for row in report["feature_importance"][:12]:
        print(f"  {row['feature']:<28} {row['auc_drop']:+.4f}  {row['mean_abs_contribution']:.3f}")
    bands = (scored.join(heldout.select("golden_id", "churned"), on="golden_id")
             .group_by("risk_band").agg(pl.len().alias("customers"), pl.col("churn_probability").mean().alias("mean_p"),
                                        pl.col("churned").mean().alias("observed")))
    print("\nrisk bands")
    for row in bands.sort("mean_p", descending=True).iter_rows(named=True):
        print(f"  {row['risk_band']:<6} {row['customers']:>6,} customers, predicted {row['mean_p']:.3f}, "
              f"observed {row['observed']:.3f}")
    print("\nhigh-risk examples")
    for row in scored.filter(pl.col("risk_band") == "high").head(5).iter_rows(named=True):
        print(f"  {row['golden_id']} {row['churn_probability']:.2f}: {'; '.join(row['top_reasons'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--cdnow", action="store_true", help="the CDNOW sample in tests/data")
    source.add_argument("--generated", type=int, metavar="N", help="the generator's orders of N customers, as CSV")
    source.add_argument("--synthetic", type=int, metavar="N", help="a synthetic transaction file of N customers")
    source.add_argument("--transactions", type=Path, help="any transaction file (with the column options)")
    parser.add_argument("--customer-col")
    parser.add_argument("--date-col")
    parser.add_argument("--amount-col")
    parser.add_argument("--as-of", type=date.fromisoformat, help="the first day left out (file modes)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    parser.add_argument("--train", default="2025-11-01,2026-02-01", help="warehouse mode: training cutoffs")
    parser.add_argument("--heldout", default="2026-05-01", help="warehouse mode: the later cutoff tested on")
    parser.add_argument("--horizon", type=int, default=config.CHURN_HORIZON_DAYS)
    parser.add_argument("--save", type=Path, help="warehouse mode: also store the model (joblib) here")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()

    if args.cdnow:
        run_file(CDNOW["path"], customer_col=CDNOW["customer_col"], date_col=CDNOW["date_col"],
                 amount_col=CDNOW["amount_col"], as_of=args.as_of or CDNOW["as_of"], horizon=args.horizon,
                 as_json=args.json)
    elif args.generated:
        t = time.perf_counter()
        path, end = export_generated_orders(args.generated, args.seed)
        print(f"generator's orders of {args.generated:,} customers: {path} ({time.perf_counter() - t:.1f} s)")
        run_file(path, customer_col="cust_no", date_col="order_date", amount_col="amount_cny", as_of=args.as_of or end,
                 horizon=args.horizon, as_json=args.json)
    elif args.synthetic:
        end = args.as_of or DEMO_DATE
        t = time.perf_counter()
        path = write_synthetic(args.synthetic, args.seed, end)
        print(f"synthetic file of {args.synthetic:,} customers: {path} ({time.perf_counter() - t:.1f} s)")
        run_file(path, customer_col="customer", date_col="date", amount_col="amount", as_of=end, horizon=args.horizon,
                 as_json=args.json)
    elif args.transactions:
        if not (args.customer_col and args.date_col and args.as_of):
            parser.error("--transactions needs --customer-col, --date-col and --as-of")
        run_file(args.transactions, customer_col=args.customer_col, date_col=args.date_col,
                 amount_col=args.amount_col, as_of=args.as_of, horizon=args.horizon, as_json=args.json)
    else:
        run_warehouse(args)


if __name__ == "__main__":
    main()

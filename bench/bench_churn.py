"""Churn model on a built warehouse: train on earlier cutoffs, test on a later one (out of time).

Prints snapshot sizes and seconds, training seconds, held-out ROC AUC / PR AUC against the
recency-only baseline (days since the last purchase as the score), calibration by decile, the
features that carry the signal, and a few high-risk customers with their reasons.
    .venv/bin/python bench/bench_churn.py                       # data/warehouse.duckdb (as_of 2026-11-01)
    .venv/bin/python bench/bench_churn.py --train 2025-05-01,2025-08-01,2025-11-01,2026-01-31 --json
Every training label window should end by the held-out cutoff (cutoff + horizon <= held-out).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

from assets.marts.activity import read_activity  # noqa: E402
from models import churn  # noqa: E402


def _dates(text: str) -> list[date]:
    return [date.fromisoformat(part.strip()) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    parser.add_argument("--train", default="2025-11-01,2026-02-01", help="training cutoffs, comma-separated")
    parser.add_argument("--heldout", default="2026-05-01", help="the later cutoff the model is tested on")
    parser.add_argument("--horizon", type=int, default=90)
    parser.add_argument("--save", type=Path, help="also store the model (joblib) here")
    parser.add_argument("--json", action="store_true", help="print the evaluation report as JSON")
    args = parser.parse_args()

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

    training = [(c, snapshots[c]) for c in _dates(args.train)]
    t = time.perf_counter()
    model = churn.train(training)
    train_s = time.perf_counter() - t
    print(f"trained {model.version} on {model.card['training_rows']:,} rows in {train_s:.2f} s")

    heldout = snapshots[date.fromisoformat(args.heldout)]
    t = time.perf_counter()
    report = churn.evaluate(model, heldout)
    eval_s = time.perf_counter() - t
    t = time.perf_counter()
    scored = churn.score(model, heldout)
    score_s = time.perf_counter() - t
    model.record_evaluation(report)
    if args.save:
        churn.save_model(model, args.save)
    if args.json:
        print(json.dumps(report | {"training_seconds": round(train_s, 2)}, indent=2))
        return

    base = report["recency_baseline"]
    print(f"\nheld out {report['heldout_cutoff'][0]} ({report['customers']:,} customers, base rate "
          f"{report['base_rate']:.3f}, days of training labels after it: {report['training_label_overlap_days']})")
    print(f"  ROC AUC {report['roc_auc']:.4f}   recency baseline {base['roc_auc']:.4f}")
    print(f"  PR AUC  {report['pr_auc']:.4f}   recency baseline {base['pr_auc']:.4f}")
    print(f"  Brier   {report['brier']:.4f}   base rate alone {report['brier_base_rate']:.4f}; "
          f"top decile churns at {report['top_decile_churn_rate']:.3f}")
    print(f"  evaluate {eval_s:.2f} s, score {score_s:.2f} s")
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


if __name__ == "__main__":
    main()

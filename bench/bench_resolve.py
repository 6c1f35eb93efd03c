"""Resolve generated customer records into golden customers; print candidate pairs, seconds per stage,
peak memory, and pairwise precision/recall/F1 against the generator's truth, then a verdict vs targets.

Generated and standardized records are cached under bench/out/<customers>/ (staged.parquet plus the
two truth tables), so a rerun only resolves; the cache is rebuilt when the generator, ingest or
standardize code changes (or with --regenerate). Preparing and resolving each run in a fresh
subprocess, so the peak memory reported is resolution's own (reading staged.parquet included).
    .venv/bin/python bench/bench_resolve.py                          # 100k and 600k customers: ~185k, ~1.1M records
    .venv/bin/python bench/bench_resolve.py --records 1000000 --threshold 0.95
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 7
RECORDS_PER_CUSTOMER = 1.85  # standardized records one generated customer yields (about)
OUT = ROOT / "bench" / "out"
# Code whose change makes cached staged records stale.
CACHE_INPUTS = [ROOT / "pipelines" / "generator", ROOT / "assets" / "ingest", ROOT / "assets" / "standardize",
                ROOT / "pipelines" / "erp.py", ROOT / "bench" / "bench_standardize.py"]
TARGET_PRECISION, TARGET_RECALL = 0.98, 0.97  # each of zh and latin
TARGET_F1 = 0.99  # all records, at 1M
TARGET_SECONDS, TARGET_MB = 60.0, 3072.0  # at 1M records (MiB)
AT_SCALE = 950_000  # runs with at least this many records are held to the 1M time and memory targets


def fingerprint(customers: int) -> str:
    digest = hashlib.sha256(f"{customers}/{SEED}".encode())
    for base in CACHE_INPUTS:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for path in files:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached(folder: Path, customers: int, stale_ok: bool = False) -> dict | None:
    """The figures of a complete cache for ``customers``; None when missing or built by other code."""
    meta = folder / "meta.json"
    if not meta.exists():
        return None
    figures = json.loads(meta.read_text())
    files = [folder / "staged.parquet", folder / "truth" / "records.parquet", folder / "truth" / "entities.parquet"]
    if not all(f.exists() for f in files) or figures.get("customers") != customers:
        return None
    figures["stale"] = figures.get("fingerprint") != fingerprint(customers)
    return None if figures["stale"] and not stale_ok else figures


def stage_prepare(folder: Path, customers: int, keep_landing: bool) -> dict:
    """Generate a landing folder, standardize its customer records, keep staged records and truth."""
    from bench_standardize import AS_OF, canonical_records

    from assets.standardize.customers import standardize_customers
    from pipelines.generator import generate

    (folder / "meta.json").unlink(missing_ok=True)  # the cache is valid only once meta.json is back
    landing = folder / "landing"
    shutil.rmtree(landing, ignore_errors=True)
    t0 = time.perf_counter()
    summary = generate(landing, customers=customers, seed=SEED)
    generate_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = standardize_customers(canonical_records(landing), AS_OF)
    standardize_seconds = time.perf_counter() - t0
    partial = folder / "staged.parquet.partial"
    result.staged.write_parquet(partial)
    partial.replace(folder / "staged.parquet")
    (folder / "truth").mkdir(exist_ok=True)
    for name in ("records.parquet", "entities.parquet"):
        shutil.copyfile(landing / "truth" / name, folder / "truth" / name)
    if not keep_landing:
        shutil.rmtree(landing, ignore_errors=True)
    figures = {"customers": customers, "seed": SEED, "fingerprint": fingerprint(customers),
               "customer_records": summary.customer_records, "staged": result.staged.height,
               "quarantined": result.quarantined.height, "generate_seconds": generate_seconds,
               "standardize_seconds": standardize_seconds}
    (folder / "meta.json").write_text(json.dumps(figures, indent=2))
    return figures


def stage_resolve(folder: Path, threshold: float | None) -> dict:
    """Read the staged records and resolve them; write the crosswalk next to them."""
    import polars as pl

    from assets.resolve.engine import ResolveSettings, resolve

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  [{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    staged = pl.read_parquet(folder / "staged.parquet")
    read_seconds = time.perf_counter() - t0
    settings = ResolveSettings() if threshold is None else ResolveSettings(threshold=threshold)
    t0 = time.perf_counter()
    resolution = resolve(staged, settings=settings, progress=progress)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    resolution.xref.write_parquet(folder / "xref.parquet")
    stats = {k: v for k, v in dataclasses.asdict(resolution.stats).items() if k != "model"}
    return {"records": staged.height, "read_seconds": read_seconds, "seconds": seconds, "peak_rss_mb": peak_mb,
            "threshold": settings.threshold, "max_block_size": settings.max_block_size, "stats": stats}


def run_stage(*args: str) -> dict:
    """Run one stage in a child process (its progress goes straight to stderr); returns its figures."""
    child = subprocess.run([sys.executable, __file__, "--stage", *args], stdout=subprocess.PIPE, text=True)
    if child.returncode != 0:
        raise SystemExit(f"stage {args[0]} failed (exit {child.returncode}); see its output above")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def report(console, folder: Path, prep: dict, run: dict) -> dict:
    """Print one run's tables; return the accuracy rows by group."""
    import polars as pl
    from rich.table import Table

    from assets.resolve.evaluate import household_accuracy, pairwise_accuracy

    xref = pl.read_parquet(folder / "xref.parquet")
    truth_records = pl.read_parquet(folder / "truth" / "records.parquet")
    truth_entities = pl.read_parquet(folder / "truth" / "entities.parquet")
    accuracy = pairwise_accuracy(xref, truth_records, truth_entities)
    households = household_accuracy(xref, truth_records, truth_entities).row(0, named=True)
    stats, records = run["stats"], run["records"]

    console.rule(f"{records:,} records ({prep['customers']:,} customers), threshold {run['threshold']}")
    table = Table(title="resolution", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("records", f"{records:,}")
    table.add_row("candidate pairs", f"{stats['candidate_pairs']:,}")
    for rule, pairs in stats["pairs_per_rule"].items():
        table.add_row(f"  rule {rule}", f"{pairs:,}")
    for rule, keys in stats.get("skipped_blocks", {}).items():
        table.add_row(f"  skipped blocks {rule} (> {run['max_block_size']} records)", f"{keys:,}")
    table.add_row("pairs per record", f"{stats['candidate_pairs'] / max(records, 1):.2f}")
    table.add_row("matched pairs", f"{stats['matched_pairs']:,}")
    table.add_row("golden customers", f"{stats['golden_customers']:,}")
    table.add_row("largest golden cluster", f"{xref['cluster_size'].max():,}" if "cluster_size" in xref.columns
                  else f"{xref.group_by('golden_id').len()['len'].max():,}")
    table.add_row("split clusters", f"{stats.get('split_clusters', 0):,}")
    table.add_row("households", f"{stats.get('households', 0):,}")
    for stage, seconds in stats["seconds"].items():
        table.add_row(f"  {stage} s", f"{seconds:.2f}")
    table.add_row("sum of stages s", f"{sum(stats['seconds'].values()):.2f}")
    table.add_row("resolve() total s", f"{run['seconds']:.2f}")
    table.add_row("(reading staged.parquet s)", f"{run['read_seconds']:.2f}")
    table.add_row("records/s", f"{records / run['seconds']:,.0f}")
    table.add_row("peak memory MB", f"{run['peak_rss_mb']:,.0f}")
    console.print(table)

    scores = Table(title="pairwise accuracy against truth", title_justify="left")
    for column in ("group", "records", "true pairs", "predicted pairs", "true positives", "precision", "recall", "F1"):
        scores.add_column(column, justify="left" if column == "group" else "right")
    for row in accuracy.iter_rows(named=True):
        scores.add_row(row["group"], f"{row['records']:,}", f"{row['true_pairs']:,}", f"{row['predicted_pairs']:,}",
                       f"{row['true_positives']:,}", _ratio(row["precision"]), _ratio(row["recall"]), _ratio(row["f1"]))
    console.print(scores)
    console.print(f"household false merges: {households['clusters']:,} golden clusters join "
                  f"{households['persons']:,} persons of {households['households']:,} households "
                  f"({households['false_pairs']:,} of {households['false_positive_pairs']:,} false-positive pairs)")
    return {row["group"]: row for row in accuracy.iter_rows(named=True)}


def verdict(runs: list[tuple[dict, dict]]) -> str:
    """One line: PASS or FAIL with every missed target."""
    misses, notes = [], []
    for run, accuracy in runs:
        at = f"{run['records']:,} records"
        for group in ("zh", "latin"):
            row = accuracy[group]
            for measure, target in (("precision", TARGET_PRECISION), ("recall", TARGET_RECALL)):
                value = row[measure]
                if value is None or value < target:
                    misses.append(f"{at}: {group} {measure} {_ratio(value)} < {target}")
        if run["records"] >= AT_SCALE:
            f1 = accuracy["all"]["f1"]
            if f1 is None or f1 < TARGET_F1:
                misses.append(f"{at}: F1 {_ratio(f1)} < {TARGET_F1}")
            if run["seconds"] > TARGET_SECONDS:
                misses.append(f"{at}: {run['seconds']:.1f} s > {TARGET_SECONDS:.0f} s")
            if run["peak_rss_mb"] > TARGET_MB:
                misses.append(f"{at}: {run['peak_rss_mb']:,.0f} MB > {TARGET_MB:.0f} MB")
    if not any(run["records"] >= AT_SCALE for run, _ in runs):
        notes.append(f"time/memory targets not judged: no run of ~1M records (largest "
                     f"{max(run['records'] for run, _ in runs):,})")
    targets = (f"zh & latin precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}; "
               f"1M records F1 >= {TARGET_F1}, <= {TARGET_SECONDS:.0f} s, <= {TARGET_MB:.0f} MB")
    head = "VERDICT: PASS" if not misses else "VERDICT: FAIL - " + "; ".join(misses)
    return f"{head} [{targets}]" + (f" ({'; '.join(notes)})" if notes else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--customers", type=int, nargs="+", default=None,
                       help="generated customers per run (default: 100000 600000)")
    sizes.add_argument("--records", type=int, nargs="+", default=None,
                       help=f"about this many standardized records per run ({RECORDS_PER_CUSTOMER} per customer)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="match probability a pair needs (ResolveSettings.threshold; default: the engine's)")
    parser.add_argument("--out", type=Path, default=OUT, help="cache folder (default: bench/out)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild cached staged records")
    parser.add_argument("--stale-ok", action="store_true",
                        help="reuse cached staged records even if generator/ingest/standardize code changed since")
    parser.add_argument("--keep-landing", action="store_true", help="keep the generated landing folder")
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:
        name, folder, *rest = args.stage
        if name == "prepare":
            figures = stage_prepare(Path(folder), int(rest[0]), rest[1] == "keep")
        else:
            figures = stage_resolve(Path(folder), None if rest[0] == "default" else float(rest[0]))
        print(json.dumps(figures, default=str))
        return

    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    if args.records:
        customers_per_run = [max(1, round(n / RECORDS_PER_CUSTOMER)) for n in args.records]
    else:
        customers_per_run = args.customers or [100_000, 600_000]
    runs = []
    for customers in customers_per_run:
        folder = args.out / str(customers)
        folder.mkdir(parents=True, exist_ok=True)
        prep = None if args.regenerate else cached(folder, customers, args.stale_ok)
        if prep is None:
            console.print(f"generating and standardizing {customers:,} customers into {folder} ...")
            prep = run_stage("prepare", str(folder), str(customers), "keep" if args.keep_landing else "drop")
            console.print(f"generated in {prep['generate_seconds']:.1f}s, standardized {prep['staged']:,} records "
                          f"({prep['quarantined']:,} quarantined) in {prep['standardize_seconds']:.1f}s")
        else:
            stale = " (STALE: built by earlier generator/standardize code)" if prep["stale"] else ""
            console.print(f"cached: {prep['staged']:,} staged records of {customers:,} customers in {folder}{stale}")
        threshold = "default" if args.threshold is None else repr(args.threshold)
        run = run_stage("resolve", str(folder), threshold)
        runs.append((run, report(console, folder, prep, run)))
    console.print(verdict(runs), soft_wrap=True, markup=False, highlight=False)


if __name__ == "__main__":
    main()

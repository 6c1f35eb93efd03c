"""What delivery and privacy cost a daily run: seconds of each export set, the dashboard, the snapshot
and the encryption, the size of each export set, and an erasure.

Runs `crm360 run`'s own function (pipelines.run.run_pipeline) on a generated landing folder twice, on
fresh warehouses: without and with CRM360_ENCRYPTION_KEY; step seconds come from the run's Dagster
events, the rest from the wall clock around the run.
    .venv/bin/python bench/bench_exports.py --customers 20000      # the size of make run
    .venv/bin/python bench/bench_exports.py --customers 600000     # about 1.1M customer records
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench._runs import prepare_dagster_home, step_seconds  # noqa: E402
from pipelines.crypto import new_key  # noqa: E402
from pipelines.generator import generate  # noqa: E402
from pipelines.privacy_cli import erase  # noqa: E402
from pipelines.run import run_pipeline  # noqa: E402

DAY = date(2026, 11, 1)
STEPS = ("exports__analyst", "exports__bi", "exports__marketing", "exports__dashboard")


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def one_run(landing: Path, workdir: Path, key: str | None) -> dict:
    warehouse = workdir / "warehouse.duckdb"
    if key:
        os.environ["CRM360_ENCRYPTION_KEY"] = key
    else:
        os.environ.pop("CRM360_ENCRYPTION_KEY", None)
    started = time.perf_counter()
    summary = run_pipeline(landing, warehouse, DAY, log_level="CRITICAL")
    total = time.perf_counter() - started
    if not summary.success:
        raise SystemExit(f"run failed: {summary.errors}")
    steps = step_seconds(summary.run_id)
    sets = {p.name: folder_bytes(p) for p in sorted((workdir / "exports" / DAY.isoformat()).iterdir())}
    return {"total": total, "steps": steps, "job": sum(steps.values()), "sets": sets,
            "warehouse_bytes": warehouse.stat().st_size, "snapshot_bytes": summary.snapshot.stat().st_size,
            "after_job": total - sum(steps.values()), "warehouse": warehouse}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--landing", type=Path, default=None, help="Reuse a generated landing folder.")
    parser.add_argument("--work", type=Path, default=None, help="Working folder (default a temporary one).")
    args = parser.parse_args()
    console = Console()
    work = args.work or Path(tempfile.mkdtemp(prefix="crm360-bench-exports-"))
    os.environ.setdefault("DAGSTER_HOME", str(work / "dagster_home"))
    prepare_dagster_home(Path(os.environ["DAGSTER_HOME"]))
    landing = args.landing or work / "landing"
    if args.landing is None:
        with console.status(f"generating {args.customers:,} customers…"):
            generate(landing, customers=args.customers, seed=42, as_of=DAY)
    results = {}
    for label, key in (("plain", None), ("encrypted", new_key())):
        with console.status(f"running the daily job ({label})…"):
            results[label] = one_run(landing, work / label, key)
    key = os.environ.get("CRM360_ENCRYPTION_KEY")
    with console.status("erasing one customer…"):
        import duckdb

        from pipelines.vault import warehouse_readable

        with warehouse_readable(results["encrypted"]["warehouse"]) as plain:
            con = duckdb.connect(str(plain), read_only=True)
            email = con.execute("SELECT email FROM core.golden_customer WHERE email IS NOT NULL LIMIT 1").fetchall()[0][0]
            con.close()
        started = time.perf_counter()
        report = erase(results["encrypted"]["warehouse"], "email", email)
        erase_seconds = time.perf_counter() - started
    os.environ["CRM360_ENCRYPTION_KEY"] = key or ""

    table = Table(title=f"delivery and privacy costs, {args.customers:,} customers "
                        f"(peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2:.2f} GiB)",
                  title_justify="left")
    table.add_column("seconds")
    for label in results:
        table.add_column(label, justify="right")
    for step in STEPS:
        table.add_row(step.replace("exports__", "export ") if "dashboard" not in step else "dashboard",
                      *[f"{r['steps'].get(step, 0):.1f}" for r in results.values()])
    table.add_row("exports + dashboard", *[f"{sum(r['steps'].get(s, 0) for s in STEPS):.1f}" for r in results.values()])
    table.add_row("after the job (run log, snapshot, report, sealing)", *[f"{r['after_job']:.1f}" for r in results.values()])
    table.add_row("whole run", *[f"{r['total']:.1f}" for r in results.values()], style="bold")
    console.print(table)
    sizes = Table(title="export set sizes (MB)", title_justify="left")
    sizes.add_column("set")
    for label in results:
        sizes.add_column(label, justify="right")
    for name in results["plain"]["sets"]:
        sizes.add_row(name, *[f"{r['sets'].get(name, 0) / 1e6:.1f}" for r in results.values()])
    sizes.add_row("warehouse", *[f"{r['warehouse_bytes'] / 1e6:.1f}" for r in results.values()])
    sizes.add_row("snapshot", *[f"{r['snapshot_bytes'] / 1e6:.1f}" for r in results.values()])
    console.print(sizes)
    console.print(f"erase one customer (encrypted warehouse, {len(report.export_files)} export files, "
                  f"{len(report.snapshots)} snapshot): {erase_seconds:.1f} s")
    console.print(f"work folder: {work}")


if __name__ == "__main__":
    main()

"""Time generating and ingesting demo data; print rows per second and peak memory per stage.

Each stage runs in a fresh subprocess so its peak resident memory is its own.
    .venv/bin/python bench/bench_ingest.py --records 100000 1000000
The ERP tables are also read through both paths of pipelines/erp.py (SQLAlchemy rows, ADBC Arrow),
after a warm-up read, and rows/s printed per table; for a landing that already exists:
    .venv/bin/python bench/bench_ingest.py --landing /path/to/landing
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def stage_generate(out: Path, customers: int) -> dict:
    from pipelines.generator import generate

    started = time.perf_counter()
    summary = generate(out, customers=customers, seed=7)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "customer_records": summary.customer_records,
            "rows": sum(summary.rows_per_file.values()), "rows_per_file": summary.rows_per_file}


def stage_ingest(landing: Path, warehouse: Path) -> dict:
    from assets.ingest import campaign_events, company_registry, crm_contacts, erp, service_tickets, surveys
    from assets.ingest.erp_load import ingest_erp_snapshot
    from assets.ingest.load import ingest_files
    from pipelines import warehouse as wh
    from pipelines.config import default_erp_url
    from pipelines.erp import read_erp_table

    con = wh.connect(warehouse)
    wh.ensure_schemas(con)
    per_source = {}
    started = time.perf_counter()
    for table in (erp.CUSTOMERS, erp.PRODUCTS, erp.ORDERS, erp.ORDER_ITEMS):
        t0 = time.perf_counter()
        snapshot = read_erp_table(default_erp_url(landing), table.table)
        read = time.perf_counter() - t0
        outcome = ingest_erp_snapshot(con, table, snapshot, f"erp#{table.table}")
        per_source[table.name] = {"rows": outcome.rows_added, "seconds": time.perf_counter() - t0, "read_seconds": read}
    for module in (crm_contacts, service_tickets, surveys, campaign_events, company_registry):
        t0 = time.perf_counter()
        outcome = ingest_files(con, module.SOURCE, landing)
        per_source[module.SOURCE.name] = {"rows": outcome.rows_added, "seconds": time.perf_counter() - t0}
    total = time.perf_counter() - started
    t0 = time.perf_counter()
    again = ingest_files(con, crm_contacts.SOURCE, landing)
    rerun = time.perf_counter() - t0
    con.close()
    return {"seconds": total, "rows": sum(s["rows"] for s in per_source.values()), "per_source": per_source,
            "rerun_contacts_seconds": rerun, "rerun_rows_added": again.rows_added}


def stage_erp_paths(landing: Path) -> dict:
    """Each ERP table read through SQLAlchemy and through read_erp_table (ADBC), in that order, after a
    warm-up read that puts the file in the page cache; the two frames must be equal."""
    import logging

    from assets.ingest import erp
    from pipelines.config import default_erp_url
    from pipelines.erp import read_erp_table, read_erp_table_sqlalchemy

    declined: list[str] = []

    class Declined(logging.Handler):  # read_erp_table logs why it read a table through SQLAlchemy
        def emit(self, record: logging.LogRecord) -> None:
            declined.append(record.getMessage())

    logging.getLogger("pipelines.erp").addHandler(Declined(logging.WARNING))
    url = default_erp_url(landing)
    read_erp_table_sqlalchemy(url, erp.PRODUCTS.table)  # first-use imports out of the timings
    per_table = {}
    for table in (erp.CUSTOMERS, erp.PRODUCTS, erp.ORDERS, erp.ORDER_ITEMS):
        read_erp_table(url, table.table)  # warm-up
        declined.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        old = read_erp_table_sqlalchemy(url, table.table)
        t1, c1 = time.perf_counter(), time.process_time()
        new = read_erp_table(url, table.table)
        t2, c2 = time.perf_counter(), time.process_time()
        if new.schema != old.schema or not new.equals(old, null_equal=True):
            raise SystemExit(f"{table.table}: the ADBC and SQLAlchemy frames differ")
        per_table[table.table] = {"rows": new.height, "sqlalchemy_seconds": t1 - t0, "adbc_seconds": t2 - t1,
                                  "sqlalchemy_cpu": c1 - c0, "adbc_cpu": c2 - c1, "declined": declined[:]}
    return {"per_table": per_table}


def print_erp_paths(fig: dict) -> None:
    print(f"{'':>10}   ERP read paths    {'rows':>11} {'SQLAlchemy/s':>13} {'ADBC/s':>13} {'speed-up':>8}")
    rows = old = new = old_cpu = new_cpu = 0.0
    for table, t in fig["per_table"].items():
        rows, old, new = rows + t["rows"], old + t["sqlalchemy_seconds"], new + t["adbc_seconds"]
        old_cpu, new_cpu = old_cpu + t["sqlalchemy_cpu"], new_cpu + t["adbc_cpu"]
        note = f"  (ADBC declined: {t['declined'][0]})" if t["declined"] else ""
        print(f"{'':>10}   {table:<17} {t['rows']:>11,} {t['rows'] / t['sqlalchemy_seconds']:>13,.0f} "
              f"{t['rows'] / t['adbc_seconds']:>13,.0f} {t['sqlalchemy_seconds'] / t['adbc_seconds']:>7.1f}x{note}")
    print(f"{'':>10}   {'whole ERP':<17} {rows:>11,.0f} {rows / old:>13,.0f} {rows / new:>13,.0f} {old / new:>7.1f}x"
          f"   (wall {old:.1f}s vs {new:.1f}s, CPU {old_cpu:.1f}s vs {new_cpu:.1f}s)")


def run_stage(*args: str) -> dict:
    """Run one stage in a child process; returns its figures, its own peak RSS among them."""
    child = subprocess.run([sys.executable, __file__, "--stage", *args], capture_output=True, text=True)
    if child.returncode != 0:
        raise SystemExit(f"stage {args[0]} failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="target raw customer records (ERP customers + CRM contacts + tickets + registry)")
    parser.add_argument("--records-per-customer", type=float, default=None,
                        help="records one customer yields; measured on a small pilot when omitted")
    parser.add_argument("--keep", type=Path, default=None, help="keep generated data under this folder")
    parser.add_argument("--landing", type=Path, default=None,
                        help="an existing landing folder: only compare the ERP read paths on its erp.sqlite")
    parser.add_argument("--no-erp-paths", action="store_true",
                        help="skip reading the ERP through both paths (the SQLAlchemy one is slow on large ERPs)")
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:
        name, *rest = args.stage
        if name == "generate":
            figures = stage_generate(Path(rest[0]), int(rest[1]))
        elif name == "erp-paths":
            figures = stage_erp_paths(Path(rest[0]))
        else:
            figures = stage_ingest(Path(rest[0]), Path(rest[1]))
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return

    if args.landing:
        print_erp_paths(run_stage("erp-paths", str(args.landing.resolve())))
        return

    base = args.keep or Path(tempfile.mkdtemp(prefix="crm360-bench-"))
    ratio = args.records_per_customer
    if ratio is None:
        pilot = run_stage("generate", str(base / "pilot"), "5000")
        ratio = pilot["customer_records"] / 5000
        shutil.rmtree(base / "pilot", ignore_errors=True)
    print(f"records per customer: {ratio:.3f}")
    print(f"{'records':>10} {'stage':<9} {'seconds':>8} {'rows':>11} {'rows/s':>11} {'peak MB':>8}")
    for target in args.records:
        customers = max(1, round(target / ratio))
        landing, warehouse = base / f"landing_{target}", base / f"warehouse_{target}.duckdb"
        shutil.rmtree(landing, ignore_errors=True)
        warehouse.unlink(missing_ok=True)
        gen = run_stage("generate", str(landing), str(customers))
        print(f"{gen['customer_records']:>10,} {'generate':<9} {gen['seconds']:>8.1f} {gen['rows']:>11,} "
              f"{gen['rows'] / gen['seconds']:>11,.0f} {gen['peak_rss_mb']:>8.0f}")
        ing = run_stage("ingest", str(landing), str(warehouse))
        print(f"{gen['customer_records']:>10,} {'ingest':<9} {ing['seconds']:>8.1f} {ing['rows']:>11,} "
              f"{ing['rows'] / ing['seconds']:>11,.0f} {ing['peak_rss_mb']:>8.0f}")
        for source, fig in ing["per_source"].items():
            print(f"{'':>10}   {source:<17} {fig['seconds']:>6.2f}s {fig['rows']:>11,} rows "
                  f"{fig['rows'] / max(fig['seconds'], 1e-9):>11,.0f}/s")
        print(f"{'':>10}   rerun of crm_contacts: {ing['rerun_contacts_seconds']:.2f}s, {ing['rerun_rows_added']} rows added")
        if not args.no_erp_paths:
            print_erp_paths(run_stage("erp-paths", str(landing)))
        if not args.keep:
            shutil.rmtree(landing, ignore_errors=True)
            warehouse.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

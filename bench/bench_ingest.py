"""Time generating and ingesting demo data; print rows per second and peak memory per stage.

Each stage runs in a fresh subprocess so its peak resident memory is its own.
    .venv/bin/python bench/bench_ingest.py --records 100000 1000000
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
    from assets.ingest.load import ingest_erp_snapshot, ingest_files
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
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:
        name, *rest = args.stage
        if name == "generate":
            figures = stage_generate(Path(rest[0]), int(rest[1]))
        else:
            figures = stage_ingest(Path(rest[0]), Path(rest[1]))
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
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
        if not args.keep:
            shutil.rmtree(landing, ignore_errors=True)
            warehouse.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

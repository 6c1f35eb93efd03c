"""Standardize generated customer records; print rows/s per standardizer and in total, and peak memory.

    .venv/bin/python bench/bench_standardize.py --customers 600000     # about 1M customer records
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets.standardize import companies, dates, emails, genders, names, phones, places  # noqa: E402
from assets.standardize.customers import standardize_customers  # noqa: E402
from assets.standardize.landing import canonical_records  # noqa: E402,F401 (bench_resolve imports it from here)

AS_OF = date(2026, 11, 1)


STANDARDIZERS = {
    "phone": lambda: phones.standardize_phone(pl.col("phone"), default_region="CN"),
    "email": lambda: emails.standardize_email(pl.col("email")),
    "person_name": lambda: names.standardize_person_name(pl.col("full_name")),
    "company_name": lambda: companies.standardize_company_name(pl.col("company_name")),
    "resident_id": lambda: companies.validate_resident_id(pl.col("id_number")),
    "uscc": lambda: companies.validate_uscc(pl.col("id_number")),
    "birth_date": lambda: dates.standardize_date(pl.col("birth_date"), kind="birth", as_of=AS_OF),
    "created_at": lambda: dates.standardize_timestamp(pl.col("created_at")),
    "gender": lambda: genders.standardize_gender(pl.col("gender")),
    "country": lambda: places.standardize_country(pl.col("country")),
    "province": lambda: places.standardize_province(pl.col("province"), country="CN"),
    "city": lambda: places.standardize_city(pl.col("city"), country="CN"),
    "postcode": lambda: places.standardize_postcode(pl.col("postcode"), country="CN"),
    "address_line1": lambda: places.standardize_address_line(pl.col("address_line1")),
    "industry": lambda: companies.standardize_industry(pl.col("industry")),
    "company_size": lambda: companies.standardize_company_size(pl.col("company_size")),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=600_000)
    parser.add_argument("--landing", type=Path, default=None, help="use this landing folder instead of generating")
    args = parser.parse_args()

    landing = args.landing
    scratch = None
    if landing is None:
        from pipelines.generator import generate

        scratch = Path(tempfile.mkdtemp(prefix="crm360-bench-std-"))
        landing = scratch / "landing"
        t0 = time.perf_counter()
        generate(landing, customers=args.customers, seed=7)
        print(f"generated {args.customers:,} customers in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    canonical = canonical_records(landing)
    n = canonical.height
    print(f"read and mapped {n:,} customer records in {time.perf_counter() - t0:.1f}s")
    print(f"{'standardizer':<15} {'seconds':>8} {'rows/s':>12} {'distinct':>10}")
    for name, build in STANDARDIZERS.items():
        column = {"person_name": "full_name", "resident_id": "id_number", "uscc": "id_number"}.get(name, name)
        t0 = time.perf_counter()
        canonical.select(build())
        seconds = time.perf_counter() - t0
        print(f"{name:<15} {seconds:>8.2f} {n / seconds:>12,.0f} {canonical[column].n_unique():>10,}")
    t0 = time.perf_counter()
    result = standardize_customers(canonical, AS_OF)
    seconds = time.perf_counter() - t0
    print(f"{'TOTAL':<15} {seconds:>8.2f} {n / seconds:>12,.0f}   staged {result.staged.height:,}, "
          f"quarantined {result.quarantined.height:,}, field issues {result.issues.height:,}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

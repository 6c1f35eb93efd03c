"""A landing folder's customer records on the canonical fields, read straight from the files:
for benchmarks and tests that standardize or resolve generated data without a warehouse."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.ingest import company_registry, crm_contacts, service_tickets
from assets.ingest.readers import read_source_file
from assets.standardize.mapping import load_mappings, to_canonical
from pipelines.config import default_erp_url
from pipelines.erp import read_erp_table


def canonical_records(landing: Path) -> pl.DataFrame:
    """Every customer-bearing source of a landing folder on the canonical fields."""
    frames = {"erp_customers": read_erp_table(default_erp_url(landing), "customers")}
    for module in (crm_contacts, service_tickets, company_registry):
        source = module.SOURCE
        frames[source.name] = pl.concat(
            [read_source_file(p, source.format, source.encoding) for p in sorted(landing.glob(source.pattern))],
            how="diagonal_relaxed")
    return pl.concat([to_canonical(frames[m.raw_table], m) for m in load_mappings()], how="diagonal_relaxed")

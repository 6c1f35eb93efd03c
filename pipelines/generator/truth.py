"""Ground truth: the clean entities, which entity each record belongs to,
and every piece of noise applied, so resolution and analytics can be scored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from .writers import write_parquet

ENTITY_COLUMNS = ("entity_id", "kind", "script", "household_id", "full_name", "given_name", "family_name",
                  "company_name", "email", "phone", "birth_date", "gender", "id_number", "city", "province",
                  "country", "churned", "churn_date", "consent", "consent_at")
SOURCES = ("erp_customers", "crm_contacts", "service_tickets", "surveys", "campaign_events", "company_registry",
           "erp_orders")


def entities_table(ent: pl.DataFrame, churned: np.ndarray, churn_ts: np.ndarray,
                   consent: pl.DataFrame) -> pl.DataFrame:
    """``consent``: per entity row, its current marketing consent (the latest statement of any of its
    records; null if it never stated one) and when it was stated (naive China Standard Time, as the
    ERP and CRM write it)."""
    return ent.with_columns(
        pl.Series("churned", churned),
        pl.Series("churn_date", churn_ts).cast(pl.Date),
        consent["consent"].cast(pl.Boolean),
        consent["consent_at"].cast(pl.Datetime("ms")),
    ).select(ENTITY_COLUMNS)


def records_table(ent: pl.DataFrame, indexes: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """source, record_id, entity_id for every record; indexes hold eid (row of ent) and record_id."""
    entity_id = ent["entity_id"]
    parts = []
    for source in SOURCES:
        idx = indexes[source]
        eid = idx["eid"].cast(pl.Int64)
        ids = pl.select(pl.when(eid.is_null()).then(None)
                        .otherwise(entity_id.gather(eid.fill_null(0)))).to_series()
        parts.append(pl.DataFrame({"source": pl.Series([source] * idx.height, dtype=pl.String),
                                   "record_id": idx["record_id"].cast(pl.String), "entity_id": ids}))
    return pl.concat(parts)


def write_truth(truth_dir: Path, entities: pl.DataFrame, records: pl.DataFrame, noise: pl.DataFrame,
                manifest: dict) -> None:
    write_parquet(truth_dir / "entities.parquet", entities)
    write_parquet(truth_dir / "records.parquet", records)
    write_parquet(truth_dir / "noise.parquet", noise)
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True),
                                             encoding="utf-8")

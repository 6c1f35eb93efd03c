"""Split a standardized frame into the rows that stay and the rows quarantined with their reason."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

LINEAGE = ["_source_file", "_row_number", "_loaded_at"]
QUARANTINE_SCHEMA = {"source": pl.String, "record_id": pl.String, "reason": pl.String, "record": pl.String,
                     "_source_file": pl.String, "_row_number": pl.Int64, "_loaded_at": pl.Datetime("us", "UTC")}


@dataclass(frozen=True)
class Staged:
    table: pl.DataFrame
    quarantined: pl.DataFrame


def first_reason(*rules: tuple[pl.Expr, str]) -> pl.Expr:
    """The first rule that holds names the reason; null when none does."""
    expr = pl.lit(None, dtype=pl.String)
    for condition, reason in reversed(rules):
        expr = pl.when(condition).then(pl.lit(reason)).otherwise(expr)
    return expr


def split_quarantine(raw: pl.DataFrame, standardized: pl.DataFrame, reason: pl.Expr, source: str) -> Staged:
    """``raw`` and ``standardized`` are row-aligned; quarantined rows keep the raw record as JSON."""
    reasons = standardized.select(reason.alias("reason"))["reason"]
    bad = reasons.is_not_null()
    raw_columns = [c for c in raw.columns if not c.startswith("_")]
    quarantined = raw.filter(bad).select(
        pl.lit(source).alias("source"),
        pl.col("_record_id").alias("record_id") if "_record_id" in raw.columns else pl.lit(None, dtype=pl.String).alias("record_id"),
        pl.lit(reasons.filter(bad)).alias("reason"),
        pl.struct(raw_columns).struct.json_encode().alias("record"),
        *[pl.col(c) if c in raw.columns else pl.lit(None).alias(c) for c in LINEAGE],
    ).cast(QUARANTINE_SCHEMA)
    return Staged(standardized.filter(~bad), quarantined)


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)

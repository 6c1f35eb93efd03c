"""Checks every staging table passes before it is published, besides its pandera schema."""

from __future__ import annotations

import polars as pl

from quality.results import CheckOutcome

QUARANTINE_WARN_SHARE = 0.05

STAGING_CHECKS: dict[str, tuple[bool, str]] = {
    "schema_valid": (True, "Every row passes the table's pandera schema."),
    "rows_reconcile": (True, "Per source: current raw records = staged + quarantined; nothing lost, nothing invented."),
    "quarantine_share": (False, f"At most the configured share (default {QUARANTINE_WARN_SHARE:.0%}) of a source's "
                                "records are quarantined."),
}


def rows_reconcile(raw_counts: dict[str, int], staged_counts: dict[str, int], quarantined_counts: dict[str, int]) -> CheckOutcome:
    rows = [
        {"source": s, "raw": raw_counts.get(s, 0), "staged": staged_counts.get(s, 0), "quarantined": quarantined_counts.get(s, 0)}
        for s in sorted(set(raw_counts) | set(staged_counts) | set(quarantined_counts))
    ]
    off = [r for r in rows if r["raw"] != r["staged"] + r["quarantined"]]
    blocking, description = STAGING_CHECKS["rows_reconcile"]
    return CheckOutcome("rows_reconcile", not off, blocking, description,
                        failing_rows=sum(abs(r["raw"] - r["staged"] - r["quarantined"]) for r in off),
                        sample=off, metadata={"per_source": rows, **({"message": "; ".join(
                            f"{r['source']}: {r['raw']:,} raw current records, {r['staged']:,} staged + "
                            f"{r['quarantined']:,} quarantined ({r['raw'] - r['staged'] - r['quarantined']:+,})"
                            for r in off)} if off else {})})


def quarantine_share(raw_counts: dict[str, int], quarantined: pl.DataFrame,
                     max_share: float = QUARANTINE_WARN_SHARE) -> CheckOutcome:
    counts = dict(quarantined.group_by("source").len().iter_rows()) if quarantined.height else {}
    shares = {s: counts.get(s, 0) / n for s, n in raw_counts.items() if n}
    high = {s: round(v, 4) for s, v in shares.items() if v > max_share}
    reasons = (quarantined.group_by("source", pl.col("reason").str.extract(r"^([a-z_]+)").alias("reason")).len()
               .sort("len", descending=True).head(20).to_dicts()) if quarantined.height else []
    blocking, description = STAGING_CHECKS["quarantine_share"]
    return CheckOutcome("quarantine_share", not high, blocking, description, failing_rows=sum(counts.values()),
                        sample=quarantined.select("source", "record_id", "reason", "_source_file", "_row_number").head(5).to_dicts(),
                        metadata={"share_by_source": {s: round(v, 4) for s, v in shares.items()}, "top_reasons": reasons,
                                  "max_share": max_share,
                                  **({"message": "; ".join(f"{s}: {v:.1%} of its records quarantined"
                                                           for s, v in high.items())} if high else {})})

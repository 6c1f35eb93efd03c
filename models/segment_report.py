"""Segments of any transaction table: RFM, value tier, lifecycle stage per customer. Behind `crm360 segment`.

The same `customer_segments` as marts.customer_segment, on the transactions before --as-of, with
the thresholds the caller passes (the pipeline's configuration). A file knows nothing of tickets,
company data or churn bands, so those columns are left out; high_risk tags come from the lifecycle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import polars as pl

from models.segments import SegmentSettings, customer_segments
from models.transactions import TransactionError, day_start, as_orders

DATE_COLUMNS = {"first_order_at": "first_order_date", "last_order_at": "last_order_date"}
OUTPUT_COLUMNS = ("first_order_at", "last_order_at", "recency_days", "frequency", "monetary_cny", "r_score", "f_score",
                  "m_score", "rfm_code", "rfm_segment", "tenure_days", "recent_spend_cny", "spend_top_share",
                  "value_tier", "avg_days_between_orders", "lifecycle_stage", "tags")
COUNTED = ("rfm_segment", "value_tier", "lifecycle_stage")


@dataclass(frozen=True)
class SegmentReport:
    as_of: date
    transactions: int
    customers: int
    cny_per_unit: float
    settings: SegmentSettings
    segments: pl.DataFrame = field(repr=False)
    warnings: tuple[str, ...] = ()

    def counts(self) -> dict[str, dict[str, int]]:
        """Customers per RFM segment, value tier and lifecycle stage, largest first (None: never bought)."""
        return {column: {str(k): int(n) for k, n in
                         self.segments.group_by(column).len().sort(["len", column], descending=[True, False],
                                                                   nulls_last=True).iter_rows()}
                for column in COUNTED}

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "transactions": self.transactions, "customers": self.customers,
                "cny_per_unit": self.cny_per_unit, "counts": self.counts(), "settings": asdict(self.settings),
                "warnings": list(self.warnings)}


def segment_report(typed: pl.DataFrame, *, customer_col: str, date_col: str, amount_col: str, as_of: date,
                   settings: SegmentSettings, cny_per_unit: float = 1.0,
                   warnings: list[str] | None = None) -> SegmentReport:
    """One row per customer with a transaction before ``as_of``: the mart's RFM, tier and lifecycle columns.

    Amounts are multiplied by ``cny_per_unit`` first, since the tier thresholds are in CNY; negative
    amounts are refunds and, like the mart's refunded orders, don't count.
    """
    orders = as_orders(typed, customer_col=customer_col, date_col=date_col, amount_col=amount_col, before=as_of,
                       amount_scale=cny_per_unit)
    if orders.height == 0:
        raise TransactionError(f"no transactions before {as_of}")
    customers = orders.select("golden_id").unique().with_columns(
        *(pl.lit(None, dtype=pl.String).alias(c) for c in ("customer_kind", "industry", "company_size", "province",
                                                            "country")),
        pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("first_seen_at"))
    segments = customer_segments(customers, orders, None, day_start(as_of), settings=settings)
    table = (segments.select(pl.col("golden_id").alias(customer_col), *OUTPUT_COLUMNS)
             .with_columns(pl.col(c).dt.date().alias(name) for c, name in DATE_COLUMNS.items())
             .select(customer_col, *(DATE_COLUMNS.get(c, c) for c in OUTPUT_COLUMNS)))
    return SegmentReport(as_of, orders.height, table.height, cny_per_unit, settings, table, tuple(warnings or ()))

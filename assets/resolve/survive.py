"""Survivorship: the golden record of each cluster, field by field from its best record.

Records are ranked by source trust, then recency (updated, else created), then completeness,
then validity (fewest fields staging had to change). Fields that belong together (the parts of
a name, of an address) are taken together from one record, so a golden address is never
stitched from two places. Every distinct phone and email of the members is kept, best first.
"""

from __future__ import annotations

import polars as pl

from assets.standardize.identifiers import IDENTIFIER
from pipelines.config import REFERENCE_SOURCES

# group key column -> the columns taken from the same record
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "full_name": ("full_name", "given_name", "family_name", "name_script"),
    "company_name": ("company_name", "company_legal_form"),
    "email": ("email",),
    "phone": ("phone",),
    "address_line1": ("address_line1", "address_line2", "city", "province", "province_code", "postcode", "country"),
    "city": ("city", "province", "province_code", "postcode", "country"),
    "country": ("country",),
    "birth_date": ("birth_date",),
    "gender": ("gender",),
    "id_number": ("id_number", "id_kind"),
    "industry": ("industry", "industry_code"),
    "company_size": ("company_size",),
    "job_title": ("job_title",),
}
# Within a field group, a value of this kind wins over the rank (0 before 1): a Chinese name in
# characters over its pinyin (the ERP may hold "Xu Na" for 徐娜).
PREFERENCES: dict[str, pl.Expr] = {
    "full_name": (pl.col("name_script") != "zh").cast(pl.Int8),
}
COMPLETENESS_FIELDS = ("full_name", "company_name", "email", "phone", "address_line1", "city", "postcode",
                       "birth_date", "gender", "id_number")
GOLDEN_COLUMNS = (
    "golden_id", "customer_kind", "full_name", "given_name", "family_name", "name_script", "company_name",
    "company_legal_form", "email", "emails", "phone", "phones", "address_line1", "address_line2", "city", "province",
    "province_code", "postcode", "country", "birth_date", "gender", "id_number", "id_kind", "identifiers", "industry",
    "industry_code",
    "company_size", "job_title", "first_seen_at", "last_updated_at", "record_count", "sources",
)


def record_rank(records: pl.DataFrame, source_trust: dict[str, int]) -> pl.Series:
    """Each record's place within its golden id, best first (0 = best), from a narrow frame only."""
    trust = pl.col("source").replace_strict(source_trust, default=0, return_dtype=pl.Int64)
    recency = pl.coalesce("updated_at", "created_at")
    completeness = pl.sum_horizontal(pl.col(c).is_not_null().cast(pl.Int32) for c in COMPLETENESS_FIELDS)
    order = (records.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"), "golden_id", trust.alias("_trust"),
                            recency.alias("_recency"), completeness.alias("_completeness"), "issue_count", "source",
                            "record_id")
             .sort(["golden_id", "_trust", "_recency", "_completeness", "issue_count", "source", "record_id"],
                   descending=[False, True, True, True, False, False, False], nulls_last=True))
    position = pl.int_range(pl.len(), dtype=pl.UInt32).over("golden_id")
    ranks = order.select("_row", position.alias("rank")).sort("_row")
    return ranks["rank"]


def golden_records(records: pl.DataFrame, roles: pl.DataFrame, source_trust: dict[str, int]) -> pl.DataFrame:
    """``records``: staged columns plus golden_id; ``roles``: golden_id, customer_kind.
    Returns one row per golden id (GOLDEN_COLUMNS).

    Only narrow frames are sorted; each field group takes its best record's row index and
    gathers the values, so memory stays near the size of the output at a million records.
    """
    if "identifiers" not in records.columns:  # staged before identifiers of any scheme were kept
        records = records.with_columns(pl.lit([], dtype=pl.List(IDENTIFIER)).alias("identifiers"))
    rank = record_rank(records, source_trust)
    narrow = records.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"), "golden_id", rank.alias("rank"))
    golden = records.lazy().with_columns(rank.alias("rank")).group_by("golden_id").agg(
        pl.len().cast(pl.Int64).alias("record_count"),
        pl.col("source").unique().sort().alias("sources"),
        pl.col("created_at").filter(~pl.col("source").is_in(list(REFERENCE_SOURCES))).min().alias("first_seen_at"),
        pl.max_horizontal(pl.col("updated_at").max(), pl.col("created_at").max()).alias("last_updated_at"),
        *(pl.col(c).sort_by("rank").list.explode(keep_nulls=False, empty_as_null=False).drop_nulls()
          .unique(maintain_order=True).alias(c) for c in ("phones", "emails", "identifiers")),
    ).collect()
    golden = golden.sort("golden_id")
    ids = golden.select("golden_id")
    parts, taken = [], set()
    for key, columns in FIELD_GROUPS.items():
        wanted = [c for c in columns if c not in taken]
        if not wanted:
            continue
        prefer = PREFERENCES.get(key)
        candidates = narrow.filter(records[key].is_not_null())
        order = ["rank"] if prefer is None else ["_prefer", "rank"]
        if prefer is not None:
            candidates = candidates.with_columns(records.filter(records[key].is_not_null()).select(prefer)
                                                 .to_series().alias("_prefer"))
        best = candidates.group_by("golden_id").agg(pl.col("_row").sort_by(order).first())
        rows = ids.join(best, on="golden_id", how="left", maintain_order="left")["_row"]
        parts.append(records.select(pl.col(wanted).gather(rows)))
        taken.update(wanted)
    golden = pl.concat([golden, *parts], how="horizontal")
    return golden.join(roles, on="golden_id", how="left", maintain_order="left").select(GOLDEN_COLUMNS)

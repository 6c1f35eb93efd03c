"""A stand-in for the resolution engine with the frames of its contract: records sharing an id number,
or else a name and birth date, are one customer; golden ids carry over from the previous crosswalk."""

from __future__ import annotations

import polars as pl

from assets.resolve import engine

GOLDEN_COLUMNS = ["golden_id", "customer_kind", "full_name", "given_name", "family_name", "company_name", "email", "emails",
                  "phone", "phones", "address_line1", "address_line2", "city", "province", "postcode", "country",
                  "birth_date", "gender", "id_number", "id_kind", "industry", "company_size", "job_title"]


def fake_resolve(staged: pl.DataFrame, *, previous_xref: pl.DataFrame | None = None,
                 settings: engine.ResolveSettings | None = None, progress=None) -> engine.Resolution:
    records = staged.with_columns(
        pl.coalesce(pl.col("id_number"),
                    pl.concat_str("full_name", pl.col("birth_date").cast(pl.String), separator="|"),
                    pl.concat_str("source", "record_id", separator=":")).alias("_entity"))
    if previous_xref is not None:
        carried = records.join(previous_xref.select("source", "record_id", pl.col("golden_id").alias("_previous")),
                               on=["source", "record_id"], how="left")
    else:
        carried = records.with_columns(pl.lit(None, dtype=pl.String).alias("_previous"))
    records = carried.with_columns(pl.coalesce(pl.col("_previous").min().over("_entity"),
                                               pl.lit("G-") + pl.col("_entity").hash(7).cast(pl.String).str.slice(0, 10))
                                   .alias("golden_id"),
                                   pl.len().over("_entity").alias("cluster_size"))
    xref = records.select("source", "record_id", "golden_id",
                          pl.when(pl.col("cluster_size") > 1).then(pl.lit(0.99)).alias("match_probability"),
                          pl.col("cluster_size").cast(pl.Int64))
    left, right = records.select("source", "record_id", "_entity"), records.select("source", "record_id", "_entity")
    pairs = (left.join(right, on="_entity", suffix="_r")
             .filter(pl.concat_str("source", "record_id") < pl.concat_str("source_r", "record_id_r"))
             .select(pl.col("source").alias("source_l"), pl.col("record_id").alias("record_id_l"), "source_r", "record_id_r",
                     pl.lit("person").alias("role"), pl.lit(["same_key"]).alias("rules"),
                     *[pl.lit("exact").alias(f"{f}_level") for f in engine.COMPARED_FIELDS],
                     *[pl.lit(1.0).alias(f"{f}_weight") for f in engine.COMPARED_FIELDS],
                     pl.lit(8.0).alias("match_weight"), pl.lit(0.99).alias("match_probability"),
                     pl.lit("match").alias("decision")))
    golden = (records.sort("source", "record_id").group_by("golden_id", maintain_order=True).agg(
        pl.col("record_kind").first().alias("customer_kind"),
        *[pl.col(c).drop_nulls().first().alias(c) for c in GOLDEN_COLUMNS[2:] if c not in ("emails", "phones")],
        pl.col("emails").list.explode(keep_nulls=False, empty_as_null=False).unique().sort().alias("emails"), pl.col("phones").list.explode(keep_nulls=False, empty_as_null=False).unique().sort().alias("phones"),
        pl.col("created_at").min().alias("first_seen_at"), pl.col("updated_at").max().alias("last_updated_at"),
        pl.len().cast(pl.Int64).alias("record_count"), pl.col("source").unique().sort().alias("sources"),
    ))
    new_ids = golden.select("golden_id")
    if previous_xref is not None:
        new_ids = new_ids.join(previous_xref.select("golden_id").unique(), on="golden_id", how="anti")
    history = new_ids.join(golden.select("golden_id", pl.col("record_count").alias("records")), on="golden_id").select(
        "golden_id", pl.lit("created").alias("event"), pl.lit(None, dtype=pl.String).alias("related_golden_id"), "records")
    households = golden.filter(pl.col("customer_kind") == "person").select(
        "golden_id", (pl.lit("H-") + pl.col("golden_id")).alias("household_id"), pl.lit(1, dtype=pl.Int64).alias("household_size"),
        pl.lit("address").alias("evidence"))
    stats = engine.ResolveStats(records=staged.height, candidate_pairs=pairs.height, pairs_per_rule={"same_key": pairs.height},
                                matched_pairs=pairs.height, golden_customers=golden.height, households=households.height,
                                seconds={"prepare": 0.01}, model={"person": {"lambda": 0.01, "m": {}, "u": {}}})
    return engine.Resolution(xref=xref, pairs=pairs, golden=golden, history=history, households=households, stats=stats)

"""Stable golden ids: a customer keeps its id across runs while its records still resolve together.

Each new cluster takes the previous golden id it shares most records with, when it is also the
cluster holding most of that id's records; other clusters get a new id derived from their
smallest member, so the same input always gives the same ids. Every change is an event for
core.golden_id_history: created, split (part of an old customer became a new one), merged (an
old id's records joined another customer) and retired (an old id's records are all gone).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

HISTORY_SCHEMA = {"golden_id": pl.String, "event": pl.String, "related_golden_id": pl.String, "records": pl.Int64}


@dataclass
class GoldenIds:
    labels: pl.DataFrame  # label -> golden_id
    history: pl.DataFrame  # HISTORY_SCHEMA


def new_golden_id(member: str, salt: int = 0) -> str:
    digest = hashlib.blake2b(f"{member}\x1f{salt}".encode(), digest_size=8).hexdigest()
    return f"G{digest[:14].upper()}"


def assign_golden_ids(members: pl.DataFrame, previous: pl.DataFrame | None) -> GoldenIds:
    """``members``: source, record_id, label; ``previous``: source, record_id, golden_id (last run's xref)."""
    if previous is None:
        previous = pl.DataFrame(schema={"source": pl.String, "record_id": pl.String, "golden_id": pl.String})
    joined = members.join(previous.select("source", "record_id", pl.col("golden_id").alias("old")),
                          on=["source", "record_id"], how="left")
    votes = joined.drop_nulls("old").group_by("label", "old").agg(pl.len().alias("n"))
    best_of_label = votes.sort(["label", "n", "old"], descending=[False, True, False]).unique("label", keep="first")
    best_of_old = votes.sort(["old", "n", "label"], descending=[False, True, False]).unique("old", keep="first")
    kept = best_of_label.join(best_of_old, on=["label", "old"], how="semi").select("label", pl.col("old").alias("golden_id"))

    fresh = joined.filter(~pl.col("label").is_in(kept["label"].implode())).group_by("label").agg(
        pl.concat_str("source", "record_id", separator="\x1f").min().alias("member"))
    used = set(previous["golden_id"].unique().to_list()) | set(kept["golden_id"].to_list())
    new_ids = []
    for member in fresh["member"].to_list():
        salt, gid = 0, new_golden_id(member)
        while gid in used:
            salt += 1
            gid = new_golden_id(member, salt)
        used.add(gid)
        new_ids.append(gid)
    labels = pl.concat([kept, fresh.select("label", pl.Series("golden_id", new_ids, dtype=pl.String))])

    sizes = members.group_by("label").agg(pl.len().cast(pl.Int64).alias("records"))
    fresh_labels = fresh.join(labels, on="label").join(sizes, on="label")
    origin = best_of_label.select("label", pl.col("old").alias("related_golden_id"))
    fresh_labels = fresh_labels.join(origin, on="label", how="left")
    created = fresh_labels.filter(pl.col("related_golden_id").is_null()).select(
        "golden_id", pl.lit("created").alias("event"), "related_golden_id", "records")
    split = fresh_labels.filter(pl.col("related_golden_id").is_not_null()).select(
        "golden_id", pl.lit("split").alias("event"), "related_golden_id", "records")
    old_ids = previous.group_by("golden_id").agg(pl.len().cast(pl.Int64).alias("old_records"))
    gone = old_ids.join(kept, on="golden_id", how="anti")
    moved = (joined.drop_nulls("old").join(labels, on="label").filter(pl.col("old") != pl.col("golden_id"))
             .group_by("old", "golden_id").agg(pl.len().cast(pl.Int64).alias("records"))
             .sort(["old", "records", "golden_id"], descending=[False, True, False]).unique("old", keep="first"))
    merged = gone.join(moved, left_on="golden_id", right_on="old", how="inner").select(
        "golden_id", pl.lit("merged").alias("event"), pl.col("golden_id_right").alias("related_golden_id"), "records")
    retired = gone.join(moved, left_on="golden_id", right_on="old", how="anti").select(
        "golden_id", pl.lit("retired").alias("event"), pl.lit(None, dtype=pl.String).alias("related_golden_id"),
        pl.col("old_records").alias("records"))
    history = pl.concat([created, split, merged, retired], how="vertical_relaxed").cast(HISTORY_SCHEMA).sort("event", "golden_id")
    return GoldenIds(labels, history)

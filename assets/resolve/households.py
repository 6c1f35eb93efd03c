"""Households: person customers who share a street address or a landline, grouped.

Family members share a surname, an address and a landline yet are different customers; matching
keeps them apart, and this groups them again, for marketing and the marts. A key shared by more
than HOUSEHOLD_MAX customers (an apartment block's street line, an office switchboard) is not a
household and is ignored. Every person customer gets a household id; one living alone is a
household of one.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

HOUSEHOLD_MAX = 8
HOUSEHOLD_SCHEMA = {"golden_id": pl.String, "household_id": pl.String, "household_size": pl.Int64, "evidence": pl.String}


def household_id(first_member: str) -> str:
    return "H" + hashlib.blake2b(first_member.encode(), digest_size=7).hexdigest().upper()


def households(prepared: pl.DataFrame, golden_of_rid: pl.Series) -> pl.DataFrame:
    """``prepared`` (with role, street_key, city, fixed_phones) and the golden id of each rid."""
    persons = prepared.with_columns(golden_of_rid.alias("golden_id")).filter(pl.col("role") == "person")
    address = persons.drop_nulls(["street_key", "city"]).select(
        "golden_id", pl.concat_str("street_key", "city", separator="|").alias("key"), pl.lit("address").alias("kind"))
    landline = persons.select("golden_id", pl.col("fixed_phones").alias("key")).explode("key").drop_nulls("key").with_columns(
        pl.lit("landline").alias("kind"))
    keys = pl.concat([address, landline]).unique()
    shared = keys.join(keys.group_by("kind", "key").agg(pl.col("golden_id").n_unique().alias("n"))
                       .filter((pl.col("n") > 1) & (pl.col("n") <= HOUSEHOLD_MAX)), on=["kind", "key"])
    goldens = persons.select("golden_id").unique().sort("golden_id").with_row_index("g")
    edges = (shared.join(goldens, on="golden_id")
             .with_columns(pl.col("g").min().over("kind", "key").alias("root"))
             .filter(pl.col("g") != pl.col("root")))
    n = goldens.height
    graph = coo_matrix((np.ones(edges.height, dtype=np.int8),
                        (edges["g"].to_numpy().astype(np.int64), edges["root"].to_numpy().astype(np.int64))), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    evidence = (shared.group_by("golden_id").agg(pl.col("kind").unique().sort().str.join("+").alias("evidence")))
    grouped = goldens.with_columns(pl.Series("label", labels)).with_columns(
        pl.col("golden_id").min().over("label").alias("first"), pl.len().over("label").cast(pl.Int64).alias("household_size"))
    ids = {first: household_id(first) for first in grouped.filter(pl.col("household_size") > 1)["first"].unique().to_list()}
    return (grouped.join(evidence, on="golden_id", how="left")
            .with_columns(pl.when(pl.col("household_size") > 1)
                          .then(pl.col("first").replace_strict(ids, default=None, return_dtype=pl.String))
                          .otherwise(pl.lit("H") + pl.col("golden_id").str.slice(1)).alias("household_id"))
            .select("golden_id", "household_id", "household_size", "evidence").cast(HOUSEHOLD_SCHEMA))

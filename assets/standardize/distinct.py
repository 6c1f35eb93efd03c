"""Values repeat across records and sources: do the expensive work once per distinct value."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def distinct_lookup(keys: pl.Series, compute: Callable[[str], object], return_dtype: pl.DataType) -> pl.Series:
    """``compute`` (per-value Python) applied once per distinct non-null key, broadcast back onto every row."""
    distinct = keys.drop_nulls().unique()
    results = pl.Series("out", [compute(key) for key in distinct.to_list()], dtype=return_dtype)
    lookup = pl.DataFrame({"key": distinct, "out": results})
    return keys.rename("key").to_frame().join(lookup, on="key", how="left", maintain_order="left")["out"]


def per_distinct_text(raw: pl.Series, transform: Callable[[pl.DataFrame], pl.Series]) -> pl.Series:
    """``transform`` (vectorized, over a frame with column ``raw``) run on the distinct texts only, joined back."""
    keys = raw.cast(pl.String).rename("raw").to_frame()
    distinct = keys.unique()
    done = distinct.with_columns(standardized=transform(distinct))
    return keys.join(done, on="raw", how="left", maintain_order="left", nulls_equal=True)["standardized"]

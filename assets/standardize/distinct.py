"""Values repeat across records and sources: do the expensive work once per distinct value.

Three shapes of the same idea, sharing one join back onto the rows: per-value Python
(``distinct_lookup``), a vectorized transform of a frame of distinct texts
(``per_distinct_text``), and a Polars expression (``on_distinct``).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def join_back(column: pl.Series, keys: pl.Series, results: pl.Series) -> pl.Series:
    """``results`` (one per distinct ``keys`` value, in that order) broadcast onto every row of ``column``."""
    lookup = pl.DataFrame({"key": keys, "result": results})
    return (column.rename("key").to_frame()
            .join(lookup, on="key", how="left", nulls_equal=True, maintain_order="left")["result"])


def distinct_lookup(keys: pl.Series, compute: Callable[[str], object], return_dtype: pl.DataType) -> pl.Series:
    """``compute`` (per-value Python) applied once per distinct non-null key, broadcast back onto every row."""
    distinct = keys.drop_nulls().unique()
    results = pl.Series("out", [compute(key) for key in distinct.to_list()], dtype=return_dtype)
    return join_back(keys, distinct, results).rename("out")


def per_distinct_text(raw: pl.Series, transform: Callable[[pl.DataFrame], pl.Series]) -> pl.Series:
    """``transform`` (vectorized, over a frame with column ``raw``) run on the distinct texts only, joined back."""
    keys = raw.cast(pl.String)
    distinct = keys.unique()
    return join_back(keys, distinct, transform(distinct.rename("raw").to_frame())).rename("standardized")


def on_distinct(inputs: pl.Expr, compute: Callable[[pl.Series], pl.Series], dtype: pl.DataType) -> pl.Expr:
    """Apply ``compute`` (distinct inputs -> results of the same length) once per distinct input value
    and join the results back onto every row."""

    def run(column: pl.Series) -> pl.Series:
        keys = column.unique()
        return join_back(column, keys, compute(keys)).alias(column.name)

    return inputs.map_batches(run, return_dtype=dtype).name.keep()

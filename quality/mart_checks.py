"""Checks every mart table passes before it is published: one row per customer where it promises
one, and values within their range (probabilities, scores, money)."""

from __future__ import annotations

import polars as pl

from quality.results import CheckOutcome, sample_rows


def one_row_per_customer(name: str, frame: pl.DataFrame, customers: pl.DataFrame, *, every_customer: bool,
                         key: str = "golden_id") -> CheckOutcome:
    """Each golden id at most once and known to core.golden_customer; with ``every_customer``, all present."""
    duplicated = frame.filter(pl.col(key).is_duplicated())
    unknown = frame.join(customers.select(key), on=key, how="anti")
    missing = customers.select(key).join(frame.select(key), on=key, how="anti") if every_customer else customers.head(0)
    bad = duplicated.height + unknown.height + missing.height
    scope = "every golden customer exactly once" if every_customer else "no golden customer twice"
    return CheckOutcome(
        f"{name}_one_row_per_customer", bad == 0, True,
        f"{name}: {scope}, and no golden id unknown to core.golden_customer.",
        failing_rows=bad,
        sample=sample_rows(pl.concat([duplicated.select(key).with_columns(pl.lit("duplicated").alias("problem")),
                                      unknown.select(key).with_columns(pl.lit("unknown").alias("problem")),
                                      missing.select(key).with_columns(pl.lit("missing").alias("problem"))])),
        metadata={"duplicated": duplicated.height, "unknown": unknown.height, "missing": missing.height},
    )


def values_between(name: str, frame: pl.DataFrame, bounds: dict[str, tuple[float | None, float | None]],
                   key: str = "golden_id") -> CheckOutcome:
    """Every listed column within [low, high] where present (null allowed)."""
    conditions = {}
    for column, (low, high) in bounds.items():
        value = pl.col(column)
        outside = pl.lit(False)
        if low is not None:
            outside = outside | (value < low)
        if high is not None:
            outside = outside | (value > high)
        conditions[column] = outside.fill_null(False) | value.is_nan().fill_null(False) if frame.schema[column].is_float() \
            else outside.fill_null(False)
    flags = frame.select(key, *(expr.alias(c) for c, expr in conditions.items()))
    bad = flags.filter(pl.any_horizontal(list(conditions)))
    per_column = {c: int(flags[c].sum()) for c in conditions}
    text = ", ".join(f"{c} in [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
                     for c, (lo, hi) in bounds.items())
    return CheckOutcome(f"{name}_values_in_range", bad.height == 0, True, f"{name}: {text}.",
                        failing_rows=bad.height,
                        sample=sample_rows(frame.join(bad.select(key), on=key), [key, *bounds]),
                        metadata={"out_of_range": per_column})

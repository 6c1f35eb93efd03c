"""Any transaction table as the models' orders: check and type its columns, then key it like the marts' orders.

`crm360 clv`, `crm360 churn` and `crm360 segment` read a file of orders whose columns the analyst
names; these functions check and type that table and hand the models the same `orders` frame the
marts build from the warehouse (golden_id, order_id, ordered_at, status, amount). Reading the file
and parsing date spellings belong to the caller (pipelines/transaction_files.py), so models import
nothing from assets or pipelines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

import polars as pl

# golden_id, order_id, ordered_at (UTC), status, amount: what models/churn.py and models/segments.py read
ORDER_COLUMNS = ("golden_id", "order_id", "ordered_at", "status", "amount")


class TransactionError(ValueError):
    """A bad value or column of a transaction table: the caller adds the file's name."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        self.message, self.row, self.column = message, row, column
        where = ", ".join(part for part in (f"row {row}" if row is not None else "",
                                            f"column {column!r}" if column is not None else "") if part)
        super().__init__(f"{where}: {message}" if where else message)


def _first_bad_row(bad: pl.Series) -> int:
    return int(bad.arg_true()[0]) + 1


def typed_transactions(frame: pl.DataFrame, *, customer_col: str, date_col: str, amount_col: str | None,
                       parse_dates: Callable[[pl.Expr], pl.Expr]) -> tuple[pl.DataFrame, list[str]]:
    """The named columns typed (customer as text, date as Date, amount as Float64), with warnings,
    or a TransactionError naming the first bad row and column.

    ``parse_dates`` maps a text expression to a struct of ``value`` (Date, null when unreadable) and
    ``issue`` (``ambiguous_day_month`` is reported): staging's date standardizer, passed in.
    Dates are read as written (a time or offset is ignored). Without ``amount_col`` there is no amount.
    """
    named = [c for c in (customer_col, date_col, amount_col) if c is not None]
    missing = [c for c in named if c not in frame.columns]
    if missing:
        raise TransactionError(f"no column {missing[0]!r}; found {', '.join(frame.columns) or 'none'}",
                               column=missing[0])
    if len(set(named)) < len(named):
        raise TransactionError("customer, date and amount must be three different columns" if amount_col
                               else "customer and date must be two different columns")
    if frame.height == 0:
        raise TransactionError("has no transactions")
    warnings: list[str] = []
    customer = pl.col(customer_col).cast(pl.String).str.strip_chars()
    typed = frame.select(customer.alias(customer_col), pl.col(date_col), *([pl.col(amount_col)] if amount_col else []))

    empty = typed[customer_col].is_null() | (typed[customer_col] == "")
    if empty.any():
        raise TransactionError("customer is empty", row=_first_bad_row(empty), column=customer_col)

    dtype = frame.schema[date_col]
    if isinstance(dtype, pl.Datetime):
        typed = typed.with_columns(pl.col(date_col).dt.date())  # the written (local) date
    if not (dtype == pl.Date or isinstance(dtype, pl.Datetime)):
        parsed = typed.select(parse_dates(pl.col(date_col).cast(pl.String).str.strip_chars())).to_series()
        values, issues = parsed.struct.field("value"), parsed.struct.field("issue")
        if values.null_count():
            row = _first_bad_row(values.is_null())
            text = typed[date_col].cast(pl.String).str.strip_chars()[row - 1]
            raise TransactionError(f"cannot read {text!r} as a date" if text else "date is empty", row=row,
                                   column=date_col)
        ambiguous = int((issues == "ambiguous_day_month").sum())
        if ambiguous:
            warnings.append(f"{ambiguous:,} dates in {date_col!r} could be day/month or month/day "
                            "('-' and '.' were read day-first, '/' month-first)")
        typed = typed.with_columns(values.alias(date_col))
    elif typed[date_col].null_count():
        raise TransactionError("date is empty", row=_first_bad_row(typed[date_col].is_null()), column=date_col)

    if amount_col is None:
        return typed, warnings
    if not frame.schema[amount_col].is_numeric():
        text = pl.col(amount_col).cast(pl.String).str.strip_chars()
        typed = typed.with_columns(text.cast(pl.Float64, strict=False).alias("_amount"), text.alias("_text"))
        bad = typed["_amount"].is_null()
        if bad.any():
            row = _first_bad_row(bad)
            text = typed["_text"][row - 1]
            raise TransactionError(f"cannot read {text!r} as an amount" if text else "amount is empty", row=row,
                                   column=amount_col)
        typed = typed.with_columns(pl.col("_amount").alias(amount_col)).drop("_amount", "_text")
    elif typed[amount_col].null_count():
        raise TransactionError("amount is empty", row=_first_bad_row(typed[amount_col].is_null()),
                               column=amount_col)
    return typed.with_columns(pl.col(amount_col).cast(pl.Float64)), warnings


def as_orders(typed: pl.DataFrame, *, customer_col: str, date_col: str, amount_col: str | None,
              before: date, amount_scale: float = 1.0) -> pl.DataFrame:
    """The transactions dated before ``before`` as the models' orders frame (ORDER_COLUMNS).

    A row is one order at the start of its day (UTC); a negative amount is a refund (status
    ``refunded``), anything else a paid order. Without an amount column every order is paid with
    amount 0. ``amount_scale`` converts amounts (e.g. to CNY, the unit the segment thresholds use).
    """
    amount = pl.col(amount_col).cast(pl.Float64) * amount_scale if amount_col else pl.lit(0.0)
    return (typed.lazy()
            .filter(pl.col(date_col) < before)
            .select(pl.col(customer_col).cast(pl.String).alias("golden_id"),
                    pl.col(date_col).cast(pl.Datetime("us")).dt.replace_time_zone("UTC").alias("ordered_at"),
                    pl.when(amount < 0).then(pl.lit("refunded")).otherwise(pl.lit("paid")).alias("status"),
                    amount.alias("amount"))
            # one order of rows whatever the file's: sums of amounts then agree to the last bit
            .sort("golden_id", "ordered_at", "amount")
            .with_row_index("order_id")
            .select("golden_id", pl.col("order_id").cast(pl.String), "ordered_at", "status", "amount")
            .collect())


def day_start(day: date) -> datetime:
    """The start of ``day`` in UTC: the first instant a cutoff or a command's --as-of leaves out.
    (models.segments.as_of_instant is the end of a day: everything on it counts.)"""
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)

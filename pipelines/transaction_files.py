"""Read an analyst's transaction file for `crm360 clv`, `churn` and `segment`: one reader, one set of checks.

The file is read as staging reads landing files (CSV, Parquet, JSON), dates are parsed by staging's
date standardizer, and a bad column or value is one IngestError line naming file, row and column.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.ingest.errors import IngestError
from assets.standardize.dates import standardize_date
from assets.standardize.files import read_any
from models.transactions import TransactionError, typed_transactions


def read_transactions(path: Path, *, customer_col: str, date_col: str,
                      amount_col: str | None = None) -> tuple[pl.DataFrame, list[str]]:
    """The customer, date and (optional) amount columns of ``path``, typed, and warnings about them."""
    frame = read_any(path)
    try:
        return typed_transactions(frame, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                                  parse_dates=standardize_date)
    except TransactionError as exc:
        raise IngestError(str(path), exc.message, row=exc.row, column=exc.column) from exc

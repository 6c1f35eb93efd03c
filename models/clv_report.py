"""CLV on any transaction file: read and check the three columns, fit both models, report. Behind `crm360 clv`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from assets.ingest.errors import IngestError
from assets.standardize.dates import standardize_date
from assets.standardize.files import read_any
from models.clv import (
    BGNBD,
    CalibrationHoldout,
    GammaGamma,
    TimeUnit,
    calibration_holdout,
    customer_clv,
    fit_bgnbd,
    fit_gamma_gamma,
    transaction_summary,
)

UNITS_PER_YEAR = {"day": 365, "week": 52}


@dataclass(frozen=True)
class ClvReport:
    calibration_end: date
    holdout_end: date | None
    time_unit: TimeUnit
    horizon: int
    discount_rate_annual: float
    transactions: int
    customers: int
    bgnbd: BGNBD
    gamma_gamma: GammaGamma
    holdout: CalibrationHoldout | None
    clv: pl.DataFrame = field(repr=False)
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "calibration_end": self.calibration_end.isoformat(),
            "holdout_end": self.holdout_end.isoformat() if self.holdout_end else None,
            "time_unit": self.time_unit,
            "transactions": self.transactions,
            "customers": self.customers,
            "bgnbd": self.bgnbd.to_dict(),
            "gamma_gamma": self.gamma_gamma.to_dict(),
            "holdout": self.holdout.to_dict() if self.holdout else None,
            "clv": {
                "horizon": self.horizon,
                "discount_rate_annual": self.discount_rate_annual,
                "discounting": "monthly",
                "expected_purchases": float(self.clv["expected_purchases"].sum()),
                "expected_spend": float(self.clv["expected_spend"].sum()),
                "clv": float(self.clv["clv"].sum()),
            },
            "warnings": list(self.warnings),
        }


def _first_bad_row(bad: pl.Series) -> int:
    return int(bad.arg_true()[0]) + 1


def typed_transactions(frame: pl.DataFrame, *, customer_col: str, date_col: str, amount_col: str,
                       name: str) -> tuple[pl.DataFrame, list[str]]:
    """The three columns typed (text dates and amounts parsed), or an IngestError naming file, row and column.

    Dates are read as written (a time or offset is ignored), in any spelling staging understands.
    """
    missing = [c for c in (customer_col, date_col, amount_col) if c not in frame.columns]
    if missing:
        raise IngestError(name, f"no column {missing[0]!r}; found {', '.join(frame.columns) or 'none'}",
                          column=missing[0])
    if len({customer_col, date_col, amount_col}) < 3:
        raise IngestError(name, "customer, date and amount must be three different columns")
    if frame.height == 0:
        raise IngestError(name, "has no transactions")
    warnings: list[str] = []
    customer = pl.col(customer_col).cast(pl.String).str.strip_chars()
    typed = frame.select(customer.alias(customer_col), pl.col(date_col), pl.col(amount_col))

    empty = typed[customer_col].is_null() | (typed[customer_col] == "")
    if empty.any():
        raise IngestError(name, "customer is empty", row=_first_bad_row(empty), column=customer_col)

    dtype = frame.schema[date_col]
    if not (dtype == pl.Date or isinstance(dtype, pl.Datetime)):
        parsed = typed.select(standardize_date(pl.col(date_col).cast(pl.String).str.strip_chars())).to_series()
        values, issues = parsed.struct.field("value"), parsed.struct.field("issue")
        if values.null_count():
            row = _first_bad_row(values.is_null())
            text = typed[date_col].cast(pl.String).str.strip_chars()[row - 1]
            raise IngestError(name, f"cannot read {text!r} as a date" if text else "date is empty", row=row,
                              column=date_col)
        ambiguous = int((issues == "ambiguous_day_month").sum())
        if ambiguous:
            warnings.append(f"{ambiguous:,} dates in {date_col!r} could be day/month or month/day "
                            "('-' and '.' were read day-first, '/' month-first)")
        typed = typed.with_columns(values.alias(date_col))
    elif typed[date_col].null_count():
        raise IngestError(name, "date is empty", row=_first_bad_row(typed[date_col].is_null()), column=date_col)

    if not frame.schema[amount_col].is_numeric():
        text = pl.col(amount_col).cast(pl.String).str.strip_chars()
        typed = typed.with_columns(text.cast(pl.Float64, strict=False).alias("_amount"), text.alias("_text"))
        bad = typed["_amount"].is_null()
        if bad.any():
            row = _first_bad_row(bad)
            text = typed["_text"][row - 1]
            raise IngestError(name, f"cannot read {text!r} as an amount" if text else "amount is empty", row=row,
                              column=amount_col)
        typed = typed.with_columns(pl.col("_amount").alias(amount_col)).drop("_amount", "_text")
    elif typed[amount_col].null_count():
        raise IngestError(name, "amount is empty", row=_first_bad_row(typed[amount_col].is_null()), column=amount_col)
    return typed, warnings


def clv_report(transactions: pl.DataFrame, *, customer_col: str, date_col: str, amount_col: str,
               calibration_end: date, holdout_end: date | None = None, time_unit: TimeUnit = "day",
               horizon: int | None = None, discount_rate_annual: float = 0.1,
               warnings: list[str] | None = None) -> ClvReport:
    """Fit BG/NBD and Gamma-Gamma on the calibration period; CLV is as of calibration end.

    With a holdout, the same calibration-period model predicts the holdout's repeat purchases.
    """
    horizon = horizon or UNITS_PER_YEAR[time_unit]
    summary = transaction_summary(transactions, customer_col=customer_col, date_col=date_col,
                                  amount_col=amount_col, calibration_end=calibration_end,
                                  holdout_end=holdout_end, time_unit=time_unit)
    if summary.height == 0:
        raise ValueError(f"no purchases on or before the calibration end {calibration_end}")
    bgnbd = fit_bgnbd(summary)
    gamma_gamma = fit_gamma_gamma(summary["frequency"], summary["monetary_value"])
    notes = list(warnings or [])
    for label, model in (("purchase (BG/NBD)", bgnbd), ("spend (Gamma-Gamma)", gamma_gamma)):
        if not model.converged:
            notes.append(f"the {label} model fit did not converge; treat its parameters with care")
    if gamma_gamma.q <= 1:
        notes.append("Gamma-Gamma q <= 1: the population mean order value is unbounded")
    clv = customer_clv(summary, bgnbd, gamma_gamma, horizon=horizon, discount_rate_annual=discount_rate_annual,
                       time_unit=time_unit, customer_col=customer_col)
    holdout = calibration_holdout(summary, bgnbd) if holdout_end else None
    return ClvReport(calibration_end, holdout_end, time_unit, horizon, discount_rate_annual, transactions.height,
                     summary.height, bgnbd, gamma_gamma, holdout, clv, tuple(notes))


def clv_report_from_file(path: Path, *, customer_col: str, date_col: str, amount_col: str, **options) -> ClvReport:
    frame = read_any(path)
    typed, warnings = typed_transactions(frame, customer_col=customer_col, date_col=date_col,
                                         amount_col=amount_col, name=str(path))
    return clv_report(typed, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                      warnings=warnings, **options)

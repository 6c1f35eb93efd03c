"""CLV on any transaction table: fit both models on its typed columns and report. Behind `crm360 clv`.

The file is read and its columns checked by pipelines/transaction_files.py (models/transactions.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

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

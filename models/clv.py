"""Customer lifetime value: BG/NBD for purchase counts, Gamma-Gamma for order values.

The purchase model is Fader, Hardie & Lee (2005), "Counting your customers the easy way: an
alternative to the Pareto/NBD model": while alive a customer buys as a Poisson process with rate
lambda ~ Gamma(r, alpha); after each repeat purchase they drop out with probability p ~ Beta(a, b).
The spend model is Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves": order values
are Gamma(p, nu) around each customer's mean, nu ~ Gamma(q, v), independent of purchase counts.
Both are fitted by maximum likelihood over the per-customer RFM summary (frequency, recency, T,
monetary value), which is what `lifetimes` calls summary data; everything here is vectorized over
customers, with no Dagster in sight, so the CLI and the mart asset call the same functions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

import numpy as np
import polars as pl
from scipy.special import betaln, expit, gammaln, hyp2f1

TimeUnit = Literal["day", "week"]
DAYS_PER_UNIT = {"day": 1.0, "week": 7.0}
DAYS_PER_MONTH = 365.25 / 12
FREQUENCY_GROUPS = 7  # calibration frequencies 0..6 each, then "7+"
_LOG_BOUND = 15.0  # parameters stay within exp(+-15) = 3e-7 .. 3e6


# ---------------------------------------------------------------------------------------------
# RFM summary


def _period(day: pl.Expr, time_unit: TimeUnit) -> pl.Expr:
    """Whole time units since 1970-01-01; weeks are calendar weeks starting on Monday."""
    days = day.cast(pl.Int64)
    return days if time_unit == "day" else (days + 3) // 7  # 1970-01-01 was a Thursday


def _period_of(day: date, time_unit: TimeUnit) -> int:
    days = (day - date(1970, 1, 1)).days
    return days if time_unit == "day" else (days + 3) // 7


def _as_date(frame: pl.DataFrame, column: str) -> pl.Expr:
    dtype = frame.schema[column]
    if dtype == pl.Date:
        return pl.col(column)
    if isinstance(dtype, pl.Datetime):
        return pl.col(column).dt.date()  # local date in the column's own time zone
    raise TypeError(f"column {column!r} must be a Date or Datetime, not {dtype}")


def transaction_summary(
    transactions: pl.DataFrame,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str,
    calibration_end: date,
    holdout_end: date | None = None,
    time_unit: TimeUnit = "day",
) -> pl.DataFrame:
    """One row per customer who bought on or before ``calibration_end``.

    Purchases are counted per period (day or Monday-start week): several orders in one period are
    one purchase whose amount is their sum. ``frequency`` is the number of repeat periods (distinct
    periods minus one), ``recency`` the units from the first to the last period, ``T`` the units
    from the first period to ``calibration_end``, ``monetary_value`` the mean amount of the repeat
    periods (0 without repeats). With ``holdout_end``: ``frequency_holdout`` counts the purchase
    periods in (calibration_end, holdout_end], ``duration_holdout`` is that span in units.
    """
    missing = [c for c in (customer_col, date_col, amount_col) if c not in transactions.columns]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(map(repr, missing))}; found {', '.join(transactions.columns)}")
    if time_unit not in DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be 'day' or 'week', not {time_unit!r}")
    if holdout_end is not None and holdout_end <= calibration_end:
        raise ValueError(f"holdout end {holdout_end} must be after calibration end {calibration_end}")
    if not transactions.schema[amount_col].is_numeric():
        raise TypeError(f"column {amount_col!r} must be numeric, not {transactions.schema[amount_col]}")
    nulls = transactions.select(pl.col(customer_col, date_col, amount_col).null_count()).row(0, named=True)
    if any(nulls.values()):
        column, count = next((c, n) for c, n in nulls.items() if n)
        raise ValueError(f"column {column!r} has {count:,} empty value(s)")

    day = _as_date(transactions, date_col)
    end = holdout_end or calibration_end
    cal_period = _period_of(calibration_end, time_unit)
    purchases = (
        transactions.lazy()
        .select(pl.col(customer_col), day.alias("_day"), pl.col(amount_col).cast(pl.Float64).alias("_amount"))
        .filter(pl.col("_day") <= end)
        .with_columns(_period(pl.col("_day"), time_unit).alias("_period"),
                      (pl.col("_day") > calibration_end).alias("_holdout"))
        .group_by(customer_col, "_holdout", "_period")
        .agg(pl.col("_amount").sum())
    )
    calibration = purchases.filter(~pl.col("_holdout"))
    summary = (
        calibration.group_by(customer_col)
        .agg(
            (pl.len() - 1).cast(pl.Int64).alias("frequency"),
            (pl.col("_period").max() - pl.col("_period").min()).cast(pl.Int64).alias("recency"),
            (cal_period - pl.col("_period").min()).cast(pl.Int64).alias("T"),
            (pl.col("_amount").sum() - pl.col("_amount").sort_by("_period").first()).alias("_repeat_amount"),
        )
        .with_columns(
            pl.when(pl.col("frequency") > 0)
            .then(pl.col("_repeat_amount") / pl.col("frequency"))
            .otherwise(0.0)
            .alias("monetary_value")
        )
        .drop("_repeat_amount")
    )
    if holdout_end is not None:
        holdout = (purchases.filter(pl.col("_holdout")).group_by(customer_col)
                   .agg(pl.len().cast(pl.Int64).alias("frequency_holdout")))
        summary = summary.join(holdout, on=customer_col, how="left").with_columns(
            pl.col("frequency_holdout").fill_null(0),
            pl.lit(_period_of(holdout_end, time_unit) - cal_period, dtype=pl.Int64).alias("duration_holdout"),
        )
    return summary.sort(customer_col).collect()


def _arrays(*columns) -> list[np.ndarray]:
    return [np.atleast_1d(np.asarray(c.to_numpy() if isinstance(c, pl.Series) else c, dtype=np.float64))
            for c in columns]


# ---------------------------------------------------------------------------------------------
# BG/NBD


@dataclass(frozen=True)
class BGNBD:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int
    converged: bool

    @property
    def params(self) -> tuple[float, float, float, float]:
        return self.r, self.alpha, self.a, self.b

    def to_dict(self) -> dict:
        return asdict(self)


def bgnbd_log_likelihood(params, frequency, recency, T) -> np.ndarray:
    """Each customer's log L(r, alpha, a, b | x, t_x, T) (paper eq. 6), as a log-sum of its two terms.

    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
      + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x)),
    and B(a+1, b+x-1) / B(a, b+x) = a / (b+x-1) factors the second term onto the first.
    """
    r, alpha, a, b = params
    x, t_x, T = _arrays(frequency, recency, T)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    still_alive = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    x1 = np.where(repeat, x, 1.0)  # keeps log(b + x - 1) finite where the term is masked out
    dropped_after_last = np.where(
        repeat, np.log(a) - np.log(b + x1 - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(still_alive, dropped_after_last)


def _distinct_rows(*arrays: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows and their counts: customers with the same summary share a likelihood term."""
    rows, counts = np.unique(np.column_stack(arrays), axis=0, return_counts=True)
    return list(rows.T), counts.astype(np.float64)


def _maximize(log_likelihood, start: np.ndarray, weights: np.ndarray):
    """Maximum of the weighted log-likelihood over log-parameters (positive, scale-free steps)."""
    from scipy.optimize import minimize  # imported when fitting: scipy.optimize is most of this module's import time

    total = weights.sum()

    def negative_mean(log_params: np.ndarray) -> float:
        value = float(np.dot(weights, log_likelihood(np.exp(log_params)))) / total
        return -value if np.isfinite(value) else 1e300

    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(start)
    result = minimize(negative_mean, np.log(start), method="L-BFGS-B", bounds=bounds)
    if not result.success:
        result = minimize(negative_mean, result.x, method="Nelder-Mead", bounds=bounds,
                          options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 4000})
    at_bound = bool(np.any(np.abs(result.x) > _LOG_BOUND - 1e-3))
    return np.exp(result.x), -result.fun * total, bool(result.success) and not at_bound


def fit_bgnbd(summary: pl.DataFrame) -> BGNBD:
    """BG/NBD by maximum likelihood over ``frequency``, ``recency`` and ``T`` of a summary."""
    x, t_x, T = _arrays(summary["frequency"], summary["recency"], summary["T"])
    if len(x) == 0:
        raise ValueError("no customers to fit the purchase model on")
    (x_u, t_x_u, T_u), weights = _distinct_rows(x, t_x, T)
    rate = max(x.sum(), 1.0) / max(T.sum(), 1.0)
    start = np.array([1.0, 1.0 / rate, 1.0, 1.0])  # start from the mean repeat-purchase rate
    params, log_likelihood, converged = _maximize(
        lambda p: bgnbd_log_likelihood(p, x_u, t_x_u, T_u), start, weights)
    return BGNBD(*map(float, params), log_likelihood=float(log_likelihood), n_customers=len(x), converged=converged)


def prob_alive(model: BGNBD, frequency, recency, T) -> np.ndarray:
    """P(still alive at T | x, t_x, T) (paper eq. 11); 1 for customers who never bought again."""
    r, alpha, a, b = model.params
    x, t_x, T = _arrays(frequency, recency, T)
    x1 = np.maximum(x, 1.0)
    log_odds_dead = np.log(a) - np.log(b + x1 - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, expit(-log_odds_dead), 1.0)


_SERIES_FROM_C = 50.0


def _hyp2f1(A: float, B: float, C: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Gauss 2F1 for 0 <= z < 1. scipy's returns inf/nan once C is large (>~100) and z > 0.9 (scipy 1.17);
    there (C >= 50, or any non-finite result) the power series is summed instead: with C - A = x + r > 0
    its terms fall fast."""
    C, z = np.broadcast_arrays(np.asarray(C, dtype=np.float64), np.asarray(z, dtype=np.float64))
    value = np.asarray(hyp2f1(A, B, C, z), dtype=np.float64).copy()
    redo = (C >= _SERIES_FROM_C) | ~np.isfinite(value)
    if redo.any():
        c, w = C[redo], z[redo]
        term, total = np.ones_like(c), np.ones_like(c)
        for k in range(100_000):
            term = term * (A + k) * (B + k) / ((c + k) * (k + 1.0)) * w
            total = total + term
            if not np.any(np.abs(term) > 1e-17 * np.abs(total)):
                break
        value[redo] = total
    return value


def expected_purchases(model: BGNBD, t, frequency, recency, T) -> np.ndarray:
    """E[purchases in (T, T+t] | x, t_x, T] (paper eq. 10).

    Eq. 10's factor 1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) is evaluated through
    Euler's transform 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z), which turns it into
    1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): no parameter grows with x, so large
    frequencies don't overflow; where it still does (a very large a), eq. 10 is used as written.
    (a = 1 exactly is a removable singularity; it is nudged.)
    """
    r, alpha, a, b = model.params
    if abs(a - 1.0) < 1e-8:
        a = 1.0 + 1e-8
    t, x, t_x, T = np.broadcast_arrays(*_arrays(t, frequency, recency, T))
    z = t / (alpha + T + t)
    with np.errstate(over="ignore", invalid="ignore"):
        tail = np.power(1.0 - z, a - 1.0) * _hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        as_written = ~np.isfinite(tail)  # a large a (a - 1 >> 1): the untransformed series is the tame one
        if as_written.any():
            xw, zw = x[as_written], z[as_written]
            tail[as_written] = np.power(1.0 - zw, r + xw) * hyp2f1(r + xw, b + xw, a + b + xw - 1.0, zw)
    return (a + b + x - 1.0) / (a - 1.0) * (1.0 - tail) * prob_alive(model, x, t_x, T)


# ---------------------------------------------------------------------------------------------
# Gamma-Gamma


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float
    log_likelihood: float
    n_customers: int
    converged: bool

    @property
    def params(self) -> tuple[float, float, float]:
        return self.p, self.q, self.v

    @property
    def population_mean(self) -> float:
        """Mean order value of a customer we know nothing about: p v / (q - 1), infinite for q <= 1."""
        return self.p * self.v / (self.q - 1.0) if self.q > 1.0 else math.inf

    def to_dict(self) -> dict:
        return asdict(self)


def gamma_gamma_log_likelihood(params, frequency, monetary_value) -> np.ndarray:
    """Each customer's log density of the mean of x orders, m_x (x m_x ~ Gamma(p x, nu), nu ~ Gamma(q, v)):

    f(m_x) = G(p x + q) / (G(p x) G(q)) * v^q x^(p x) m_x^(p x - 1) / (v + x m_x)^(p x + q).
    """
    p, q, v = params
    x, m = _arrays(frequency, monetary_value)
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + px * np.log(x)
            + (px - 1.0) * np.log(m) - (px + q) * np.log(v + x * m))


def _spending(frequency, monetary_value) -> np.ndarray:
    """Customers Gamma-Gamma can learn from: repeat buyers with a positive mean order value."""
    x, m = _arrays(frequency, monetary_value)
    return (x > 0) & (m > 0)


def fit_gamma_gamma(frequency, monetary_value) -> GammaGamma:
    """Gamma-Gamma by maximum likelihood over repeat buyers (frequency > 0) with positive spend."""
    x, m = _arrays(frequency, monetary_value)
    keep = _spending(x, m)
    if not keep.any():
        raise ValueError("no repeat purchases with a positive amount to fit the spend model on")
    (x_u, m_u), weights = _distinct_rows(x[keep], m[keep])
    start = np.array([1.0, 2.0, float(np.average(m_u, weights=weights))])  # p v / (q - 1) = mean spend
    params, log_likelihood, converged = _maximize(
        lambda p: gamma_gamma_log_likelihood(p, x_u, m_u), start, weights)
    return GammaGamma(*map(float, params), log_likelihood=float(log_likelihood), n_customers=int(keep.sum()),
                      converged=converged)


def expected_average_value(model: GammaGamma, frequency, monetary_value) -> np.ndarray:
    """E[order value | x, m_x] = (v + x m_x) p / (p x + q - 1): the customer's own mean shrunk to the population's.

    Customers with no repeat purchase or a non-positive mean (refunds) get the population mean.
    """
    p, q, v = model.params
    x, m = _arrays(frequency, monetary_value)
    own = _spending(x, m)
    x, m = np.where(own, x, 0.0), np.where(own, m, 0.0)
    return (v + x * m) * p / (p * x + q - 1.0)


# ---------------------------------------------------------------------------------------------
# Lifetime value and diagnostics


def customer_clv(
    summary: pl.DataFrame,
    bgnbd: BGNBD,
    gamma_gamma: GammaGamma,
    *,
    horizon: int,
    discount_rate_annual: float,
    time_unit: TimeUnit = "day",
    customer_col: str | None = None,
) -> pl.DataFrame:
    """Per customer: prob_alive, expected purchases and spend over ``horizon`` units, and discounted CLV.

    Discounting is monthly (a month = 365.25/12 days): the spend expected within each month of the
    horizon (the last one may be partial) is discounted at (1 + discount_rate_annual)^(-k/12) for
    month k = 1, 2, ..., as at that month's end. ``clv`` is their sum; ``expected_spend`` is undiscounted.
    """
    if horizon <= 0:
        raise ValueError("horizon must be a positive number of time units")
    x, t_x, T = _arrays(summary["frequency"], summary["recency"], summary["T"])
    value = expected_average_value(gamma_gamma, x, summary["monetary_value"])
    month = DAYS_PER_MONTH / DAYS_PER_UNIT[time_unit]
    edges = np.minimum(np.arange(1, math.ceil(horizon / month) + 1) * month, horizon)
    monthly_discount = (1.0 + discount_rate_annual) ** (-1.0 / 12.0)
    discounted = np.zeros(len(x))
    before = np.zeros(len(x))
    for k, edge in enumerate(edges, start=1):
        cumulative = expected_purchases(bgnbd, edge, x, t_x, T)
        discounted += (cumulative - before) * monthly_discount**k
        before = cumulative
    customer_col = customer_col or summary.columns[0]
    return summary.select(customer_col, "frequency", "recency", "T", "monetary_value").with_columns(
        pl.Series("prob_alive", prob_alive(bgnbd, x, t_x, T)),
        pl.Series("expected_purchases", before),
        pl.Series("expected_average_value", value),
        pl.Series("expected_spend", before * value),
        pl.Series("clv", discounted * value),
    )


@dataclass(frozen=True)
class CalibrationHoldout:
    """Repeat purchases in the holdout, predicted by the calibration-period model against actual."""

    duration: float
    customers: int
    actual: float
    predicted: float
    by_frequency: pl.DataFrame  # frequency_group, customers, actual, predicted, actual_mean, predicted_mean

    def to_dict(self) -> dict:
        return {"duration": self.duration, "customers": self.customers, "actual": self.actual,
                "predicted": self.predicted, "by_frequency": self.by_frequency.to_dicts()}


def calibration_holdout(summary: pl.DataFrame, bgnbd: BGNBD) -> CalibrationHoldout:
    """Predicted (eq. 10 over each customer's holdout) against actual holdout purchases, in total and by
    calibration frequency 0, 1, ..., 6, 7+ (the paper's figure 4)."""
    if "frequency_holdout" not in summary.columns:
        raise ValueError("the summary has no holdout period (frequency_holdout, duration_holdout)")
    predicted = expected_purchases(bgnbd, summary["duration_holdout"], summary["frequency"], summary["recency"],
                                   summary["T"])
    frame = pl.DataFrame({
        "group": summary["frequency"].clip(upper_bound=FREQUENCY_GROUPS),
        "actual": summary["frequency_holdout"].cast(pl.Float64),
        "predicted": predicted,
    })
    by_frequency = (
        frame.group_by("group")
        .agg(pl.len().alias("customers"), pl.col("actual").sum(), pl.col("predicted").sum())
        .sort("group")
        .with_columns(
            pl.when(pl.col("group") == FREQUENCY_GROUPS).then(pl.lit(f"{FREQUENCY_GROUPS}+"))
            .otherwise(pl.col("group").cast(pl.String)).alias("frequency_group"),
            (pl.col("actual") / pl.col("customers")).alias("actual_mean"),
            (pl.col("predicted") / pl.col("customers")).alias("predicted_mean"),
        )
        .select("frequency_group", "customers", "actual", "predicted", "actual_mean", "predicted_mean")
    )
    duration = float(summary["duration_holdout"].max()) if summary.height else 0.0
    return CalibrationHoldout(duration, summary.height, float(frame["actual"].sum()),
                              float(frame["predicted"].sum()), by_frequency)


def calibration_plot(by_frequency: pl.DataFrame, time_unit: TimeUnit = "day"):
    """Altair chart of mean holdout purchases per calibration frequency group, actual against predicted
    (``chart.to_dict()`` is the Vega-Lite spec, ``chart.save("x.html")`` a self-contained page)."""
    import altair as alt  # imported here: only the diagnostics need it

    long = by_frequency.select("frequency_group", "actual_mean", "predicted_mean").unpivot(
        index="frequency_group", variable_name="series", value_name="mean_purchases"
    ).with_columns(pl.col("series").str.replace("_mean", ""))
    order = by_frequency["frequency_group"].to_list()
    return (
        alt.Chart(long.to_arrow())
        .mark_line(point=True)
        .encode(
            x=alt.X("frequency_group:N", sort=order, title="repeat purchases in calibration"),
            y=alt.Y("mean_purchases:Q", title="mean repeat purchases in holdout"),
            color=alt.Color("series:N", title=None),
            tooltip=["frequency_group", "series", alt.Tooltip("mean_purchases:Q", format=".3f")],
        )
        .properties(title=f"BG/NBD: holdout purchases per customer, predicted vs actual ({time_unit}s)")
    )

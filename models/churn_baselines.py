"""The two churn signals a model has to beat: days since the last purchase, and 1 − P(alive) of BG/NBD.

Recency alone is the signal every churn model is first compared with; 1 − P(alive) of the BG/NBD
model fitted by models/clv.py is the field's standard churn score from purchase history. Both are
scores, not probabilities, so their Brier score is taken after mapping each to churn rates by
isotonic regression on an earlier, labelled cutoff: the best any monotone reading of the score can
do there, which keeps the comparison generous to the baselines.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import polars as pl

from models.clv import BGNBD, fit_bgnbd, prob_alive, transaction_summary
from models.segments import to_utc

# BG/NBD has four parameters: a fixed sample of this many customers pins them down as well as all would
BGNBD_FIT_CUSTOMERS = 50_000


def bgnbd_p_dead(orders: pl.DataFrame, cutoff: date, *,
                 fit_customers: int = BGNBD_FIT_CUSTOMERS) -> tuple[pl.DataFrame, BGNBD]:
    """1 − P(alive) at the cutoff (``bgnbd_p_dead``) for every customer with a paid order before it.

    BG/NBD is fitted by day on the paid orders before the cutoff (orders on one day are one
    purchase, as in `crm360 clv`); a customer who never bought again has P(alive) = 1 under it.
    """
    cut = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=timezone.utc)
    paid = (to_utc(orders.select("golden_id", "ordered_at", "status", "amount"), "ordered_at")
            .filter(pl.col("golden_id").is_not_null(), pl.col("status") == "paid", pl.col("ordered_at") < cut)
            .select("golden_id", pl.col("ordered_at").dt.date().alias("_day"),
                    pl.col("amount").cast(pl.Float64).fill_null(0.0).alias("_amount")))
    if paid.height == 0:
        raise ValueError(f"no paid orders before {cutoff}: nothing to fit BG/NBD on")
    summary = transaction_summary(paid, customer_col="golden_id", date_col="_day", amount_col="_amount",
                                  calibration_end=cutoff - timedelta(days=1))
    fitted = fit_bgnbd(summary if summary.height <= fit_customers else summary.sample(fit_customers, seed=0))
    alive = prob_alive(fitted, summary["frequency"], summary["recency"], summary["T"])
    return summary.select("golden_id", pl.Series("bgnbd_p_dead", 1.0 - alive)), fitted


def isotonic_rates(train_score: np.ndarray, train_churned: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Churn probability of each ``score``: the churn rate at that score on the training rows, made monotone."""
    from sklearn.isotonic import IsotonicRegression

    mapping = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    return mapping.fit(train_score, train_churned.astype(np.float64)).predict(score)

"""Churn risk: who among the active customers stops buying, and why.

A snapshot describes every active customer as of a cutoff day from what was known before it
(purchases, service tickets, surveys, campaign engagement), in days and counts relative to the
cutoff, never absolute dates, so a model trained on old cutoffs scores today's customers the
same way. Its label is behaviour, not a flag: no paid order in the `horizon_days` after the cutoff.

The model is additive in log-odds (a spline per feature, or a plain slope for weak signals, into
an L2 logistic regression), so each customer's log-odds split exactly into per-feature parts;
those parts, summed over related features, name the top reasons. Probabilities are calibrated
on out-of-fold scores. Use: `snapshot` (or `purchase_snapshot`, from orders alone) per cutoff ->
`train` on earlier cutoffs -> `evaluate` on a later one (models/churn_evaluation.py; its report
goes into the model card with `record_evaluation`) -> `save_model`; scoring loads the model and
calls `score` on today's snapshot. models/churn_training.py chooses the cutoffs.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from models.transactions import day_start

DAY_S = 86_400.0
ACTIVE_DAYS = 365  # eligible: a paid order in the 365 days before the cutoff; older buyers are "lost"
WINDOWS = (30, 90, 365)

# features in the order the model sees them
PURCHASE_FEATURES = (
    "recency_days", "tenure_days", "orders_lifetime", "orders_30d", "orders_90d", "orders_365d",
    "spend_30d", "spend_90d", "spend_365d", "avg_order_value_365d", "avg_gap_days", "recency_gap_ratio",
    "orders_trend_90d", "spend_trend_90d", "returns_365d",
)
SERVICE_FEATURES = (
    "tickets_90d", "tickets_365d", "complaints_90d", "complaints_365d", "repairs_365d", "open_tickets",
    "avg_hours_to_resolve_365d", "days_since_last_ticket",
)
SURVEY_FEATURES = ("csat_latest", "csat_avg", "nps_latest", "nps_avg")
CAMPAIGN_FEATURES = ("campaign_sent_365d", "campaign_opens_90d", "campaign_opens_365d",
                     "campaign_clicks_365d", "campaign_converts_365d")
FEATURES = (*PURCHASE_FEATURES, *SERVICE_FEATURES, *SURVEY_FEATURES, *CAMPAIGN_FEATURES, "is_company")


def _utc(col: str, dtype: pl.DataType) -> pl.Expr:
    """A datetime column in UTC whatever zone it came in (naive is taken as UTC)."""
    expr = pl.col(col)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return expr.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    return expr.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _age_days(frame: pl.DataFrame, col: str, cut: datetime) -> pl.DataFrame:
    """Rows with a timestamp before the cutoff, with `age`: days from the event to the cutoff (> 0)."""
    ts = _utc(col, frame.schema[col])
    return (frame.filter(pl.col("golden_id").is_not_null())
            .with_columns(ts.alias("_ts"))
            .filter(pl.col("_ts") < cut)
            .with_columns(((pl.lit(cut) - pl.col("_ts")).dt.total_microseconds() / 1e6 / DAY_S).alias("age")))


def data_end(orders: pl.DataFrame) -> date:
    """The first day the order feed does not cover: the day after the latest order (UTC)."""
    latest = orders.select(_utc("ordered_at", orders.schema["ordered_at"]).max()).item()
    if latest is None:
        raise ValueError("orders is empty: no data end to judge label completeness by")
    return latest.date() + timedelta(days=1)


def _purchase_features(orders: pl.DataFrame, cut: datetime) -> pl.DataFrame:
    hist = _age_days(orders, "ordered_at", cut)
    paid = hist.filter(pl.col("status") == "paid")
    age, amount = pl.col("age"), pl.col("amount").fill_null(0.0)
    windows = []
    for w in WINDOWS:
        windows += [(age <= w).sum().cast(pl.Int64).alias(f"orders_{w}d"),
                    amount.filter(age <= w).sum().alias(f"spend_{w}d")]
    prev = (age > 90) & (age <= 180)
    per_customer = paid.group_by("golden_id").agg(
        age.min().alias("recency_days"),
        age.max().alias("first_order_days"),
        pl.len().cast(pl.Int64).alias("orders_lifetime"),
        *windows,
        prev.sum().cast(pl.Int64).alias("orders_prev_90d"),
        amount.filter(prev).sum().alias("spend_prev_90d"),
    )
    returns = (hist.filter(pl.col("status").is_in(["refunded", "cancelled"]) & (age <= 365))
               .group_by("golden_id").agg(pl.len().cast(pl.Int64).alias("returns_365d")))
    n = pl.col("orders_lifetime")
    return (per_customer.join(returns, on="golden_id", how="left")
            .with_columns(
                pl.col("returns_365d").fill_null(0),
                pl.when(pl.col("orders_365d") > 0).then(pl.col("spend_365d") / pl.col("orders_365d"))
                .alias("avg_order_value_365d"),
                pl.when(n > 1).then((pl.col("first_order_days") - pl.col("recency_days")) / (n - 1))
                .alias("avg_gap_days"),
                (pl.col("orders_90d") - pl.col("orders_prev_90d")).alias("orders_trend_90d"),
                (pl.col("spend_90d").log1p() - pl.col("spend_prev_90d").log1p()).alias("spend_trend_90d"),
            )
            .with_columns((pl.col("recency_days") / pl.col("avg_gap_days").clip(lower_bound=1.0))
                          .alias("recency_gap_ratio")))


def _service_features(tickets: pl.DataFrame, cut: datetime) -> pl.DataFrame:
    hist = _age_days(tickets, "opened_at", cut)
    resolved = _utc("resolved_at", tickets.schema["resolved_at"])
    hist = hist.with_columns(resolved.alias("_resolved"))
    done = pl.col("_resolved").is_not_null() & (pl.col("_resolved") < cut)  # known to be resolved at the cutoff
    hours = pl.coalesce(pl.col("hours_to_resolve"),
                        (pl.col("_resolved") - pl.col("_ts")).dt.total_microseconds() / 3.6e9)
    age, kind = pl.col("age"), pl.col("ticket_type")
    return hist.group_by("golden_id").agg(
        (age <= 90).sum().cast(pl.Int64).alias("tickets_90d"),
        (age <= 365).sum().cast(pl.Int64).alias("tickets_365d"),
        ((age <= 90) & (kind == "complaint")).sum().cast(pl.Int64).alias("complaints_90d"),
        ((age <= 365) & (kind == "complaint")).sum().cast(pl.Int64).alias("complaints_365d"),
        ((age <= 365) & (kind == "repair")).sum().cast(pl.Int64).alias("repairs_365d"),
        (~done).sum().cast(pl.Int64).alias("open_tickets"),
        hours.filter(done & (age <= 365)).mean().alias("avg_hours_to_resolve_365d"),
        age.min().alias("days_since_last_ticket"),
    )


def _survey_features(surveys: pl.DataFrame, cutoff: date) -> pl.DataFrame:
    hist = surveys.filter(pl.col("golden_id").is_not_null() & (pl.col("survey_date").cast(pl.Date) < cutoff))
    order = ["survey_date", "response_id"]
    return hist.group_by("golden_id").agg(
        pl.col("csat").cast(pl.Float64).sort_by(order).drop_nulls().last().alias("csat_latest"),
        pl.col("csat").cast(pl.Float64).mean().alias("csat_avg"),
        pl.col("nps").cast(pl.Float64).sort_by(order).drop_nulls().last().alias("nps_latest"),
        pl.col("nps").cast(pl.Float64).mean().alias("nps_avg"),
    )


def _campaign_features(events: pl.DataFrame, cut: datetime) -> pl.DataFrame:
    hist = _age_days(events, "event_time", cut)
    age, kind = pl.col("age"), pl.col("event_type")
    return hist.group_by("golden_id").agg(
        ((age <= 365) & (kind == "sent")).sum().cast(pl.Int64).alias("campaign_sent_365d"),
        ((age <= 90) & (kind == "open")).sum().cast(pl.Int64).alias("campaign_opens_90d"),
        ((age <= 365) & (kind == "open")).sum().cast(pl.Int64).alias("campaign_opens_365d"),
        ((age <= 365) & (kind == "click")).sum().cast(pl.Int64).alias("campaign_clicks_365d"),
        ((age <= 365) & (kind == "convert")).sum().cast(pl.Int64).alias("campaign_converts_365d"),
    )


def _labels(orders: pl.DataFrame, cutoff: date, horizon_days: int) -> pl.DataFrame:
    start, end = day_start(cutoff), day_start(cutoff + timedelta(days=horizon_days))
    ts = _utc("ordered_at", orders.schema["ordered_at"])
    return (orders.filter(pl.col("golden_id").is_not_null() & (pl.col("status") == "paid"))
            .filter(ts.is_between(start, end, closed="left"))
            .group_by("golden_id").agg(pl.len().alias("_future_orders")))


def _with_label(frame: pl.DataFrame, orders: pl.DataFrame, cutoff: date, horizon_days: int, end: date,
                features: tuple[str, ...]) -> pl.DataFrame:
    labelled = cutoff + timedelta(days=horizon_days) <= end
    frame = frame.join(_labels(orders, cutoff, horizon_days), on="golden_id", how="left").with_columns(
        (pl.col("_future_orders").is_null() if labelled else pl.lit(None, dtype=pl.Boolean)).alias("churned"))
    return (frame.select("golden_id", pl.lit(cutoff).alias("cutoff"),
                         pl.lit(horizon_days, dtype=pl.Int64).alias("horizon_days"),
                         *[pl.col(c).cast(pl.Float64) for c in features], "churned")
            .sort("golden_id"))


def snapshot(customers: pl.DataFrame, orders: pl.DataFrame, tickets: pl.DataFrame, surveys: pl.DataFrame,
             campaign_events: pl.DataFrame, cutoff: date, horizon_days: int = 90, *,
             active_days: int = ACTIVE_DAYS, end: date | None = None) -> pl.DataFrame:
    """Features of every active customer as of `cutoff`, and the churn label when it is known.

    The cutoff is the start of that day in UTC. Features see only events before it; the label
    window is the `horizon_days` days from it: `churned` is true when the customer has no paid
    order in [cutoff, cutoff + horizon_days), and null when that window reaches past `end`
    (default: the day after the latest order, see `data_end`), because absence of orders there
    means only that the data stops. Eligible customers bought (a paid order) in the
    `active_days` before the cutoff: someone who has not bought for longer is already lost, not
    at risk, and is left out rather than counted as an easy churner.
    """
    cut = day_start(cutoff)
    end = end or data_end(orders)
    purchases = _purchase_features(orders, cut).filter(pl.col("recency_days") <= active_days)
    kinds = customers.select(
        "golden_id", (pl.col("customer_kind") == "company").fill_null(False).cast(pl.Int64).alias("is_company"),
    ).unique("golden_id", keep="first")
    frame = (purchases
             .join(kinds, on="golden_id", how="left")
             .join(_service_features(tickets, cut), on="golden_id", how="left")
             .join(_survey_features(surveys, cutoff), on="golden_id", how="left")
             .join(_campaign_features(campaign_events, cut), on="golden_id", how="left")
             .with_columns(
                 # a customer since the first purchase: the golden record's first_seen_at is the oldest
                 # record of any source, for companies often a registry entry years before they bought
                 pl.col("first_order_days").alias("tenure_days"),
                 pl.col("is_company").fill_null(0),
                 *[pl.col(c).fill_null(0) for c in (*SERVICE_FEATURES, *CAMPAIGN_FEATURES)
                   if c not in ("avg_hours_to_resolve_365d", "days_since_last_ticket")],
             ))
    return _with_label(frame, orders, cutoff, horizon_days, end, FEATURES)


def purchase_snapshot(orders: pl.DataFrame, cutoff: date, horizon_days: int = 90, *,
                      active_days: int = ACTIVE_DAYS, end: date | None = None) -> pl.DataFrame:
    """`snapshot` from orders alone: the same eligibility, label and PURCHASE_FEATURES, nothing else.

    What a bare transaction table supports (`crm360 churn`); a model trained on these snapshots uses
    only purchase features, and the pipeline's tickets, surveys and campaigns stay in the mart.
    """
    cut = day_start(cutoff)
    end = end or data_end(orders)
    purchases = (_purchase_features(orders, cut).filter(pl.col("recency_days") <= active_days)
                 .with_columns(pl.col("first_order_days").alias("tenure_days")))
    return _with_label(purchases, orders, cutoff, horizon_days, end, PURCHASE_FEATURES)


# --- the model -------------------------------------------------------------------------------

MODEL_FORMAT = 1
RECIPE = "additive-spline-logit/1"  # bump when the way a model is built changes; part of the version
# calibrated probability of no purchase within the horizon at or above which a customer is in a band;
# set well above the base rate (about 2 in 3 active customers skip any 90 days on the demo data)
RISK_BANDS = {"high": 0.85, "medium": 0.6}
# a reason must move the log-odds by at least this much (about two points of probability near 0.7)
MIN_REASON_LOG_ODDS = 0.1
SIGNED_LOG = ("orders_trend_90d",)
AS_IS = ("spend_trend_90d", "csat_latest", "csat_avg", "nps_latest", "nps_avg")
BINARY = ("is_company",)


class ChurnModelError(ValueError):
    """A stored churn model that this code or this scikit-learn cannot use."""


@dataclass(frozen=True)
class ChurnParams:
    """What shapes the model; part of its version."""

    knots: int = 6                    # spline knots per feature, at quantiles of the training values
    degree: int = 3
    C: float = 0.3                    # inverse L2 strength of the logistic regression
    calibration: str = "sigmoid"      # Platt scaling keeps the ranking (no ties); or "isotonic"
    cv_folds: int = 5                 # calibration folds, grouped by customer
    # weak signals whose direction should be plain (lower satisfaction, less engagement): one slope
    # plus a missing level each, so a spline can't wiggle noise into a "reason"
    linear: tuple[str, ...] = (*SURVEY_FEATURES, *CAMPAIGN_FEATURES)


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def _scale(feature: str):
    if feature in AS_IS:
        return None
    return _signed_log1p if feature in SIGNED_LOG else np.log1p


def _knots(values: np.ndarray, n: int) -> np.ndarray | None:
    """Knots at quantiles of the observed values; spread over the distinct values when a count is
    mostly one number; None when the feature never varies."""
    x = values[~np.isnan(values)]
    distinct = np.unique(x)
    if len(distinct) < 2:
        return None
    knots = np.unique(np.quantile(x, np.linspace(0, 1, n)))
    if len(knots) < min(4, len(distinct)):
        knots = np.unique(np.quantile(distinct, np.linspace(0, 1, min(n, len(distinct)))))
    return knots


def _additive_pipeline(X: np.ndarray, features: tuple[str, ...], params: ChurnParams):
    """Per-feature spline bases (an additive model in log-odds) into an L2 logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, SplineTransformer, StandardScaler

    parts = []
    for j, name in enumerate(features):
        if name in BINARY:
            parts.append((name, "passthrough", [j]))
            continue
        scale = _scale(name)
        shaped = X[:, j] if scale is None else scale(X[:, j])
        if name in params.linear:
            steps = [("impute", SimpleImputer(strategy="median", add_indicator=True)), ("standard", StandardScaler())]
            steps = steps if scale is None else [("scale", FunctionTransformer(scale)), *steps]
            parts.append((name, Pipeline(steps), [j]))
            continue
        knots = _knots(shaped, params.knots)
        if knots is None:
            parts.append((name, "drop", [j]))
            continue
        degree = min(params.degree, len(knots) - 1)
        spline = SplineTransformer(knots=knots.reshape(-1, 1), degree=degree, extrapolation="constant",
                                   handle_missing="zeros")
        steps = [("spline", spline)] if scale is None else [("scale", FunctionTransformer(scale)), ("spline", spline)]
        parts.append((name, Pipeline(steps), [j]))
    return Pipeline([("features", ColumnTransformer(parts)),
                     # Newton steps on the Cholesky of a ~200-column Hessian: a handful of iterations at any row count
                     ("classifier", LogisticRegression(C=params.C, solver="newton-cholesky", max_iter=200))])


def _raw_contributions(pipeline, X: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """Each feature's additive share of the uncalibrated log-odds (not yet centred)."""
    columns = pipeline.named_steps["features"]
    weights = pipeline.named_steps["classifier"].coef_[0]
    Z = columns.transform(X)
    out = np.zeros((X.shape[0], len(features)))
    for j, name in enumerate(features):
        part = columns.output_indices_[name]
        if part.stop > part.start:
            out[:, j] = Z[:, part] @ weights[part]
    return out


@dataclass
class ChurnModel:
    calibrated: object                # CalibratedClassifierCV around the additive pipeline
    features: tuple[str, ...]
    version: str
    trained_cutoffs: tuple[date, ...]
    horizon_days: int
    params: ChurnParams
    sklearn_version: str
    contribution_means: np.ndarray    # mean of each feature's share over the training rows
    risk_bands: dict[str, float] = field(default_factory=lambda: dict(RISK_BANDS))
    card: dict = field(default_factory=dict)
    format: int = MODEL_FORMAT

    @property
    def pipeline(self):
        """The additive model fitted on all training rows; calibration maps its log-odds."""
        return self.calibrated.calibrated_classifiers_[0].estimator

    def matrix(self, frame: pl.DataFrame) -> np.ndarray:
        missing = [f for f in self.features if f not in frame.columns]
        if missing:
            raise ValueError(f"snapshot lacks feature columns {missing}")
        return frame.select([pl.col(f).cast(pl.Float64) for f in self.features]).to_numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.calibrated.predict_proba(X)[:, 1]

    def record_evaluation(self, report: dict) -> None:
        """Keep an `evaluate` report in the model card (it is saved with the model)."""
        if report.get("model_version") != self.version:
            raise ValueError(f"report is for {report.get('model_version')}, not {self.version}")
        self.card["evaluation"] = report

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per customer and feature: log-odds towards churn compared with the average training customer.

        They add up exactly to the customer's uncalibrated log-odds minus the training average;
        calibration is monotone, so a larger sum always means a higher probability.
        """
        return _raw_contributions(self.pipeline, X, self.features) - self.contribution_means


def _model_version(cutoffs: list[date], horizon: int, params: ChurnParams, features: tuple[str, ...],
                   sklearn_version: str, rows: int, churned: int) -> str:
    spec = {"cutoffs": [c.isoformat() for c in cutoffs], "horizon_days": horizon, "params": params.__dict__,
            "features": list(features), "sklearn": sklearn_version, "rows": rows, "churned": churned,
            "format": MODEL_FORMAT, "recipe": RECIPE}
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return f"churn-{digest}"


def _group_folds(ids: np.ndarray, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Calibration folds that keep all snapshots of one customer together."""
    from sklearn.model_selection import GroupKFold

    n_groups = len(np.unique(ids))
    folds = GroupKFold(n_splits=min(n_folds, n_groups))
    return list(folds.split(np.zeros(len(ids)), groups=ids))


def train(snapshots: list[tuple[date, pl.DataFrame]], params: ChurnParams = ChurnParams()) -> ChurnModel:
    """Fit the additive churn model on labelled snapshots, with probabilities calibrated on
    out-of-fold predictions (folds grouped by customer, so no one is scored by a model that saw them).

    The model uses the FEATURES the snapshots hold: all of them from `snapshot`, the purchase
    features from `purchase_snapshot`."""
    import sklearn
    from sklearn.calibration import CalibratedClassifierCV

    started = time.perf_counter()
    if not snapshots:
        raise ValueError("train needs at least one snapshot")
    frames, cutoffs = [], []
    for cutoff, frame in sorted(snapshots, key=lambda item: item[0]):
        labelled = frame.filter(pl.col("churned").is_not_null())
        if labelled.height == 0:
            raise ValueError(f"snapshot at {cutoff} has no labels: its horizon reaches past the data")
        frames.append(labelled)
        cutoffs.append(cutoff)
    data = pl.concat(frames, how="vertical_relaxed")
    horizons = data["horizon_days"].unique().to_list()
    if len(horizons) != 1:
        raise ValueError(f"snapshots mix label horizons {sorted(horizons)}")
    y = data["churned"].cast(pl.Int8).to_numpy()
    if len(np.unique(y)) < 2:
        raise ValueError("training labels are all one class: nothing to learn")
    features = tuple(f for f in FEATURES if f in data.columns)
    X = data.select([pl.col(f).cast(pl.Float64) for f in features]).to_numpy()
    calibrated = CalibratedClassifierCV(_additive_pipeline(X, features, params), method=params.calibration,
                                        cv=_group_folds(data["golden_id"].to_numpy(), params.cv_folds),
                                        ensemble=False)
    with threadpool_limits(1):  # on a busy 2-core host, OpenMP threads cost these fits more than they save
        calibrated.fit(X, y)
    fitted = calibrated.calibrated_classifiers_[0].estimator
    means = _raw_contributions(fitted, X, features).mean(axis=0)
    version = _model_version(cutoffs, horizons[0], params, features, sklearn.__version__, len(y), int(y.sum()))
    model = ChurnModel(calibrated=calibrated, features=features, version=version, trained_cutoffs=tuple(cutoffs),
                       horizon_days=int(horizons[0]), params=params, sklearn_version=sklearn.__version__,
                       contribution_means=means)
    slopes = any(f in params.linear for f in features)
    model.card = {
        "model_version": version,
        "model": "additive logistic regression (L2): a cubic spline per "
                 + ("purchase and service feature" if slopes else "purchase feature")
                 + " (log scale for counts, days and amounts)"
                 + (", one slope plus a missing level per survey and campaign feature" if slopes else "")
                 + f"; {params.calibration} calibration on out-of-fold scores, folds grouped by customer",
        "label": f"no paid order in the {horizons[0]} days after the cutoff",
        "eligible": f"customers with a paid order in the {ACTIVE_DAYS} days before the cutoff",
        "training_window": {"cutoffs": [c.isoformat() for c in cutoffs],
                            "labels_through": (cutoffs[-1] + timedelta(days=int(horizons[0]))).isoformat()},
        "training_rows": int(len(y)), "training_base_rate": round(float(y.mean()), 4),
        "features": list(features), "params": dict(params.__dict__), "risk_bands": dict(model.risk_bands),
        "sklearn_version": sklearn.__version__, "training_seconds": round(time.perf_counter() - started, 2),
    }
    return model


# --- scoring and reasons ---------------------------------------------------------------------

def _int(col: str) -> pl.Expr:
    return pl.col(col).round(0).cast(pl.Int64)


def _count(col: str, one: str, many: str, tail: str) -> pl.Expr:
    n = _int(col)
    return (pl.when(n == 0).then(pl.lit(f"no {one} {tail}"))
            .when(n == 1).then(pl.lit(f"1 {one} {tail}"))
            .otherwise(pl.format(f"{{}} {many} {tail}", n)))


def _nps_word(col: str) -> pl.Expr:
    return pl.when(pl.col(col) <= 6).then(pl.lit("detractor")).when(pl.col(col) <= 8).then(pl.lit("passive")) \
        .otherwise(pl.lit("promoter"))


def reason_sentences(currency: str = "¥") -> dict[str, pl.Expr]:
    """A readable sentence per feature, from the customer's values (missing values read as absence).

    ``currency`` prefixes amounts: the mart's are CNY; a transaction file's are in its own unit ("")."""
    prev_spend = ((pl.col("spend_90d").log1p() - pl.col("spend_trend_90d")).exp() - 1).round(0).cast(pl.Int64)
    texts = {
        "recency_days": pl.format("no purchase for {} days", _int("recency_days")),
        "tenure_days": pl.format("customer for {} days", _int("tenure_days")),
        "orders_lifetime": pl.when(_int("orders_lifetime") == 1).then(pl.lit("only 1 purchase ever"))
        .otherwise(pl.format("{} purchases in all", _int("orders_lifetime"))),
        "avg_order_value_365d": pl.format(f"average order {currency}{{}} in 365 days", _int("avg_order_value_365d")),
        "avg_gap_days": pl.when(pl.col("avg_gap_days").is_null()).then(pl.lit("only 1 purchase so far"))
        .otherwise(pl.format("buys only every {} days on average", _int("avg_gap_days"))),
        "recency_gap_ratio": pl.when(pl.col("recency_gap_ratio").is_null()).then(pl.lit("only 1 purchase so far"))
        .otherwise(pl.format("silent for {}× the usual {}-day gap between purchases",
                             pl.col("recency_gap_ratio").round(1), _int("avg_gap_days"))),
        "orders_trend_90d": pl.format("purchases in the last 90 days: {}, in the 90 days before: {}",
                                      _int("orders_90d"), _int("orders_90d") - _int("orders_trend_90d")),
        "spend_trend_90d": pl.format(f"spend in the last 90 days: {currency}{{}}, in the 90 days before: "
                                     f"{currency}{{}}",
                                     _int("spend_90d"), prev_spend),
        "returns_365d": _count("returns_365d", "refunded or cancelled order", "refunded or cancelled orders",
                               "in 365 days"),
        "tickets_90d": _count("tickets_90d", "service ticket", "service tickets", "in 90 days"),
        "tickets_365d": _count("tickets_365d", "service ticket", "service tickets", "in 365 days"),
        "complaints_90d": _count("complaints_90d", "complaint", "complaints", "in 90 days"),
        "complaints_365d": _count("complaints_365d", "complaint", "complaints", "in 365 days"),
        "repairs_365d": _count("repairs_365d", "repair", "repairs", "in 365 days"),
        "open_tickets": _count("open_tickets", "ticket", "tickets", "still open"),
        "avg_hours_to_resolve_365d": pl.when(pl.col("avg_hours_to_resolve_365d").is_null())
        .then(pl.lit("no resolved ticket in 365 days"))
        .otherwise(pl.format("tickets took {} hours to resolve on average", _int("avg_hours_to_resolve_365d"))),
        "days_since_last_ticket": pl.when(pl.col("days_since_last_ticket").is_null())
        .then(pl.lit("no service ticket on record"))
        .otherwise(pl.format("last service ticket {} days ago", _int("days_since_last_ticket"))),
        "csat_latest": pl.when(pl.col("csat_latest").is_null()).then(pl.lit("no CSAT answer on record"))
        .when(pl.col("csat_latest") < pl.col("csat_avg"))
        .then(pl.format("CSAT fell to {} (average {})", _int("csat_latest"), pl.col("csat_avg").round(1)))
        .otherwise(pl.format("latest CSAT {} (average {})", _int("csat_latest"), pl.col("csat_avg").round(1))),
        "csat_avg": pl.when(pl.col("csat_avg").is_null()).then(pl.lit("no CSAT answer on record"))
        .otherwise(pl.format("average CSAT {} (latest {})", pl.col("csat_avg").round(1), _int("csat_latest"))),
        "nps_latest": pl.when(pl.col("nps_latest").is_null()).then(pl.lit("no NPS answer on record"))
        .otherwise(pl.format("latest NPS {} ({}), average {}", _int("nps_latest"), _nps_word("nps_latest"),
                             pl.col("nps_avg").round(1))),
        "nps_avg": pl.when(pl.col("nps_avg").is_null()).then(pl.lit("no NPS answer on record"))
        .otherwise(pl.format("average NPS {} (latest {})", pl.col("nps_avg").round(1), _int("nps_latest"))),
        "campaign_sent_365d": _count("campaign_sent_365d", "campaign message", "campaign messages",
                                     "received in 365 days"),
        "campaign_opens_90d": _count("campaign_opens_90d", "campaign message", "campaign messages",
                                     "opened in 90 days"),
        "campaign_opens_365d": pl.format("opened {} of {} campaign messages in 365 days",
                                         _int("campaign_opens_365d"), _int("campaign_sent_365d")),
        "campaign_clicks_365d": _count("campaign_clicks_365d", "campaign click", "campaign clicks", "in 365 days"),
        "campaign_converts_365d": _count("campaign_converts_365d", "campaign conversion", "campaign conversions",
                                         "in 365 days"),
        "is_company": pl.when(pl.col("is_company") == 1).then(pl.lit("company customer"))
        .otherwise(pl.lit("person customer")),
    }
    for w in WINDOWS:
        texts[f"orders_{w}d"] = pl.when(_int(f"orders_{w}d") == 0).then(pl.lit(f"no purchase in {w} days")) \
            .when(_int(f"orders_{w}d") == 1).then(pl.lit(f"only 1 purchase in {w} days")) \
            .otherwise(pl.format(f"{{}} purchases in {w} days", _int(f"orders_{w}d")))
        texts[f"spend_{w}d"] = pl.when(_int(f"spend_{w}d") == 0).then(pl.lit(f"nothing spent in {w} days")) \
            .otherwise(pl.format(f"spent {currency}{{}} in {w} days", _int(f"spend_{w}d")))
    return texts


def risk_band(probability: pl.Expr, bands: dict[str, float]) -> pl.Expr:
    return (pl.when(probability >= bands["high"]).then(pl.lit("high"))
            .when(probability >= bands["medium"]).then(pl.lit("medium")).otherwise(pl.lit("low")))


# Features that tell one story are one reason: their contributions add up (the model is additive, so
# the sum is exact), collinear features can't list the same fact twice or cancel each other out,
# and the sentence comes from the member that pushes hardest.
REASON_GROUPS = {
    "silence": ("recency_days", "recency_gap_ratio", "orders_30d", "orders_90d", "spend_30d", "spend_90d"),
    "frequency": ("orders_lifetime", "orders_365d", "spend_365d", "avg_order_value_365d", "avg_gap_days"),
    "trend": ("orders_trend_90d", "spend_trend_90d"),
    "tenure": ("tenure_days",),
    "returns": ("returns_365d",),
    "complaints": ("complaints_90d", "complaints_365d"),
    "service": ("tickets_90d", "tickets_365d", "repairs_365d", "open_tickets", "avg_hours_to_resolve_365d",
                "days_since_last_ticket"),
    "csat": ("csat_latest", "csat_avg"),
    "nps": ("nps_latest", "nps_avg"),
    "campaigns": ("campaign_sent_365d", "campaign_opens_90d", "campaign_opens_365d", "campaign_clicks_365d",
                  "campaign_converts_365d"),
    "customer_kind": ("is_company",),
}


def reason_contributions(model: ChurnModel, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per customer and reason group: the summed log-odds contribution, and the index (into
    model.features) of the member feature contributing most."""
    contributions = model.contributions(X)
    position = {f: j for j, f in enumerate(model.features)}
    groups = [g for members in REASON_GROUPS.values() if (g := [position[f] for f in members if f in position])]
    ungrouped = sorted(set(range(len(model.features))) - {j for g in groups for j in g})
    groups += [[j] for j in ungrouped]
    total = np.column_stack([contributions[:, g].sum(axis=1) for g in groups])
    lead = np.column_stack([np.asarray(g)[contributions[:, g].argmax(axis=1)] for g in groups])
    return total, lead


def score(model: ChurnModel, snapshot_frame: pl.DataFrame, *, reasons: int = 3,
          bands: dict[str, float] | None = None, currency: str = "¥") -> pl.DataFrame:
    """Calibrated churn probability, risk band and top reasons per customer of a snapshot.

    Bands (model.risk_bands unless given): high at a probability of `high` (0.85) or more,
    medium from `medium` (0.6), low below. Reasons are the reason groups (REASON_GROUPS) that
    push this customer's log-odds furthest above the average training customer's, strongest
    first, each by at least MIN_REASON_LOG_ODDS, worded from the group's strongest feature; a
    customer with fewer such groups gets fewer reasons (low-risk ones may get none). Amounts in
    reasons carry ``currency``.
    """
    X = model.matrix(snapshot_frame)
    if X.shape[0] == 0:
        return pl.DataFrame(schema={"golden_id": pl.String, "churn_probability": pl.Float64, "risk_band": pl.String,
                                    "top_reasons": pl.List(pl.String), "model_version": pl.String,
                                    "scored_at": pl.Date})
    probability = model.predict(X)
    total, lead = reason_contributions(model, X)
    n, k = X.shape[0], min(reasons, total.shape[1])
    top = np.argsort(-total, axis=1, kind="stable")[:, :k]
    names = np.array(model.features)
    candidates = pl.DataFrame({
        "row": np.repeat(np.arange(n), k),
        "rank": np.tile(np.arange(k), n),
        "feature": names[np.take_along_axis(lead, top, axis=1).ravel()],
        "contribution": np.take_along_axis(total, top, axis=1).ravel(),
    }).filter(pl.col("contribution") >= MIN_REASON_LOG_ODDS)
    values = snapshot_frame.select(model.features).with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    wording = reason_sentences(currency)
    by_feature = candidates.join(values, on="row", how="left").partition_by("feature", as_dict=True)
    # each feature's sentence is worded on its own rows only
    worded = [part.with_columns(wording[name].alias("reason")) for (name,), part in by_feature.items()]
    texts = pl.concat(worded) if worded else candidates.with_columns(pl.lit(None, dtype=pl.String).alias("reason"))
    texts = texts.sort("row", "rank").group_by("row", maintain_order=True).agg(pl.col("reason").alias("top_reasons"))
    scored_at = snapshot_frame["cutoff"] if "cutoff" in snapshot_frame.columns else pl.Series([None] * n, dtype=pl.Date)
    return (pl.DataFrame({"row": np.arange(n), "golden_id": snapshot_frame["golden_id"],
                          "churn_probability": probability})
            .join(texts, on="row", how="left")
            .select("golden_id", "churn_probability",
                    risk_band(pl.col("churn_probability"), bands or model.risk_bands).alias("risk_band"),
                    pl.col("top_reasons").fill_null(pl.lit([], dtype=pl.List(pl.String))),
                    pl.lit(model.version).alias("model_version"),
                    scored_at.alias("scored_at")))


# --- storage ---------------------------------------------------------------------------------

def save_model(model: ChurnModel, path: Path | str) -> Path:
    """One joblib file: a plain header (format, versions, card) and the pickled model, so
    loading can refuse an incompatible file before unpickling any scikit-learn object."""
    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    header = {"format": MODEL_FORMAT, "model_version": model.version, "sklearn_version": model.sklearn_version,
              "card": json.loads(json.dumps(model.card, default=str))}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"header": header, "model": buffer.getvalue()}, path)
    return path


def latest_stored_model(folder: Path) -> Path | None:
    """The newest model file in ``folder`` (by modification time, then name), if any."""
    stored = sorted(folder.glob("*.joblib"), key=lambda p: (p.stat().st_mtime, p.name)) if folder.is_dir() else []
    return stored[-1] if stored else None


def load_model(path: Path | str) -> ChurnModel:
    """The stored model, after checking it was written by this format and this scikit-learn."""
    import io

    import joblib
    import sklearn

    path = Path(path)
    if not path.exists():
        raise ChurnModelError(f"{path}: no stored churn model there")
    try:
        stored = joblib.load(path)
        header = stored["header"]
    except Exception as exc:  # a file that is not ours at all
        raise ChurnModelError(f"{path}: not a churn model file ({exc})") from exc
    if header.get("format") != MODEL_FORMAT:
        raise ChurnModelError(f"{path}: model file format {header.get('format')}, this code reads format "
                              f"{MODEL_FORMAT}; retrain the churn model")
    if header.get("sklearn_version") != sklearn.__version__:
        raise ChurnModelError(f"{path}: model {header.get('model_version')} was trained with scikit-learn "
                              f"{header.get('sklearn_version')}, this environment has {sklearn.__version__}; "
                              "retrain the churn model with this version")
    model = joblib.load(io.BytesIO(stored["model"]))
    if not isinstance(model, ChurnModel) or model.version != header["model_version"]:
        raise ChurnModelError(f"{path}: the stored model does not match its header "
                              f"({header.get('model_version')})")
    missing = [f for f in model.features if f not in FEATURES]
    if missing:
        raise ChurnModelError(f"{path}: model {model.version} uses features this code no longer computes: {missing}")
    return model

"""Churn risk on any transaction table: the mart's model on purchase features, tested honestly. Behind `crm360 churn`.

Only transactions before --as-of are used. The model trains on earlier cutoffs whose labels are
complete inside the data and is tested on the latest complete cutoff against recency and BG/NBD
(models/churn_training.py, the same code as the mart), then scores every customer who bought in
the year before --as-of. With a model folder, a stored model scores instead, or the new one is stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from models.churn import (ACTIVE_DAYS, PURCHASE_FEATURES, ChurnModel, ChurnParams, data_end, latest_stored_model,
                          load_model, purchase_snapshot, save_model, score)
from models.churn_training import ChurnDataError, ChurnSchedule, train_and_evaluate
from models.transactions import as_orders

OUTPUT_COLUMNS = ("churn_probability", "risk_band", "top_reasons")
STALE_DATA_DAYS = 7  # a file ending more than this before --as-of gets a warning: labels are judged by its end


@dataclass(frozen=True)
class ChurnReport:
    as_of: date
    horizon_days: int
    transactions: int             # rows before as_of
    customers: int                # distinct customers before as_of
    data_end: date                # the first day without data (at most as_of)
    scored: pl.DataFrame = field(repr=False)  # customer column, churn_probability, risk_band, top_reasons
    model_version: str = ""
    model_path: Path | None = None
    stored_model_used: bool = False
    evaluation: dict = field(default_factory=dict)
    card: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def bands(self) -> dict[str, int]:
        counts = dict(self.scored.group_by("risk_band").len().iter_rows()) if self.scored.height else {}
        return {band: int(counts.get(band, 0)) for band in ("high", "medium", "low")}

    def to_dict(self) -> dict:
        e = self.evaluation
        return {
            "as_of": self.as_of.isoformat(), "horizon_days": self.horizon_days, "transactions": self.transactions,
            "customers": self.customers, "data_end": self.data_end.isoformat(), "scored_customers": self.scored.height,
            "risk_bands": self.bands, "model_version": self.model_version,
            "model_path": str(self.model_path) if self.model_path else None,
            "stored_model_used": self.stored_model_used,
            "evaluation": {
                "heldout_cutoff": (e.get("heldout_cutoff") or [None])[0], "trained_cutoffs": e.get("trained_cutoffs"),
                "customers": e.get("customers"), "base_rate": e.get("base_rate"),
                "model": {m: e.get(m) for m in ("roc_auc", "pr_auc", "brier")},
                "recency": e.get("recency_baseline"), "bgnbd_p_dead": e.get("bgnbd_baseline"),
                "baseline_calibration": e.get("baseline_calibration"),
                "beats_baselines": e.get("beats_baselines"), "verdict": e.get("verdict"),
                "reliability": e.get("reliability"), "feature_importance": e.get("feature_importance"),
            },
            "seconds": self.seconds, "warnings": list(self.warnings),
        }


def _usable(model: ChurnModel, path: Path, horizon_days: int, as_of: date) -> ChurnModel:
    """The stored model, unless it predicts another horizon, needs other features or has seen past ``as_of``."""
    labels_through = max(model.trained_cutoffs) + timedelta(days=model.horizon_days)
    if labels_through > as_of:
        raise ChurnDataError(f"{path}: model {model.version} learnt from purchases up to {labels_through}, after "
                             f"--as-of {as_of}: it has seen what it would predict; pass another model folder")
    if model.horizon_days != horizon_days:
        raise ChurnDataError(f"{path}: model {model.version} predicts churn within {model.horizon_days} days, not "
                             f"{horizon_days}; pass --horizon-days {model.horizon_days} or another model folder")
    extra = [f for f in model.features if f not in PURCHASE_FEATURES]
    if extra:
        raise ChurnDataError(f"{path}: model {model.version} uses {', '.join(extra)}, which a transaction file does "
                             "not give (a warehouse model?); pass another model folder")
    return model


def churn_report(typed: pl.DataFrame, *, customer_col: str, date_col: str, amount_col: str | None, as_of: date,
                 schedule: ChurnSchedule, model_dir: Path | None = None, params: ChurnParams = ChurnParams(),
                 warnings: list[str] | None = None) -> ChurnReport:
    """Train (or load), test and score churn risk as of ``as_of`` from typed transactions.

    ``typed`` comes from models/transactions.py `typed_transactions`. Raises ChurnDataError, in one
    line, when the transactions before ``as_of`` are too few to train on.
    """
    notes = list(warnings or [])
    orders = as_orders(typed, customer_col=customer_col, date_col=date_col, amount_col=amount_col, before=as_of)
    if orders.height == 0:
        raise ChurnDataError(f"no transactions before {as_of}")
    end = min(as_of, data_end(orders))
    if (as_of - end).days > STALE_DATA_DAYS:
        notes.append(f"the transactions end on {end - timedelta(days=1)}, {(as_of - end).days} days before --as-of: "
                     f"labels are judged complete only up to then, and customers silent since look at risk")
    horizon = schedule.horizon_days
    seconds: dict[str, float] = {}
    path = latest_stored_model(model_dir) if model_dir else None
    if path is not None:
        model, reused = _usable(load_model(path), path, horizon, as_of), True
        report = model.card.get("evaluation", {})
        notes.append(f"scored with the stored model {path}; its evaluation is the one recorded when it was trained")
    else:
        model, report = train_and_evaluate(lambda c: purchase_snapshot(orders, c, horizon, end=end), orders, end,
                                           schedule, params)
        reused = False
        seconds.update(report.get("seconds", {}))
        if model_dir is not None:
            path = save_model(model, model_dir / f"{model.version}.joblib")
    started = time.perf_counter()
    today = purchase_snapshot(orders, as_of, horizon, end=end)
    scored = (score(model, today, currency="")
              .select(pl.col("golden_id").alias(customer_col), *OUTPUT_COLUMNS))
    seconds["scoring"] = round(time.perf_counter() - started, 2)
    if scored.height == 0:
        notes.append(f"nobody bought in the {ACTIVE_DAYS} days before {as_of}: no customer to score")
    return ChurnReport(as_of, horizon, orders.height, orders["golden_id"].n_unique(), end, scored,
                       model.version, path, reused, report, model.card, seconds, tuple(notes))

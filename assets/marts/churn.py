"""marts.customer_churn_risk and marts.churn_model_card: who is about to stop buying, and why.

Each run trains on snapshots at earlier cutoffs whose labels are complete, tests the model on a
later cutoff (out of time) against recency alone and BG/NBD's 1 − P(alive), stores it under the
models folder with its card, and scores today's active customers with the stored model. The
training schedule and the test are models/churn_training.py's, shared with `crm360 churn`.
"""

import json
import os
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from assets.marts.activity import ACTIVITY_DEPS, read_activity
from assets.marts.tables import MartBuild, MartTable, mart_asset
from models.churn import latest_stored_model, load_model, save_model, score, snapshot
from models.churn_training import ChurnSchedule, train_and_evaluate
from pipelines import config
from pipelines import warehouse as wh
from quality.mart_checks import one_row_per_customer, values_between
from quality.results import CheckOutcome, outcome

CUSTOMER_CHURN_RISK = MartTable("customer_churn_risk", (
    f"Churn risk of every active customer (a paid order in the year before the run date): calibrated probability of "
    f"no paid order in the next {config.CHURN_HORIZON_DAYS} days, risk band and the top reasons, from the stored "
    "model named by model_version."), {
    "golden_id": "Golden customer id.",
    "churn_probability": "Calibrated probability of no paid order within the horizon.",
    "risk_band": "high, medium or low (thresholds in the model card).",
    "top_reasons": "Up to three reasons pushing this customer's risk above the average customer's, strongest first.",
    "model_version": "Version of the stored model that scored (marts.churn_model_card).",
    "scored_at": "Cutoff the features are computed as of (the run's business date).",
})
CHURN_MODEL_CARD = MartTable("churn_model_card", (
    "The churn model that scored this run: version, training window, held-out (out-of-time) ROC AUC, PR AUC and "
    "Brier score beside those of recency alone and of BG/NBD 1 − P(alive) on the same customers, whether it beats "
    "both, calibration, feature importances, and where the model is stored."), {
    "model_version": "Model version (hash of training cutoffs, parameters, features, scikit-learn version).",
    "trained_cutoffs": "Cutoffs of the training snapshots.", "heldout_cutoff": "Later cutoff the model was tested on.",
    "horizon_days": "Label horizon, days.", "training_rows": "Training snapshot rows.",
    "roc_auc": "Held-out ROC AUC.", "pr_auc": "Held-out PR AUC (average precision).",
    "recency_roc_auc": "Held-out ROC AUC of days since the last purchase alone.",
    "recency_pr_auc": "Held-out PR AUC of days since the last purchase alone.",
    "recency_brier": "Held-out Brier score of recency, mapped to churn rates on the last training cutoff.",
    "bgnbd_roc_auc": "Held-out ROC AUC of BG/NBD 1 − P(alive) (models/clv.py, fitted on the orders before the cutoff).",
    "bgnbd_pr_auc": "Held-out PR AUC of BG/NBD 1 − P(alive).",
    "bgnbd_brier": "Held-out Brier score of BG/NBD 1 − P(alive), mapped to churn rates on the last training cutoff.",
    "brier": "Held-out Brier score.", "base_rate": "Share churned in the held-out snapshot.",
    "beats_baselines": "Whether the model beats both baselines on ROC AUC, PR AUC and Brier score (null: not compared).",
    "verdict": "The comparison in words: which baseline beats the model on which figure, if any.",
    "card": "The whole model card, JSON (calibration by decile, feature importances, parameters).",
    "model_path": "File holding the stored model.",
})
CHECKS = {
    "customer_churn_risk_one_row_per_customer": (True, "No golden customer twice, none unknown."),
    "customer_churn_risk_values_in_range": (True, "Probabilities within 0-1."),
    "churn_model_trained": (False, "A model trained on this run's cutoffs, or on cutoffs fewer than CHURN_RETRAIN_DAYS "
                                   "before them, scores (too little history: the last stored model scores)."),
    "churn_model_beats_baselines": (False, "Out of time, on the same customers, the model beats recency alone and "
                                           "BG/NBD 1 − P(alive) on ROC AUC, PR AUC and Brier score."),
}


def models_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """CRM360_MODELS, else a models folder beside the warehouse file."""
    if os.environ.get(config.ENV_MODELS):
        return Path(os.environ[config.ENV_MODELS])
    path = wh.fetch_value(con, wh.load_sql("warehouse_path"))
    if not path:
        raise RuntimeError(f"an in-memory warehouse has no folder to store models in; set {config.ENV_MODELS}")
    return Path(path).resolve().parent / "models"


def schedule() -> ChurnSchedule:
    """The pipeline's churn training schedule (pipelines/config.py, CHURN_*)."""
    return ChurnSchedule(config.CHURN_HORIZON_DAYS, config.CHURN_TRAINING_CUTOFFS, config.CHURN_CUTOFF_SPACING_DAYS,
                         config.CHURN_MAX_TRAINING_ROWS)


def _recent_model(folder: Path, last_cutoff: date, horizon: int) -> Path | None:
    """The stored model to score with instead of training: trained on the same horizon with a last cutoff
    fewer than CHURN_RETRAIN_DAYS before ``last_cutoff`` (never after it: that would train on the future)."""
    latest = latest_stored_model(folder)
    if latest is None:
        return None
    try:
        model = load_model(latest)
    except (ValueError, OSError):  # another scikit-learn, or not a model: train anew
        return None
    age = (last_cutoff - max(model.trained_cutoffs)).days
    return latest if model.horizon_days == horizon and 0 <= age < config.CHURN_RETRAIN_DAYS else None


def build_churn(con: duckdb.DuckDBPyConnection, as_of: date) -> MartBuild:
    activity = read_activity(con).linked()
    frames = (activity.customers, activity.orders, activity.tickets, activity.surveys, activity.campaign_events)
    plan = schedule()
    horizon = plan.horizon_days
    training_cutoffs, heldout = plan.cutoffs(as_of)
    folder = models_dir(con) / "churn"
    report, not_trained = None, None
    path = reused = _recent_model(folder, training_cutoffs[-1], horizon)
    if reused is None:
        try:
            model, report = train_and_evaluate(lambda c: snapshot(*frames, c, horizon, end=as_of), activity.orders,
                                               as_of, plan)
            path = save_model(model, folder / f"{model.version}.joblib")
        except ValueError as exc:  # too little history to train on: score with the last stored model, if any
            not_trained, path = str(exc), latest_stored_model(folder)
    if path is not None:
        stored = load_model(path)  # scoring uses the stored model, as a later run would
        report = report or (stored.card.get("evaluation") if reused else None)
        scored = score(stored, snapshot(*frames, as_of, horizon, end=as_of)).select(list(CUSTOMER_CHURN_RISK.columns))
        card = pl.DataFrame([_card_row(stored, training_cutoffs, heldout, report or stored.card.get("evaluation"), path)],
                            infer_schema_length=None).select(list(CHURN_MODEL_CARD.columns))
    else:
        scored = pl.DataFrame(schema={"golden_id": pl.String, "churn_probability": pl.Float64, "risk_band": pl.String,
                                      "top_reasons": pl.List(pl.String), "model_version": pl.String,
                                      "scored_at": pl.Date})
        card = pl.DataFrame(schema={c: pl.String for c in CHURN_MODEL_CARD.columns})
    evaluation = report or {}
    roc, recency = evaluation.get("roc_auc"), evaluation.get("recency_baseline", {}).get("roc_auc")
    bgnbd, beats = (evaluation.get("bgnbd_baseline") or {}).get("roc_auc"), evaluation.get("beats_baselines")
    checks = [
        one_row_per_customer("customer_churn_risk", scored, activity.customers, every_customer=False),
        values_between("customer_churn_risk", scored, {"churn_probability": (0, 1)}),
        outcome(CHECKS, "churn_model_trained", not_trained is None, reason=not_trained,
               scored_with=str(path) if path else None, reused=reused is not None),
        beats_baselines_check(evaluation),
    ]
    bands = dict(scored.group_by("risk_band").len().iter_rows()) if scored.height else {}
    return MartBuild({CUSTOMER_CHURN_RISK.name: scored, CHURN_MODEL_CARD.name: card}, checks,
                     {CUSTOMER_CHURN_RISK.name: {"risk_bands": bands, "model_path": str(path) if path else None},
                      CHURN_MODEL_CARD.name: {"roc_auc": roc, "recency_roc_auc": recency, "bgnbd_roc_auc": bgnbd,
                                              "beats_baselines": beats, "not_trained": not_trained}})


def beats_baselines_check(evaluation: dict) -> CheckOutcome:
    """churn_model_beats_baselines: a warning, with the card's verdict, unless the model beats both baselines."""
    recency, bgnbd = evaluation.get("recency_baseline") or {}, evaluation.get("bgnbd_baseline") or {}
    beats = evaluation.get("beats_baselines") is True
    return outcome(CHECKS, "churn_model_beats_baselines", beats,
                   reason=None if beats else evaluation.get("verdict") or "no held-out evaluation of the model",
                   **{f"{prefix}{m}": figures.get(m) for prefix, figures in (("", evaluation), ("recency_", recency),
                                                                             ("bgnbd_", bgnbd))
                      for m in ("roc_auc", "pr_auc", "brier")})


def _card_row(model, training_cutoffs: list[date], heldout: date, report: dict | None, path: Path) -> dict:
    report = report or {}
    recency, bgnbd = report.get("recency_baseline") or {}, report.get("bgnbd_baseline") or {}
    return {
        "model_version": model.version, "trained_cutoffs": [c.isoformat() for c in model.trained_cutoffs],
        # the evaluation's own cutoff: a reused model was tested on the cutoff of the run that trained it
        "heldout_cutoff": date.fromisoformat(report["heldout_cutoff"][0]) if report.get("heldout_cutoff") else heldout
        if report else None, "horizon_days": model.horizon_days,
        "training_rows": model.card.get("training_rows"), "roc_auc": report.get("roc_auc"),
        "pr_auc": report.get("pr_auc"), "recency_roc_auc": recency.get("roc_auc"),
        "recency_pr_auc": recency.get("pr_auc"), "recency_brier": recency.get("brier"),
        "bgnbd_roc_auc": bgnbd.get("roc_auc"), "bgnbd_pr_auc": bgnbd.get("pr_auc"), "bgnbd_brier": bgnbd.get("brier"),
        "brier": report.get("brier"), "base_rate": report.get("base_rate"),
        "beats_baselines": report.get("beats_baselines"), "verdict": report.get("verdict"),
        "card": json.dumps(model.card, default=str, ensure_ascii=False),
        "model_path": str(path),
    }


customer_churn_risk_asset = mart_asset(
    "customer_churn_risk", [CUSTOMER_CHURN_RISK, CHURN_MODEL_CARD],
    deps=ACTIVITY_DEPS,
    build=build_churn,
    description="Churn risk per active customer from a scikit-learn model trained on time-split snapshots.",
    whole_because="every customer's features (recency, tenure, activity windows) are measured at the run date, "
                  "and the model is retrained on cutoffs before it",
    checks=CHECKS,
    kinds={"duckdb", "polars", "scikitlearn"},
)

"""When a churn model is trained and tested, and on what: the mart and `crm360 churn` share this.

Training cutoffs are spaced back from the data's end so that every label window ends inside the
data, and a later held-out cutoff tests the model out of time; `train_and_evaluate` runs snapshots
-> train -> evaluate (with both baselines) -> record, or says in one line what data is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from models.churn import ACTIVE_DAYS, ChurnModel, ChurnParams, train
from models.churn_evaluation import evaluate

# customers who stopped buying, and who bought again, needed at least: fewer and the model is noise
MIN_TRAINING_PER_OUTCOME = 20
MIN_HELDOUT_PER_OUTCOME = 10


class ChurnDataError(ValueError):
    """Too little data for a churn model: which data, how much there is and how much is needed."""


@dataclass(frozen=True)
class ChurnSchedule:
    """Label horizon and training cutoffs (pipelines/config.py holds the pipeline's: CHURN_*)."""

    horizon_days: int
    training_cutoffs: int
    spacing_days: int
    max_training_rows: int  # training snapshots are sampled down to this many rows in all

    def cutoffs(self, end: date) -> tuple[list[date], date]:
        """Training cutoffs and the held-out cutoff: every label window ends by ``end`` (the first day
        without data), and the training labels end by the held-out cutoff, so the test is strictly
        later than anything trained on."""
        heldout = end - timedelta(days=self.horizon_days)
        last_training = heldout - timedelta(days=self.horizon_days)
        return ([last_training - timedelta(days=self.spacing_days * k) for k in reversed(range(self.training_cutoffs))],
                heldout)


def sample_rows(frame: pl.DataFrame, rows: int) -> pl.DataFrame:
    """A fixed random sample of a training snapshot: beyond a few hundred thousand rows the model
    learns little more and training time grows linearly."""
    return frame if frame.height <= rows else frame.sample(rows, seed=0).sort("golden_id")


def _outcomes(frame: pl.DataFrame) -> tuple[int, int]:
    churned = int(frame["churned"].sum()) if frame.height else 0
    return churned, frame.height - churned


def _enough(what: str, frames: list[pl.DataFrame], minimum: int, horizon: int) -> None:
    churned, stayed = map(sum, zip(*(_outcomes(f) for f in frames), strict=True)) if frames else (0, 0)
    if churned + stayed == 0:
        raise ChurnDataError(f"too little history for a churn model: nobody bought in the {ACTIVE_DAYS} days before "
                             f"the {what}")
    if stayed == 0:
        raise ChurnDataError(f"no customer active at the {what} bought again within {horizon} days (no repeat "
                             "purchases): nothing tells those who stay from those who leave")
    if min(churned, stayed) < minimum:
        raise ChurnDataError(f"too few customers for a churn model at the {what}: {churned + stayed:,} active, "
                             f"{churned:,} stopped buying and {stayed:,} bought again within {horizon} days; "
                             f"at least {minimum} of each are needed")


def train_and_evaluate(snapshot_at: Callable[[date], pl.DataFrame], orders: pl.DataFrame, end: date,
                       schedule: ChurnSchedule, params: ChurnParams = ChurnParams(), *,
                       permutation_repeats: int = 5) -> tuple[ChurnModel, dict]:
    """Train on the schedule's cutoffs before ``end``, test on its held-out cutoff, record the report.

    ``snapshot_at(cutoff)`` gives the labelled snapshot (`snapshot` in the mart, `purchase_snapshot`
    for a transaction file); ``orders`` feed the BG/NBD baseline. Cutoffs before anyone bought are
    skipped. Raises ChurnDataError when the cutoffs hold too few customers of either outcome.
    The report carries ``seconds`` (snapshots, training, evaluation).
    """
    started = time.perf_counter()
    training_cutoffs, heldout = schedule.cutoffs(end)
    per_cutoff = schedule.max_training_rows // len(training_cutoffs)
    snapshots = [(c, sample_rows(snapshot_at(c).filter(pl.col("churned").is_not_null()), per_cutoff))
                 for c in training_cutoffs]
    snapshots = [(c, frame) for c, frame in snapshots if frame.height]
    where = f"training cutoffs ({', '.join(c.isoformat() for c in training_cutoffs)})"
    _enough(where, [frame for _, frame in snapshots], MIN_TRAINING_PER_OUTCOME, schedule.horizon_days)
    heldout_frame = snapshot_at(heldout)
    _enough(f"held-out cutoff ({heldout})", [heldout_frame.filter(pl.col("churned").is_not_null())],
            MIN_HELDOUT_PER_OUTCOME, schedule.horizon_days)
    snapshotted = time.perf_counter()
    model = train(snapshots, params)
    trained = time.perf_counter()
    report = evaluate(model, heldout_frame, orders=orders, permutation_repeats=permutation_repeats)
    model.record_evaluation(report)
    report["seconds"] = {"snapshots": round(snapshotted - started, 2), "training": round(trained - snapshotted, 2),
                         "evaluation": round(time.perf_counter() - trained, 2)}
    return model, report

"""Churn model: features see only the past and only relative to the cutoff, labels, out-of-time
quality against the recency baseline, calibration, reasons and the stored model.

The realistic data is the generator's, keyed by its true entity (standing in for the golden id),
so the model is tested without running entity resolution.
"""

from __future__ import annotations

import copy
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import joblib
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from models import churn
from models.churn_evaluation import evaluate, verdict
from pipelines.generator import generate

AS_OF = date(2026, 11, 1)
TRAIN_CUTOFFS = (date(2025, 8, 1), date(2025, 11, 1))
HELD_OUT = date(2026, 5, 1)  # labels of the training cutoffs end by 2026-01-30: nothing overlaps
CNY_PER_UNIT = {"CNY": 1.0, "USD": 7.1, "GBP": 9.0, "AUD": 4.7}
UTC = timezone.utc


def _frames_from_landing(root: Path) -> dict[str, pl.DataFrame]:
    """The model's five input frames from a generated landing folder, keyed by true entity."""
    records = pl.read_parquet(root / "truth" / "records.parquet")

    def owner(source: str, frame: pl.DataFrame, key: str) -> pl.DataFrame:
        ids = records.filter(pl.col("source") == source).select(
            pl.col("record_id").alias(key), pl.col("entity_id").alias("golden_id"))
        return frame.with_columns(pl.col(key).cast(pl.String)).join(ids, on=key, how="inner")

    entities = pl.read_parquet(root / "truth" / "entities.parquet")
    customers = entities.select(pl.col("entity_id").alias("golden_id"), pl.col("kind").alias("customer_kind"),
                                pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("first_seen_at"))
    with sqlite3.connect(root / "erp.sqlite") as con:
        rows = con.execute("SELECT order_id, order_date, status, currency, total_amount FROM orders").fetchall()
    orders = pl.DataFrame(rows, schema=["order_id", "order_date", "status", "currency", "total_amount"], orient="row")
    orders = owner("erp_orders", orders, "order_id").select(
        "golden_id", "order_id",
        # the ERP clock is China Standard Time
        (pl.col("order_date").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us")
         .dt.replace_time_zone("Asia/Shanghai").dt.convert_time_zone("UTC")).alias("ordered_at"),
        "status",
        (pl.col("total_amount") * pl.col("currency").replace_strict(CNY_PER_UNIT)).alias("amount"))
    raw = pl.read_ndjson(root / "service_tickets.jsonl")

    def instant(col: str) -> pl.Expr:  # ISO 8601 with +08:00 or Z
        return (pl.col(col).str.replace(r"Z$", "+00:00").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_unit="us")
                .dt.convert_time_zone("UTC"))

    tickets = owner("service_tickets", raw, "ticket_id").select(
        "golden_id", "ticket_id", pl.col("type").alias("ticket_type"), instant("opened_at"), instant("resolved_at"),
    ).with_columns(((pl.col("resolved_at") - pl.col("opened_at")).dt.total_seconds() / 3600).alias("hours_to_resolve"))
    surveys = owner("surveys", pl.read_csv(root / "surveys.csv", infer_schema=False), "response_id").select(
        "golden_id", "response_id", pl.col("survey_date").str.to_date("%Y-%m-%d"),
        pl.col("csat").cast(pl.Int64), pl.col("nps").cast(pl.Int64))
    events = owner("campaign_events", pl.read_parquet(root / "campaign_events.parquet"), "event_id").select(
        "golden_id", "event_id", "campaign_id", "event_type", "event_time")
    return {"customers": customers, "orders": orders, "tickets": tickets, "surveys": surveys,
            "campaign_events": events}


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    root = tmp_path_factory.mktemp("churn_landing")
    generate(root, customers=5000, seed=23, as_of=AS_OF)
    return _frames_from_landing(root)


@pytest.fixture(scope="module")
def snapshots(frames) -> dict[date, pl.DataFrame]:
    return {c: churn.snapshot(**frames, cutoff=c) for c in (*TRAIN_CUTOFFS, HELD_OUT)}


@pytest.fixture(scope="module")
def model(snapshots) -> churn.ChurnModel:
    return churn.train([(c, snapshots[c]) for c in TRAIN_CUTOFFS])


@pytest.fixture(scope="module")
def report(model, snapshots, frames) -> dict:
    return evaluate(model, snapshots[HELD_OUT], orders=frames["orders"], permutation_repeats=2)


# --- small hand-made frames ------------------------------------------------------------------

CUTOFF = date(2025, 6, 1)


def _at(days: float, cutoff: date = CUTOFF) -> datetime:
    """The instant `days` after the cutoff (negative: before it)."""
    return datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC) + timedelta(days=days)


def _small(orders=(), tickets=(), surveys=(), events=(), kinds=None) -> dict[str, pl.DataFrame]:
    """Frames from (customer, days from the cutoff, ...) tuples."""
    ids = sorted({o[0] for o in orders} | set(kinds or {}))
    return {
        "customers": pl.DataFrame({"golden_id": ids, "customer_kind": [(kinds or {}).get(i, "person") for i in ids],
                                   "first_seen_at": [None] * len(ids)},
                                  schema={"golden_id": pl.String, "customer_kind": pl.String,
                                          "first_seen_at": pl.Datetime("us", "UTC")}),
        "orders": pl.DataFrame([(g, f"O{i}", _at(d), s, a) for i, (g, d, s, a) in enumerate(orders)],
                               schema={"golden_id": pl.String, "order_id": pl.String,
                                       "ordered_at": pl.Datetime("us", "UTC"), "status": pl.String,
                                       "amount": pl.Float64}, orient="row"),
        "tickets": pl.DataFrame([(g, f"T{i}", k, _at(d), None if r is None else _at(d + r),
                                  None if r is None else r * 24.0) for i, (g, d, k, r) in enumerate(tickets)],
                                schema={"golden_id": pl.String, "ticket_id": pl.String, "ticket_type": pl.String,
                                        "opened_at": pl.Datetime("us", "UTC"), "resolved_at": pl.Datetime("us", "UTC"),
                                        "hours_to_resolve": pl.Float64}, orient="row"),
        "surveys": pl.DataFrame([(g, f"R{i}", (_at(d)).date(), c, n) for i, (g, d, c, n) in enumerate(surveys)],
                                schema={"golden_id": pl.String, "response_id": pl.String, "survey_date": pl.Date,
                                        "csat": pl.Int64, "nps": pl.Int64}, orient="row"),
        "campaign_events": pl.DataFrame([(g, f"E{i}", "CMP-1", t, _at(d)) for i, (g, d, t) in enumerate(events)],
                                        schema={"golden_id": pl.String, "event_id": pl.String,
                                                "campaign_id": pl.String, "event_type": pl.String,
                                                "event_time": pl.Datetime("us", "UTC")}, orient="row"),
    }


def _row(frame: pl.DataFrame, golden_id: str) -> dict:
    return frame.filter(pl.col("golden_id") == golden_id).row(0, named=True)


def test_eligible_are_customers_with_a_paid_order_in_the_year_before_the_cutoff():
    data = _small(orders=[("active", -30, "paid", 100.0), ("lost", -400, "paid", 100.0),
                          ("cancelled_only", -10, "cancelled", 50.0), ("future", 5, "paid", 80.0)],
                  kinds={"never": "person"})
    snap = churn.snapshot(**data, cutoff=CUTOFF, end=CUTOFF + timedelta(days=200))
    assert snap["golden_id"].to_list() == ["active"]


def test_features_count_windows_back_from_the_cutoff():
    data = _small(
        orders=[("a", -1, "paid", 10.0), ("a", -45, "paid", 20.0), ("a", -100, "paid", 30.0),
                ("a", -200, "paid", 40.0), ("a", -500, "paid", 50.0), ("a", -20, "refunded", 99.0)],
        tickets=[("a", -10, "complaint", 2.0), ("a", -100, "repair", 1.0), ("a", -5, "consultation", None)],
        surveys=[("a", -60, 4, 9), ("a", -8, 2, 3)],
        events=[("a", -10, "sent"), ("a", -10, "open"), ("a", -200, "sent"), ("a", -200, "click")],
        kinds={"a": "company"})
    row = _row(churn.snapshot(**data, cutoff=CUTOFF, end=CUTOFF + timedelta(days=90)), "a")
    assert row["recency_days"] == pytest.approx(1.0)
    assert row["tenure_days"] == pytest.approx(500.0)
    assert (row["orders_30d"], row["orders_90d"], row["orders_365d"], row["orders_lifetime"]) == (1, 2, 4, 5)
    assert (row["spend_30d"], row["spend_90d"], row["spend_365d"]) == (10.0, 30.0, 100.0)
    assert row["avg_gap_days"] == pytest.approx((500 - 1) / 4)
    assert row["orders_trend_90d"] == 2 - 1          # 2 in the last 90 days, 1 in the 90 before
    assert row["returns_365d"] == 1
    assert (row["tickets_90d"], row["tickets_365d"], row["complaints_90d"], row["repairs_365d"]) == (2, 3, 1, 1)
    assert row["open_tickets"] == 1
    assert row["avg_hours_to_resolve_365d"] == pytest.approx((48.0 + 24.0) / 2)
    assert (row["csat_latest"], row["csat_avg"], row["nps_latest"], row["nps_avg"]) == (2, 3, 3, 6)
    assert (row["campaign_sent_365d"], row["campaign_opens_90d"], row["campaign_clicks_365d"]) == (2, 1, 1)
    assert row["is_company"] == 1


def test_label_is_no_paid_order_within_the_horizon_and_unknown_past_the_data_end():
    data = _small(orders=[("stays", -10, "paid", 1.0), ("stays", 30, "paid", 1.0),
                          ("leaves", -10, "paid", 1.0), ("leaves", 95, "paid", 1.0),
                          ("refund_only", -10, "paid", 1.0), ("refund_only", 20, "refunded", 1.0)])
    snap = churn.snapshot(**data, cutoff=CUTOFF, horizon_days=90, end=CUTOFF + timedelta(days=120))
    assert dict(snap.select("golden_id", "churned").iter_rows()) == {
        "leaves": True, "refund_only": True, "stays": False}
    unknown = churn.snapshot(**data, cutoff=CUTOFF, horizon_days=90, end=CUTOFF + timedelta(days=60))
    assert unknown["churned"].null_count() == unknown.height


def test_data_end_is_the_day_after_the_latest_order():
    data = _small(orders=[("a", -10, "paid", 1.0), ("a", 3.5, "cancelled", 1.0)])
    assert churn.data_end(data["orders"]) == CUTOFF + timedelta(days=4)


def test_zoned_and_naive_timestamps_read_as_the_same_instant():
    data = _small(orders=[("a", -10.25, "paid", 1.0)])
    zoned = dict(data, orders=data["orders"].with_columns(pl.col("ordered_at").dt.convert_time_zone("Asia/Shanghai")))
    naive = dict(data, orders=data["orders"].with_columns(pl.col("ordered_at").dt.replace_time_zone(None)))
    end = CUTOFF + timedelta(days=90)
    expected = churn.snapshot(**data, cutoff=CUTOFF, end=end)
    assert churn.snapshot(**zoned, cutoff=CUTOFF, end=end).equals(expected)
    assert churn.snapshot(**naive, cutoff=CUTOFF, end=end).equals(expected)


# --- the past only, and only relative to the cutoff ------------------------------------------

days = st.floats(min_value=-600, max_value=-0.001, allow_nan=False)
later = st.floats(min_value=0, max_value=400, allow_nan=False)
customer = st.sampled_from(["a", "b", "c"])
status = st.sampled_from(["paid", "paid", "refunded", "cancelled"])
ticket_type = st.sampled_from(["consultation", "complaint", "repair"])
event_type = st.sampled_from(["sent", "open", "click", "convert"])
score_1_5 = st.one_of(st.none(), st.integers(1, 5))
score_0_10 = st.one_of(st.none(), st.integers(0, 10))
resolve_in = st.one_of(st.none(), st.floats(min_value=0.01, max_value=300, allow_nan=False))


def _history(when):
    return dict(
        orders=st.lists(st.tuples(customer, when, status, st.floats(0, 5000)), max_size=12),
        tickets=st.lists(st.tuples(customer, when, ticket_type, resolve_in), max_size=6),
        surveys=st.lists(st.tuples(customer, when, score_1_5, score_0_10), max_size=4),
        events=st.lists(st.tuples(customer, when, event_type), max_size=8),
    )


def _known_at_cutoff(tickets):
    """A ticket resolved after the cutoff was still open at the cutoff."""
    return [(g, d, k, r if r is None or d + r < 0 else None) for g, d, k, r in tickets]


@settings(max_examples=60, deadline=None)
@given(past=st.fixed_dictionaries(_history(days)), future=st.fixed_dictionaries(_history(later)))
def test_events_after_the_cutoff_never_change_the_features(past, future):
    seed = [("a", -3, "paid", 10.0), ("b", -50, "paid", 20.0), ("c", -300, "paid", 30.0)]
    end = CUTOFF + timedelta(days=900)
    before = churn.snapshot(**_small(orders=seed + past["orders"], tickets=_known_at_cutoff(past["tickets"]),
                                     surveys=past["surveys"], events=past["events"]), cutoff=CUTOFF, end=end)
    after = churn.snapshot(**_small(orders=seed + past["orders"] + future["orders"],
                                    tickets=past["tickets"] + future["tickets"],
                                    surveys=past["surveys"] + future["surveys"],
                                    events=past["events"] + future["events"]), cutoff=CUTOFF, end=end)
    assert after.drop("churned").equals(before.drop("churned"))


def _shift(data: dict[str, pl.DataFrame], by: timedelta) -> dict[str, pl.DataFrame]:
    moved = {}
    for name, frame in data.items():
        moved[name] = frame.with_columns(pl.col(c) + by for c, t in frame.schema.items()
                                         if isinstance(t, (pl.Datetime, pl.Date)))
    return moved


@pytest.mark.parametrize("shift_days", [-400, 37, 1000])
def test_shifting_every_date_and_the_cutoff_gives_the_same_features(frames, snapshots, shift_days):
    by = timedelta(days=shift_days)
    moved = churn.snapshot(**_shift(frames, by), cutoff=HELD_OUT + by)
    original = snapshots[HELD_OUT]
    assert moved["golden_id"].to_list() == original["golden_id"].to_list()
    for feature in churn.FEATURES:
        np.testing.assert_allclose(moved[feature].to_numpy(), original[feature].to_numpy(), rtol=1e-9, atol=1e-6,
                                   err_msg=feature)
    assert moved["churned"].equals(original["churned"])


def test_snapshot_holds_no_absolute_dates(snapshots):
    frame = snapshots[HELD_OUT]
    dated = [c for c, t in frame.schema.items() if isinstance(t, (pl.Date, pl.Datetime))]
    assert dated == ["cutoff"]
    assert set(churn.FEATURES) <= set(frame.columns)


# --- the model -------------------------------------------------------------------------------

def test_model_beats_the_recency_baseline_out_of_time(report):
    assert report["heldout_cutoff"] == [HELD_OUT.isoformat()]
    assert report["roc_auc"] > report["recency_baseline"]["roc_auc"] + 0.01
    assert report["pr_auc"] > report["recency_baseline"]["pr_auc"]
    assert report["roc_auc"] > 0.7


def test_baselines_are_scored_on_the_same_customers_with_every_metric(report):
    for key in ("recency_baseline", "bgnbd_baseline"):
        assert set(report[key]) >= {"roc_auc", "pr_auc", "brier"}, key
        assert 0 < report[key]["brier"] < 0.5 and 0.5 < report[key]["roc_auc"] < 1
    assert report["bgnbd_baseline"]["fit"]["heldout"]["converged"]
    assert str(report["customers"]) not in report["baseline_calibration"]  # calibrated on another cutoff's customers
    assert report["beats_baselines"] is verdict(report)[0]
    assert report["verdict"].startswith("the model beats" if report["beats_baselines"] else "the model does NOT beat")


def test_calibrated_probabilities_are_probabilities_and_roughly_calibrated(model, snapshots, report):
    probability = churn.score(model, snapshots[HELD_OUT])["churn_probability"].to_numpy()
    assert ((probability >= 0) & (probability <= 1)).all()
    assert report["brier"] < report["brier_base_rate"]
    table = report["reliability"]
    assert len(table) == 10
    predicted = np.array([r["mean_predicted"] for r in table])
    observed = np.array([r["observed_rate"] for r in table])
    assert np.abs(predicted - observed).max() < 0.15
    weights = np.array([r["customers"] for r in table])
    assert abs(np.average(predicted, weights=weights) - report["base_rate"]) < 0.05


def test_contributions_add_up_to_the_log_odds(model, snapshots):
    X = model.matrix(snapshots[HELD_OUT])
    contributions = model.contributions(X)
    log_odds = model.pipeline.decision_function(X)
    base = log_odds - contributions.sum(axis=1)
    np.testing.assert_allclose(base, base[0], atol=1e-8)
    # calibration is monotone: ranking by the summed contributions is ranking by probability
    y = snapshots[HELD_OUT]["churned"].to_numpy()
    assert roc_auc_score(y, contributions.sum(axis=1)) == pytest.approx(roc_auc_score(y, model.predict(X)), abs=1e-9)


def test_shuffling_a_feature_only_swaps_its_own_contribution(model, snapshots):
    """What the fast permutation importance in evaluate relies on."""
    X = model.matrix(snapshots[HELD_OUT])
    contributions = model.contributions(X)
    order = np.random.default_rng(1).permutation(len(X))
    for j in (model.features.index("recency_days"), model.features.index("csat_avg")):
        shuffled = X.copy()
        shuffled[:, j] = X[order, j]
        expected = model.pipeline.decision_function(X) - contributions[:, j] + contributions[order, j]
        np.testing.assert_allclose(model.pipeline.decision_function(shuffled), expected, atol=1e-8)


def test_evaluate_reports_what_the_model_card_needs(report):
    assert report["model_version"].startswith("churn-")
    assert 0 < report["base_rate"] < 1
    names = [r["feature"] for r in report["feature_importance"]]
    assert sorted(names) == sorted(churn.FEATURES)
    assert names[0] in churn.REASON_GROUPS["silence"] + churn.REASON_GROUPS["frequency"]


def test_evaluate_refuses_a_cutoff_that_is_not_later_than_training(model, snapshots):
    with pytest.raises(ValueError, match="not later than the training cutoffs"):
        evaluate(model, snapshots[TRAIN_CUTOFFS[-1]])


def test_train_refuses_snapshots_without_labels(frames):
    unlabelled = churn.snapshot(**frames, cutoff=date(2026, 9, 1))
    assert unlabelled["churned"].null_count() == unlabelled.height
    with pytest.raises(ValueError, match="has no labels"):
        churn.train([(date(2026, 9, 1), unlabelled)])


def test_model_records_its_training_window_and_version(model, snapshots):
    assert model.trained_cutoffs == TRAIN_CUTOFFS
    assert model.card["training_window"]["cutoffs"] == [c.isoformat() for c in TRAIN_CUTOFFS]
    assert model.card["model_version"] == model.version
    other = churn.train([(TRAIN_CUTOFFS[-1], snapshots[TRAIN_CUTOFFS[-1]])])
    assert other.version != model.version


# --- scores and reasons ----------------------------------------------------------------------

def test_score_gives_bands_by_the_documented_thresholds(model, snapshots):
    scored = churn.score(model, snapshots[HELD_OUT])
    assert scored.columns == ["golden_id", "churn_probability", "risk_band", "top_reasons", "model_version",
                              "scored_at"]
    assert scored.height == snapshots[HELD_OUT].height
    assert set(scored["risk_band"]) == {"high", "medium", "low"}
    bands = model.risk_bands
    wrong = scored.filter(
        ((pl.col("risk_band") == "high") != (pl.col("churn_probability") >= bands["high"]))
        | ((pl.col("risk_band") == "low") != (pl.col("churn_probability") < bands["medium"])))
    assert wrong.height == 0
    assert (scored["model_version"] == model.version).all()
    assert (scored["scored_at"] == HELD_OUT).all()


def test_scoring_a_snapshot_without_active_customers_gives_an_empty_table(model, snapshots):
    scored = churn.score(model, snapshots[HELD_OUT].head(0))
    assert scored.height == 0
    assert scored.schema == churn.score(model, snapshots[HELD_OUT].head(1)).schema


def test_high_risk_customers_get_readable_reasons(model, snapshots):
    scored = churn.score(model, snapshots[HELD_OUT])
    high = scored.filter(pl.col("risk_band") == "high")
    assert high.height > 0
    assert (high["top_reasons"].list.len() >= 1).all()
    assert (scored["top_reasons"].list.len() <= 3).all()
    reasons = high["top_reasons"].explode()
    assert reasons.null_count() == 0
    assert reasons.str.contains(r"\d|no |only ").all()   # each reason states the customer's own figure
    assert reasons.str.contains("no purchase for").any()


def test_reasons_are_the_groups_pushing_hardest_towards_churn(model, snapshots):
    frame = snapshots[HELD_OUT]
    scored = churn.score(model, frame)
    total, _ = churn.reason_contributions(model, model.matrix(frame))
    strongest = total.max(axis=1)
    has_reason = scored["top_reasons"].list.len().to_numpy() > 0
    assert (has_reason == (strongest >= churn.MIN_REASON_LOG_ODDS)).all()


def test_a_recent_complaint_reads_as_a_reason():
    data = _small(orders=[("a", -3, "paid", 1.0)], tickets=[("a", -10, "complaint", 1.0), ("a", -20, "complaint", 2.0)],
                  surveys=[("a", -40, 5, 9), ("a", -9, 2, 2)])
    row = churn.snapshot(**data, cutoff=CUTOFF, end=CUTOFF + timedelta(days=90))
    sentences = churn.reason_sentences()
    assert set(sentences) == set(churn.FEATURES)
    texts = {f: row.select(sentences[f]).item()
             for f in ("complaints_90d", "csat_latest", "nps_latest", "recency_days")}
    assert texts == {"complaints_90d": "2 complaints in 90 days", "csat_latest": "CSAT fell to 2 (average 3.5)",
                     "nps_latest": "latest NPS 2 (detractor), average 5.5", "recency_days": "no purchase for 3 days"}


# --- storage ---------------------------------------------------------------------------------

def test_saved_model_scores_identically_after_loading(model, report, snapshots, tmp_path):
    carded = copy.deepcopy(model)
    carded.record_evaluation(report)
    path = churn.save_model(carded, tmp_path / "models" / "churn.joblib")
    loaded = churn.load_model(path)
    assert loaded.version == model.version
    assert loaded.card["evaluation"]["roc_auc"] == report["roc_auc"]
    assert churn.score(loaded, snapshots[HELD_OUT]).equals(churn.score(model, snapshots[HELD_OUT]))


def test_a_report_of_another_model_is_not_recorded(model, report):
    with pytest.raises(ValueError, match="not churn-"):
        copy.deepcopy(model).record_evaluation(report | {"model_version": "churn-000000000000"})


def test_loading_a_model_from_another_scikit_learn_fails_clearly(model, tmp_path):
    path = churn.save_model(model, tmp_path / "churn.joblib")
    stored = joblib.load(path)
    stored["header"]["sklearn_version"] = "0.24.2"
    joblib.dump(stored, path)
    with pytest.raises(churn.ChurnModelError, match=r"scikit-learn 0\.24\.2.*retrain"):
        churn.load_model(path)


def test_loading_something_else_fails_clearly(tmp_path):
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(churn.ChurnModelError, match="not a churn model file"):
        churn.load_model(tmp_path / "junk.joblib")
    with pytest.raises(churn.ChurnModelError, match="no stored churn model"):
        churn.load_model(tmp_path / "missing.joblib")


@pytest.mark.parametrize("days_later, reused", [(0, True), (6, True), (7, False), (-1, False)])
def test_daily_runs_reuse_a_model_trained_less_than_a_week_before(model, tmp_path, days_later, reused):
    """The mart retrains once CHURN_RETRAIN_DAYS have passed since the stored model's last cutoff, and never
    scores with a model trained on cutoffs after the run's (that would have seen the future)."""
    from assets.marts.churn import _recent_model
    from pipelines import config

    path = churn.save_model(model, tmp_path / "churn" / f"{model.version}.joblib")
    last = max(model.trained_cutoffs) + timedelta(days=days_later)
    assert config.CHURN_RETRAIN_DAYS == 7
    assert (_recent_model(path.parent, last, model.horizon_days) == path) is reused
    assert _recent_model(path.parent, max(model.trained_cutoffs), model.horizon_days + 1) is None
    assert _recent_model(tmp_path / "empty", last, model.horizon_days) is None

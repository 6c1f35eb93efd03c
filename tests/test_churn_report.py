"""`crm360 churn` and `crm360 segment` on transaction files: the CDNOW sample (data we did not make), leakage,
stable output, one-line errors, too little data, stored models, and the verdict against the baselines."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.marts.churn import CHECKS, beats_baselines_check
from models.churn import purchase_snapshot
from models.churn_evaluation import verdict
from models.transactions import TransactionError, as_orders, typed_transactions
from pipelines.cli import main

CDNOW = Path(__file__).parent / "data" / "CDNOW_sample.csv"
AS_OF = "1998-04-01"  # three months of real transactions after it: the leakage test removes them
COLUMNS = ["--customer-col", "customer_id", "--date-col", "date", "--amount-col", "amount"]


def churn_args(path: Path, *extra: str, as_of: str = AS_OF) -> list[str]:
    return ["churn", "--transactions", str(path), *COLUMNS, "--as-of", as_of, *extra]


def run(args: list[str]):
    return CliRunner().invoke(main, args)


def one_line_error(result) -> str:
    assert result.exit_code != 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    return lines[0]


@pytest.fixture(scope="module")
def cdnow() -> pl.DataFrame:
    return pl.read_csv(CDNOW, infer_schema=False)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The CDNOW sample scored as of AS_OF: (the JSON document, the output table's bytes)."""
    output = tmp_path_factory.mktemp("churn") / "risk.csv"
    result = run(churn_args(CDNOW, "--json", "--output", str(output)))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), output.read_bytes()


# --- data we did not make ----------------------------------------------------------------------

def test_cdnow_sample_is_the_published_2357_customers(cdnow):
    assert cdnow.height == 6919 and cdnow["customer_id"].n_unique() == 2357
    assert (cdnow["date"].min(), cdnow["date"].max()) == ("19970101", "19980630")


def test_churn_on_cdnow_reports_model_and_both_baselines_out_of_time(scored, cdnow):
    document, table = scored
    evaluation = document["evaluation"]
    assert evaluation["heldout_cutoff"] == "1998-01-01"  # the latest cutoff whose 90 days end by --as-of
    for signal in ("model", "recency", "bgnbd_p_dead"):
        figures = evaluation[signal]
        assert 0 < figures["roc_auc"] < 1 and 0 < figures["pr_auc"] <= 1 and 0 < figures["brier"] < 0.25, signal
    # BG/NBD takes a customer who never bought again for alive (1 - P(alive) = 0): on this cutoff, where the
    # one-time buyers of early 1997 are the ones who left, that ranks worse than chance
    assert evaluation["model"]["roc_auc"] > 0.65 and evaluation["recency"]["roc_auc"] > 0.65
    assert evaluation["beats_baselines"] is verdict({**evaluation["model"],
                                                     "recency_baseline": evaluation["recency"],
                                                     "bgnbd_baseline": evaluation["bgnbd_p_dead"]})[0]
    assert evaluation["verdict"]
    risk = pl.read_csv(table, schema_overrides={"customer_id": pl.String})
    assert risk.columns == ["customer_id", "churn_probability", "risk_band", "top_reasons"]
    # every customer with a purchase in the year before --as-of, once
    days = cdnow.with_columns(pl.col("date").str.to_date("%Y%m%d"))
    active = days.filter(pl.col("date").is_between(date(1997, 4, 1), date(1998, 3, 31)))["customer_id"].unique()
    assert sorted(risk["customer_id"]) == sorted(active)
    assert risk["churn_probability"].is_between(0, 1).all()
    assert set(risk["risk_band"]) == {"high", "medium", "low"}
    assert document["scored_customers"] == risk.height == sum(document["risk_bands"].values())


def test_churn_command_prints_the_comparison_and_the_verdict(tmp_path):
    result = run(churn_args(CDNOW, as_of="1998-07-01"))
    assert result.exit_code == 0, result.output
    for text in ("churn model", "recency", "BG/NBD 1 - P(alive)", "ROC AUC", "PR AUC", "Brier", "the model",
                 "scored"):
        assert text in result.output, text


# --- no leakage, stable output -------------------------------------------------------------------

def test_transactions_on_or_after_as_of_never_change_a_score(cdnow, scored, tmp_path):
    """The sample's real last three months are dropped, then a burst of invented future rows is added
    (on --as-of itself, later, a new customer, a refund, a re-purchase by a high-risk customer)."""
    document, table = scored
    risky = pl.read_csv(table, schema_overrides={"customer_id": pl.String}).sort("churn_probability")[-1, "customer_id"]
    before = cdnow.filter(pl.col("date") < AS_OF.replace("-", ""))
    assert before.height < cdnow.height
    future = pl.DataFrame([("99999", "9999", d, "1", a) for d, a in (("19980401", "10.00"), ("19990101", "5.00"))]
                          + [(risky, "0001", "19980401", "3", "99.99"), (risky, "0001", "19980402", "1", "-12.00")],
                          schema=cdnow.columns, orient="row")
    for name, frame in {"truncated": before, "with_future": pl.concat([before, future])}.items():
        path = tmp_path / f"{name}.csv"
        frame.write_csv(path)
        output = tmp_path / f"{name}.risk.csv"
        result = run(churn_args(path, "--json", "--output", str(output)))
        assert result.exit_code == 0, result.output
        assert output.read_bytes() == table, name
        assert json.loads(result.stdout)["evaluation"] == document["evaluation"], name


def test_the_same_rows_in_any_order_give_the_same_file(cdnow, scored, tmp_path):
    shuffled = tmp_path / "shuffled.csv"
    cdnow.sample(fraction=1.0, shuffle=True, seed=3).write_csv(shuffled)
    output = tmp_path / "risk.csv"
    result = run(churn_args(shuffled, "--output", str(output)))
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == scored[1]


future_rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "new"]), st.integers(0, 400),
                                 st.floats(-50, 500, allow_nan=False)), max_size=8)


@settings(max_examples=40, deadline=None)
@given(future=future_rows)
def test_features_as_of_ignore_any_transaction_on_or_after_it(future):
    as_of = date(2024, 6, 1)
    past = [("a", -3, 10.0), ("a", -40, 20.0), ("b", -100, 5.0), ("c", -300, 7.0), ("c", -20, -7.0)]

    def features(rows):
        typed = pl.DataFrame([(c, as_of + timedelta(days=d), a) for c, d, a in rows],
                             schema={"c": pl.String, "d": pl.Date, "a": pl.Float64}, orient="row")
        orders = as_orders(typed, customer_col="c", date_col="d", amount_col="a", before=as_of)
        return purchase_snapshot(orders, as_of, end=as_of)

    assert features(past + future).equals(features(past))


# --- bad input: one line naming file, row and column ----------------------------------------------

BAD_FILES = [
    ("c,d,a\nx,2024-01-01,5\ny,31/31/2024,3\n", "row 2, column 'd': cannot read '31/31/2024' as a date"),
    ("c,d,a\nx,2024-01-01,5\ny, ,3\n", "row 2, column 'd': date is empty"),
    ("c,d,a\nx,2024-01-01,5\ny,2024-01-02,12 CNY\n", "row 2, column 'a': cannot read '12 CNY' as an amount"),
    ("c,d,a\n,2024-01-01,5\n", "row 1, column 'c': customer is empty"),
    ("c,day,a\nx,2024-01-01,5\n", "column 'd': no column 'd'; found c, day, a"),
    ("c,d,a\n", "has no transactions"),
]


@pytest.mark.parametrize("command", ["churn", "segment"])
@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_bad_columns_and_values_are_one_line_naming_file_row_and_column(tmp_path, command, content, message):
    path = tmp_path / "orders.csv"
    path.write_text(content)
    result = run([command, "--transactions", str(path), "--customer-col", "c", "--date-col", "d", "--amount-col", "a",
                  "--as-of", "2024-06-01"])
    line = one_line_error(result)
    assert f"{path}, " in line or f"{path}:" in line, line
    assert message in line, line


def test_the_same_column_twice_is_refused():
    frame = pl.DataFrame({"c": ["x"], "d": ["2024-01-01"]})
    with pytest.raises(TransactionError, match="two different columns"):
        typed_transactions(frame, customer_col="c", date_col="c", amount_col=None, parse_dates=lambda e: e)


def test_typed_dates_keep_the_written_day_and_refunds_are_negative_amounts():
    zoned = pl.DataFrame({"c": ["a", "a", "b"], "a": [5.0, -5.0, 7.0],
                          "d": pl.Series(["2024-01-01 23:30", "2024-01-02 00:10", "2024-01-05 12:00"])
                          .str.to_datetime("%Y-%m-%d %H:%M", time_zone="Asia/Shanghai")})
    typed, warnings = typed_transactions(zoned, customer_col="c", date_col="d", amount_col="a", parse_dates=None)
    assert typed["d"].to_list() == [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 5)] and warnings == []
    orders = as_orders(typed, customer_col="c", date_col="d", amount_col="a", before=date(2024, 1, 5))
    assert orders.select("golden_id", "status", "amount").rows() == [("a", "paid", 5.0), ("a", "refunded", -5.0)]


@pytest.mark.parametrize("command", ["churn", "segment"])
def test_a_file_with_nothing_before_as_of_says_so(tmp_path, command):
    path = tmp_path / "late.csv"
    path.write_text("c,d,a\nx,2024-07-01,5\n")
    result = run([command, "--transactions", str(path), "--customer-col", "c", "--date-col", "d", "--amount-col", "a",
                  "--as-of", "2024-06-01"])
    assert one_line_error(result) == f"error: {path}: no transactions before 2024-06-01"


# --- too little data: a clear message, not a model ------------------------------------------------

def _file(tmp_path: Path, rows: list[tuple[str, date]]) -> Path:
    path = tmp_path / "orders.csv"
    pl.DataFrame(rows, schema={"customer": pl.String, "day": pl.Date}, orient="row").write_csv(path)
    return path


def _tiny(kind: str, as_of: date) -> list[tuple[str, date]]:
    rng = np.random.default_rng(5)
    if kind == "few_customers":  # 15 monthly buyers for three years
        return [(f"c{i}", as_of - timedelta(days=int(30 * k + i))) for i in range(15) for k in range(1, 36)]
    if kind == "no_repeat_purchases":  # 600 customers, one purchase each
        return [(f"c{i}", as_of - timedelta(days=int(d))) for i, d in enumerate(rng.integers(1, 900, 600))]
    return [(f"c{i % 50}", as_of - timedelta(days=int(d))) for i, d in enumerate(rng.integers(1, 150, 400))]


@pytest.mark.parametrize(("kind", "message"), [
    ("few_customers", r"too few customers for a churn model at the training cutoffs .*at least 20 of each"),
    ("no_repeat_purchases", r"no repeat purchases"),
    ("short_history", r"too little history for a churn model: nobody bought in the 365 days before the training"),
])
def test_too_little_data_is_a_clear_message_and_no_model(tmp_path, kind, message):
    as_of = date(2024, 6, 1)
    path = _file(tmp_path, _tiny(kind, as_of))
    models = tmp_path / "models"
    result = run(["churn", "--transactions", str(path), "--customer-col", "customer", "--date-col", "day",
                  "--as-of", as_of.isoformat(), "--model", str(models), "--output", str(tmp_path / "out.csv")])
    line = one_line_error(result)
    assert line.startswith(f"error: {path}: ") and "--verbose" not in line, line
    assert re.search(message, line), line
    assert not (tmp_path / "out.csv").exists() and not list(models.glob("*"))


# --- stored models ---------------------------------------------------------------------------------

def test_a_model_folder_stores_the_model_then_scores_with_it(tmp_path, scored):
    models = tmp_path / "models"
    first = run(churn_args(CDNOW, "--json", "--model", str(models)))
    assert first.exit_code == 0, first.output
    stored = list(models.glob("*.joblib"))
    document = json.loads(first.stdout)
    assert [p.name for p in stored] == [f"{document['model_version']}.joblib"] and not document["stored_model_used"]
    output = tmp_path / "again.csv"
    again = run(churn_args(CDNOW, "--json", "--model", str(models), "--output", str(output)))
    assert again.exit_code == 0, again.output
    reused = json.loads(again.stdout)
    assert reused["stored_model_used"] and reused["model_version"] == document["model_version"]
    assert reused["evaluation"] == document["evaluation"]
    assert output.read_bytes() == scored[1] and list(models.glob("*.joblib")) == stored
    other_horizon = run(churn_args(CDNOW, "--model", str(models), "--horizon-days", "60"))
    assert "predicts churn within 90 days, not 60" in one_line_error(other_horizon)
    earlier = run(churn_args(CDNOW, "--model", str(models), as_of="1997-12-01"))  # its labels run to 1998-01-01
    assert "learnt from purchases up to 1998-01-01, after --as-of 1997-12-01" in one_line_error(earlier)


# --- the verdict and the mart's check ------------------------------------------------------------

FIGURES = {"roc_auc": 0.75, "pr_auc": 0.80, "brier": 0.18}


@pytest.mark.parametrize(("recency", "bgnbd", "beats", "words"), [
    ({"roc_auc": 0.70, "pr_auc": 0.78, "brier": 0.19}, {"roc_auc": 0.65, "pr_auc": 0.70, "brier": 0.20}, True,
     "the model beats recency and BG/NBD"),
    ({"roc_auc": 0.70, "pr_auc": 0.81, "brier": 0.19}, {"roc_auc": 0.65, "pr_auc": 0.70, "brier": 0.20}, False,
     "does NOT beat recency (PR AUC 0.8 vs 0.81)"),
    ({"roc_auc": 0.70, "pr_auc": 0.78, "brier": 0.19}, {"roc_auc": 0.75, "pr_auc": 0.70, "brier": 0.17}, False,
     "BG/NBD 1 − P(alive) (ROC AUC 0.75 vs 0.75; Brier score 0.18 vs 0.17)"),
    ({"roc_auc": 0.70, "pr_auc": 0.78, "brier": 0.19}, None, None, "not compared with BG/NBD"),
])
def test_the_model_beats_the_baselines_only_on_every_metric(recency, bgnbd, beats, words):
    report = {**FIGURES, "recency_baseline": recency, "bgnbd_baseline": bgnbd}
    got, text = verdict(report)
    assert got is beats and words in text, text
    check = beats_baselines_check(report | {"beats_baselines": got, "verdict": text})
    assert check.passed is (beats is True) and not CHECKS[check.name][0]  # a warning, never blocking
    assert check.passed or words in check.metadata["reason"]


def test_the_check_fails_without_an_evaluation():
    check = beats_baselines_check({})
    assert not check.passed and "no held-out evaluation" in check.metadata["reason"]


# --- crm360 segment ------------------------------------------------------------------------------

def test_segment_on_cdnow_gives_each_customer_rfm_tier_and_lifecycle(tmp_path):
    output = tmp_path / "segments.parquet"
    result = run(["segment", "--transactions", str(CDNOW), *COLUMNS, "--as-of", "1998-07-01", "--currency", "usd",
                  "--json", "--output", str(output)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    table = pl.read_parquet(output)
    assert table.height == table["customer_id"].n_unique() == 2357 == document["customers"]
    assert {"rfm_segment", "r_score", "f_score", "m_score", "value_tier", "lifecycle_stage"} <= set(table.columns)
    assert table["r_score"].is_between(1, 5).all() and table["rfm_segment"].null_count() == 0
    assert sum(document["counts"]["value_tier"].values()) == 2357
    # the oldest buyers are lost: nobody bought between 1997-07-01 and 1998-06-30 -> more than 365 days
    assert document["counts"]["lifecycle_stage"]["lost"] > 1000
    assert table["monetary_cny"].sum() == pytest.approx(7.1 * pl.read_csv(CDNOW)["amount"].sum())


def test_segment_thresholds_come_from_the_pipeline_configuration(tmp_path, monkeypatch):
    from pipelines import config

    path = _file(tmp_path, [("old", date(2023, 1, 5)), ("old", date(2024, 5, 1)), ("new", date(2024, 5, 20))])
    args = ["segment", "--transactions", str(path), "--customer-col", "customer", "--date-col", "day",
            "--amount-col", "day", "--as-of", "2024-06-01"]
    assert "three different columns" in one_line_error(run(args))
    amounts = tmp_path / "amounts.csv"
    pl.read_csv(path).with_columns(pl.lit(100.0).alias("amount")).write_csv(amounts)
    args[2], args[-3] = str(amounts), "amount"

    def tiers() -> dict:
        output = tmp_path / "out.csv"
        assert run([*args, "--output", str(output)]).exit_code == 0
        return dict(pl.read_csv(output).select("customer", "value_tier").iter_rows())

    # both spent the most (a tie): "old" has the tenure for VIP, "new" (12 days) not even for important
    assert tiers() == {"old": "VIP", "new": "ordinary"}
    monkeypatch.setattr(config, "VIP_MIN_TENURE_DAYS", 600)
    assert tiers() == {"old": "important", "new": "ordinary"}

"""Great Expectations suites on core and mart tables: failures name the expectation, a failing suite
keeps the last good mart, and Data Docs land beside the warehouse."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.marts.tables import MartBuild, MartTable, build_and_publish
from pipelines import warehouse as wh
from quality.gx_suites import SUITES, run_suite

GOLDEN = pl.Series("golden_id", ["G1", "G2", "G3"])


def clv(**changes) -> pl.DataFrame:
    frame = pl.DataFrame({"golden_id": ["G1", "G2", "G3"], "prob_alive": [0.2, 0.9, 1.0], "clv": [10.0, 0.0, 3.5],
                          "expected_purchases": [0.1, 2.0, 0.0], "historical_value": [100.0, 0.0, 5.0]})
    return frame.with_columns(**changes) if changes else frame


@pytest.mark.parametrize(("frame", "failing"), [
    (clv(), []),
    (clv(prob_alive=pl.Series([0.2, 1.5, 1.0])), ["expect_column_values_to_be_between(prob_alive)"]),
    (clv(golden_id=pl.Series(["G1", "G1", "G3"])), ["expect_column_values_to_be_unique(golden_id)"]),
    (clv(golden_id=pl.Series(["G1", "G2", "G9"])), ["expect_column_values_to_be_in_set(_golden_id_known)"]),
    (clv().head(2), ["expect_table_row_count_to_equal(table)"]),  # the CLV mart holds every golden customer
])
def test_clv_suite(frame, failing):
    outcome = run_suite("marts.customer_clv", frame, GOLDEN)
    named = [f"{f['expectation']}({f['column'] or 'table'})" for f in outcome.sample]
    assert named == failing and outcome.passed is (not failing) and outcome.name == "gx_customer_clv"
    if failing:
        assert outcome.stops_run and outcome.metadata["message"].startswith(failing[0])


def test_accepted_values_of_segments_and_risk_bands():
    churn = pl.DataFrame({"golden_id": ["G1", "G2"], "churn_probability": [0.3, 0.95], "risk_band": ["low", "severe"]})
    outcome = run_suite("marts.customer_churn_risk", churn, GOLDEN)  # a subset of customers is fine for churn
    assert [(f["column"], f["sample"]) for f in outcome.sample] == [("risk_band", ["severe"])]
    golden = pl.DataFrame({"golden_id": ["G1", "G2"], "customer_kind": ["person", "robot"], "record_count": [1, 0]})
    outcome = run_suite("core.golden_customer", golden)
    assert sorted(f["column"] for f in outcome.sample) == ["customer_kind", "record_count"]


def test_suites_cover_the_golden_table_and_every_customer_mart():
    assert set(SUITES) == {"core.golden_customer", "marts.customer_segment", "marts.customer_clv",
                           "marts.customer_churn_risk", "marts.customer_satisfaction"}


def test_a_failing_suite_keeps_the_last_good_mart_and_data_docs_are_written(con, warehouse_file):
    wh.stage(con, wh.TableRef("core", "golden_customer"), pl.DataFrame({"golden_id": GOLDEN}))
    wh.publish(con, [wh.TableRef("core", "golden_customer")])
    table = MartTable("customer_clv", "CLV.", {"golden_id": "Id."})
    assert build_and_publish(con, [table], lambda c, d: MartBuild({"customer_clv": clv()}), date(2026, 11, 1)).published
    bad = build_and_publish(con, [table], lambda c, d: MartBuild({"customer_clv": clv(clv=pl.Series([1.0, -5.0, 2.0]))}),
                            date(2026, 11, 2))
    assert not bad.published and [c.name for c in bad.checks if c.stops_run] == ["gx_customer_clv"]
    assert wh.fetch_value(con, "SELECT min(clv) FROM marts.customer_clv") == 0.0
    docs = warehouse_file.with_name(f"{warehouse_file.stem}.gx_docs")
    assert (docs / "index.html").is_file() and list((docs / "validations").rglob("*.html"))

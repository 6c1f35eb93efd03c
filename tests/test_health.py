"""Customer data health on a small run: complete, current and consistent records per golden
customer, and per sales owner the customers to update first."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from click.testing import CliRunner

from assets.health import build_health, summarize
from pipelines import warehouse as wh
from pipelines.cli import main


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from conftest import write_landing

    root = tmp_path_factory.mktemp("health")
    write_landing(root / "landing")
    result = CliRunner().invoke(main, ["run", "--landing", str(root / "landing"), "--warehouse",
                                       str(root / "w.duckdb"), "--date", "2026-11-20"])
    assert result.exit_code == 0, result.output
    return root / "w.duckdb"


def read(warehouse, sql: str) -> pl.DataFrame:
    con = wh.connect(warehouse, read_only=True)
    try:
        return wh.fetch_frame(con, sql)
    finally:
        con.close()


def test_one_row_per_golden_customer_with_flags_that_match_the_golden_record(warehouse):
    health = read(warehouse, "SELECT * FROM quality.customer_data_health")
    golden = read(warehouse, "SELECT * FROM core.golden_customer")
    assert sorted(health["golden_id"]) == sorted(golden["golden_id"])
    joined = health.join(golden, on="golden_id")
    assert joined.filter(pl.col("has_contact") != (pl.col("phone").is_not_null() | pl.col("email").is_not_null())).is_empty()
    assert joined.filter(pl.col("has_address") != (pl.col("address_line1").is_not_null() & pl.col("city").is_not_null())
                         ).is_empty()
    assert health.filter((pl.col("health_score") < 0) | (pl.col("health_score") > 100)).is_empty()
    assert health.filter((pl.col("completeness") == 1) & ~pl.col("stale") & (pl.col("invalid_fields").list.len() == 0)
                         & (pl.col("conflicting_fields").list.len() == 0))["health_score"].unique().to_list() in ([100.0], [])


def test_owners_come_from_the_crm_and_list_only_records_needing_work(warehouse):
    health = read(warehouse, "SELECT * FROM quality.customer_data_health")
    by_owner = read(warehouse, "SELECT * FROM quality.data_health_by_owner")
    assert set(health["owner"].drop_nulls()) <= {"李娜", "张伟"} and health["owner"].drop_nulls().len() >= 1
    assert by_owner.filter(pl.col("health_score") >= 100).is_empty()
    assert by_owner.filter(pl.col("needs").list.len() == 0).is_empty()  # every listed customer says what to do
    expected = health.filter(pl.col("owner").is_not_null() & (pl.col("health_score") < 100))
    assert sorted(by_owner["golden_id"]) == sorted(expected["golden_id"])


def test_a_later_date_makes_records_stale_and_lowers_the_score(warehouse):
    con = wh.connect(warehouse, read_only=True)
    try:
        now = build_health(con, date(2024, 7, 1), stale_days=365)  # the test records were updated in 2024
        later = build_health(con, date(2030, 1, 1), stale_days=365)
    finally:
        con.close()
    assert later.summary["share_stale"] == 1.0 and later.summary["share_stale"] > now.summary["share_stale"]
    assert later.summary["mean_health_score"] < now.summary["mean_health_score"]
    assert all("not updated for" in " ".join(n) for n in later.by_owner["needs"].to_list())


def test_the_summary_is_kept_per_run_and_shown_in_the_report(warehouse):
    history = read(warehouse, "SELECT * FROM quality.data_health_history")
    assert history.height == 1 and history["customers"][0] == read(warehouse, "SELECT * FROM core.golden_customer").height
    page = (warehouse.parent / "w.quality.html").read_text(encoding="utf-8")
    assert "<h2>Customer data health</h2>" in page and "complete" in page


def test_summarize():
    health = pl.DataFrame({"completeness": [1.0, 0.75], "stale": [False, True], "health_score": [100.0, 45.0],
                           "conflicting_fields": [[], ["birth_date: 2 different values"]], "invalid_fields": [[], []]})
    assert summarize(health) == {"customers": 2, "share_complete": 0.5, "share_stale": 0.5, "share_conflicting": 0.5,
                                 "share_invalid": 0.0, "mean_health_score": 72.5}

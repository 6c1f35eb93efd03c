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


def test_conflicts_invalid_values_and_owner_on_hand_made_records(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    wh.ensure_schemas(con)
    wh.execute(con, """
        CREATE TABLE core.golden_customer AS SELECT * FROM (VALUES
            ('G1', 'person', '王伟', NULL, '+8613800138000', NULL, '天河路1号', '广州', NULL, DATE '1985-03-07',
             TIMESTAMPTZ '2026-10-01 00:00:00+00'),
            ('G2', 'company', NULL, '星辰科技有限公司', NULL, NULL, NULL, NULL, '91350100M000100Y43', NULL,
             TIMESTAMPTZ '2020-01-01 00:00:00+00'))
            t(golden_id, customer_kind, full_name, company_name, phone, email, address_line1, city, id_number,
              birth_date, last_updated_at);
        CREATE TABLE core.customer_xref AS SELECT * FROM (VALUES
            ('crm', 'C1', 'G1'), ('erp', 'E1', 'G1'), ('erp', 'E2', 'G2')) t(source, record_id, golden_id);
        CREATE TABLE staging.customer_records AS SELECT * FROM (VALUES
            ('crm', 'C1', DATE '1985-03-07', 'F', '{"owner": "李娜"}', TIMESTAMPTZ '2026-10-01 00:00:00+00', NULL),
            ('erp', 'E1', DATE '1985-07-03', 'F', NULL, TIMESTAMPTZ '2026-09-01 00:00:00+00', NULL),
            ('erp', 'E2', NULL, NULL, '{"owner": "张伟"}', NULL, TIMESTAMPTZ '2020-01-01 00:00:00+00'))
            t(source, record_id, birth_date, gender, attributes, updated_at, created_at);
        CREATE TABLE staging.customer_field_issues AS SELECT * FROM (VALUES
            ('erp', 'E1', 'phone', '12345', NULL, 'nulled', 'invalid_phone'),
            ('erp', 'E1', 'email', 'A@B.CON', 'a@b.com', 'corrected', 'email_domain_corrected'))
            t(source, record_id, field, original_value, value, action, reason);
    """)
    build = build_health(con, date(2026, 11, 1), stale_days=365)
    con.close()
    rows = {r["golden_id"]: r for r in build.health.iter_rows(named=True)}
    assert rows["G1"]["conflicting_fields"] == ["birth_date: 2 different values"]
    assert rows["G1"]["invalid_fields"] == ["phone: invalid_phone"]  # a corrected value is not invalid
    assert rows["G1"]["owner"] == "李娜" and rows["G1"]["completeness"] == 1.0 and not rows["G1"]["stale"]
    assert rows["G1"]["health_score"] == 80.0  # complete and current, not consistent
    assert rows["G2"]["has_identity"] and not rows["G2"]["has_contact"] and rows["G2"]["stale"]
    assert rows["G2"]["health_score"] == 20.0 + 60 * 2 / 4  # name and identity known, stale, consistent
    needs = {r["golden_id"]: r["needs"] for r in build.by_owner.iter_rows(named=True)}
    assert needs["G1"] == ["birth_date: 2 different values", "phone: invalid_phone"]
    assert needs["G2"][:2] == ["phone or email missing", "address missing"] and "not updated for" in needs["G2"][2]
    assert build.summary["share_conflicting"] == 0.5 and build.summary["share_invalid"] == 0.5

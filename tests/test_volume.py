"""Volume against the last good run: a source sending far fewer (or more) rows warns; golden
customers or a mart losing a large share of their rows stops the publish and keeps the last good table."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from click.testing import CliRunner

from assets.ingest import crm_contacts, erp
from assets.ingest.erp_load import ingest_erp_snapshot
from assets.ingest.load import ingest_files
from assets.marts.tables import MartBuild, MartTable, build_and_publish
from assets.resolve import core
from pipelines import warehouse as wh
from pipelines.cli import main
from quality.results import Policy
from quality.volume import row_count_change, row_count_drop
from test_core import PEOPLE, fake_engine, publish_staging  # noqa: F401 (fake_engine: a fixture)


@pytest.mark.parametrize(("counts", "previous", "passed", "message"), [
    ({"crm": 100}, None, True, None),  # a first run has nothing to compare with
    ({"crm": 100}, {"crm": 110}, True, None),
    ({"crm": 70}, {"crm": 100}, False, "crm: 70 rows, 30% fewer than the last good run's 100"),
    ({"crm": 130, "erp": 99}, {"crm": 100, "erp": 100}, False, "crm: 130 rows, 30% more than the last good run's 100"),
    ({"erp": 5}, {"crm": 0, "erp": 5}, True, None),  # a part with no rows before is not a share of anything
    ({}, {"crm": 10}, False, "crm: 0 rows, 100% fewer than the last good run's 10"),  # a source that vanished
])
def test_row_count_change(counts, previous, passed, message):
    check = row_count_change(counts, previous, 0.25)
    assert check.passed is passed and check.metadata.get("message") == message and check.severity == "warn"


@pytest.mark.parametrize(("rows", "previous", "passed"), [(70, 100, False), (80, 100, True), (200, 100, True),
                                                          (0, None, True), (0, 0, True)])
def test_row_count_drop_fails_only_on_a_drop(rows, previous, passed):
    check = row_count_drop("core.golden_customer", rows, previous, 0.25)
    assert check.passed is passed and check.severity == "error"
    assert check.failing_rows == (0 if passed else previous - rows)


def test_a_delivery_a_third_smaller_than_the_last_warns_and_is_published(con, tmp_path):
    root = tmp_path / "l"
    (root / "2026-11-02").mkdir(parents=True)
    header = "联系人编号,姓名,手机,邮箱"
    rows = [f"C{i:03d},王伟,1380013{i:04d}," for i in range(12)]
    (root / "crm_contacts.csv").write_bytes("\n".join([header, *rows]).encode("gbk"))
    assert ingest_files(con, crm_contacts.SOURCE, root).published
    (root / "2026-11-02" / "crm_contacts.csv").write_bytes("\n".join([header, *rows[:8]]).replace("C0", "D0").encode("gbk"))
    outcome = ingest_files(con, crm_contacts.SOURCE, root)
    assert outcome.published and outcome.rows_added == 8
    (change,) = [c for c in outcome.checks if c.name == "row_count_change"]
    assert not change.passed and not change.stops_run
    assert change.metadata["message"] == "2026-11-02/crm_contacts.csv: 8 rows, 33% fewer than the last good run's 12"
    looser = ingest_files(con, crm_contacts.SOURCE, root, policy=Policy(thresholds={"row_count_change": 0.5}))
    assert all(c.passed for c in looser.checks if c.name == "row_count_change")  # nothing new: no delivery to weigh


def test_an_erp_snapshot_that_shrank_warns(con):
    products = pl.DataFrame({"product_id": [str(i) for i in range(10)], "sku": "S", "name": "n", "category": "c",
                             "unit_price": "1"})
    ingest_erp_snapshot(con, erp.PRODUCTS, products, "erp#products")
    outcome = ingest_erp_snapshot(con, erp.PRODUCTS, products.head(6).with_columns(sku=pl.lit("T")), "erp#products")
    (change,) = [c for c in outcome.checks if c.name == "row_count_change"]
    assert outcome.published and change.metadata["message"] == "erp#products: 6 rows, 40% fewer than the last good run's 10"


def test_golden_customers_that_drop_past_the_share_keep_the_last_good_core(con, fake_engine):
    publish_staging(con, PEOPLE)
    assert core.build_core(con, date(2026, 11, 1)).published
    before = wh.fetch_frame(con, "SELECT * FROM core.golden_customer ORDER BY golden_id")
    publish_staging(con, PEOPLE[:2])  # one golden customer of two left
    outcome = core.build_core(con, date(2026, 11, 2))
    assert not outcome.published
    (drop,) = [c for c in outcome.all_checks if c.name == "row_count_drop"]
    assert drop.stops_run and drop.metadata["message"] == (
        "core.golden_customer: 1 rows, 50% fewer than the last good run's 2")
    assert wh.fetch_frame(con, "SELECT * FROM core.golden_customer ORDER BY golden_id").equals(before)
    allowed = core.build_core(con, date(2026, 11, 2), policy=Policy(thresholds={"row_count_drop": 0.6}))
    assert allowed.published


def test_a_mart_that_lost_rows_is_not_published(con):
    table = MartTable("volume_probe", "A probe.", {"golden_id": "Id."})

    def build(rows: int):
        return lambda con_, as_of: MartBuild({"volume_probe": pl.DataFrame({"golden_id": [f"G{i}" for i in range(rows)]})})

    assert build_and_publish(con, [table], build(10), date(2026, 11, 1)).published
    shrunk = build_and_publish(con, [table], build(7), date(2026, 11, 2))
    assert not shrunk.published and [c.name for c in shrunk.checks if c.stops_run] == ["row_count_drop"]
    assert wh.fetch_value(con, "SELECT count(*) FROM marts.volume_probe") == 10
    warned = build_and_publish(con, [table], build(7), date(2026, 11, 2), Policy(severities={"row_count_drop": "warn"}))
    assert warned.published and wh.fetch_value(con, "SELECT count(*) FROM marts.volume_probe") == 7


def test_a_source_a_third_smaller_warns_and_the_run_succeeds(landing, warehouse_file):
    run = ["run", "--landing", str(landing), "--warehouse", str(warehouse_file), "--date", "2026-11-20"]
    assert CliRunner().invoke(main, run).exit_code == 0
    folder = landing / "2026-11-20"
    folder.mkdir()
    lines = (landing / "crm_contacts.csv").read_bytes().decode("gbk").splitlines()
    (folder / "crm_contacts.csv").write_bytes("\n".join(lines[:3]).replace("C00000", "D00000").encode("gbk"))
    result = CliRunner().invoke(main, run)
    assert result.exit_code == 0, result.output
    assert "warning  raw/crm_contacts :: row_count_change" in result.output
    report = CliRunner().invoke(main, ["quality", "--warehouse", str(warehouse_file), "--json"])
    failures = [(f["asset"], f["check"], f["severity"]) for f in json.loads(report.output)["failures"]]
    assert ("raw.crm_contacts", "row_count_change", "warn") in failures and report.exit_code == 0

"""Schema drift: a delivery whose columns changed stops its source with the change spelled out
(file, expected column, what arrived), and nothing of the batch is published."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from click.testing import CliRunner

from assets.ingest import campaign_events, crm_contacts, erp
from assets.ingest.erp_load import ingest_erp_snapshot
from assets.ingest.load import ingest_files
from pipelines import warehouse as wh
from pipelines.cli import main
from quality.raw_checks import column_drift

S, I, F, D = pl.String, pl.Int64, pl.Float64, pl.Datetime("us")


@pytest.mark.parametrize(("arrived", "expected", "known", "findings"), [
    ({"id": S, "name": S}, ["id", "name"], None, []),
    ({"id": S, "name": S, "extra": S}, ["id", "name"], None, []),  # added: columns_stable's to report
    ({"id": S}, ["id", "name"], None, [("name", None, "missing")]),
    ({"联系人编号": S, "手机号码": S}, ["联系人编号", "手机"], None, [("手机", "手机号码", "renamed")]),
    ({"cust_no": S, "mobile_no": S}, ["cust_no", "mobile"], None, [("mobile", "mobile_no", "renamed")]),
    ({"cust_no": S, "fax": S}, ["cust_no", "mobile"], None, [("mobile", None, "missing")]),  # not a close name
    ({"id": S, "amount": S}, ["id", "amount"], {"id": S, "amount": F}, [("amount", "text (was number)", "retyped")]),
    ({"id": S, "amount": pl.Int32}, ["id", "amount"], {"id": S, "amount": F}, []),  # a narrower number is no change
    ({"id": S, "when": S}, ["id", "when"], {"id": S, "when": D}, [("when", "text (was date/time)", "retyped")]),
    ({"id": S, "amount": pl.Null}, ["id", "amount"], {"id": S, "amount": F}, []),  # all empty in this file
])
def test_column_drift(arrived, expected, known, findings):
    got = column_drift("f.csv", arrived, expected, known)
    assert [(f["expected_column"], f["arrived"], f["change"]) for f in got] == findings
    assert all(f["source_file"] == "f.csv" for f in got)


def raw(con, table: str) -> pl.DataFrame:
    return wh.fetch_frame(con, f"SELECT * FROM raw.{table} ORDER BY _row_number, _source_file")


def test_a_later_delivery_without_a_column_the_source_delivered_before_stops_the_source(con, landing):
    first = ingest_files(con, crm_contacts.SOURCE, landing)
    assert first.published
    before = raw(con, "crm_contacts")
    folder = landing / "2026-11-21"
    folder.mkdir()
    text = (landing / "crm_contacts.csv").read_bytes().decode("gbk").splitlines()
    dropped = [",".join(line.split(",")[:13] + line.split(",")[14:]) for line in text]  # without 负责人 (the owner)
    renamed = [text[0].replace("手机", "手机号码"), *text[1:]]
    (folder / "crm_contacts_1.csv").write_bytes("\n".join(dropped).replace("C00000", "D00000").encode("gbk"))
    (folder / "crm_contacts_2.csv").write_bytes("\n".join(renamed).replace("C00000", "E00000").encode("gbk"))
    outcome = ingest_files(con, crm_contacts.SOURCE, landing)
    assert not outcome.published and [c.name for c in outcome.blocked_by] == ["schema_drift"]
    drift = outcome.blocked_by[0]
    assert [(f["source_file"], f["expected_column"], f["arrived"], f["change"]) for f in drift.sample] == [
        ("2026-11-21/crm_contacts_1.csv", "负责人", None, "missing"),
        ("2026-11-21/crm_contacts_2.csv", "手机", "手机号码", "renamed")]
    assert drift.metadata["message"] == ("2026-11-21/crm_contacts_1.csv: column '负责人' missing; "
                                         "2026-11-21/crm_contacts_2.csv: column '手机' missing, '手机号码' arrived instead")
    assert raw(con, "crm_contacts").equals(before)


def test_a_parquet_column_that_changed_type_is_retyped(con, tmp_path):
    root = tmp_path / "l"
    root.mkdir()
    events = pl.DataFrame({"event_id": ["E1"], "campaign_id": ["C1"], "event_type": ["open"],
                           "event_time": [datetime(2026, 11, 1, 8)]})
    events.write_parquet(root / "campaign_events.parquet")
    assert ingest_files(con, campaign_events.SOURCE, root).published
    (root / "2026-11-21").mkdir()
    events.with_columns(pl.col("event_time").dt.to_string("%d/%m/%Y %H:%M"), event_id=pl.lit("E2")).write_parquet(
        root / "2026-11-21" / "campaign_events.parquet")
    outcome = ingest_files(con, campaign_events.SOURCE, root)
    assert [c.name for c in outcome.blocked_by] == ["schema_drift"]
    assert outcome.blocked_by[0].metadata["message"] == (
        "2026-11-21/campaign_events.parquet: column 'event_time' is text (was date/time)")


def test_an_erp_snapshot_without_a_column_stops_the_table(con, landing):
    snapshot = pl.DataFrame({"product_id": ["1"], "sku": ["S"], "name": ["n"], "category": ["c"], "unit_price": ["1"]})
    assert ingest_erp_snapshot(con, erp.PRODUCTS, snapshot, "erp#products").published
    outcome = ingest_erp_snapshot(con, erp.PRODUCTS, snapshot.drop("category").with_columns(sku=pl.lit("T")),
                                  "erp#products")
    assert [c.name for c in outcome.blocked_by] == ["schema_drift"]
    assert outcome.blocked_by[0].metadata["message"] == "erp#products: column 'category' missing"


def test_the_run_names_the_file_and_column_and_crm360_quality_shows_it(landing, warehouse_file):
    run = ["run", "--landing", str(landing), "--warehouse", str(warehouse_file), "--date", "2026-11-20"]
    assert CliRunner().invoke(main, run).exit_code == 0
    folder = landing / "2026-11-20"
    folder.mkdir()
    text = (landing / "crm_contacts.csv").read_bytes().decode("gbk").replace("C00000", "D00000").splitlines()
    (folder / "crm_contacts.csv").write_bytes("\n".join([text[0].replace(",邮箱,", ",电子邮箱,"), *text[1:]]).encode("gbk"))
    result = CliRunner().invoke(main, run)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "2026-11-20/crm_contacts.csv: column '邮箱' missing, '电子邮箱' arrived instead" in errors[0]
    report = CliRunner().invoke(main, ["quality", "--warehouse", str(warehouse_file)], env={"COLUMNS": "250"})
    assert report.exit_code == 1
    assert "schema_drift" in report.output and "2026-11-20/crm_contacts.csv" in report.output
    assert "expected_column=邮箱" in report.output
    page = (warehouse_file.parent / f"{warehouse_file.stem}.quality.html").read_text(encoding="utf-8")
    assert "schema_drift" in page[page.index("<h2>Failures</h2>"):page.index("<h2>raw</h2>")]

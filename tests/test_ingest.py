"""Raw ingest: rows as they are, lineage on every row, and a second load of the same data changes nothing."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from assets.ingest import crm_contacts, erp, service_tickets
from assets.ingest.errors import IngestError
from assets.ingest.erp_load import ingest_erp_snapshot
from assets.ingest.load import ingest_files, landing_files
from pipelines import warehouse as wh
from pipelines.erp import read_erp_table

LOADED_AT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def raw(con, table: str) -> pl.DataFrame:
    return wh.fetch_frame(con, f"SELECT * FROM raw.{table} ORDER BY _source_file, _row_number")


def test_csv_rows_arrive_as_they_are_with_lineage(con, landing):
    outcome = ingest_files(con, crm_contacts.SOURCE, landing, loaded_at=LOADED_AT)
    table = raw(con, "crm_contacts")
    assert outcome.published and outcome.rows_added == 3 == table.height
    digest = hashlib.sha256((landing / "crm_contacts.csv").read_bytes()).hexdigest()
    assert table["_source"].unique().to_list() == ["crm_contacts"]
    assert table["_record_id"].to_list() == ["C000001", "C000002", "C000003"]
    assert table["_source_file"].unique().to_list() == ["crm_contacts.csv"]
    assert table["_file_hash"].unique().to_list() == [digest]
    assert table["_row_number"].to_list() == [1, 2, 3]
    assert table["_loaded_at"].unique().to_list() == [LOADED_AT]
    # GBK decoded, full-width digits and Excel serials untouched.
    assert table.filter(pl.col("_record_id") == "C000003").select("姓名", "手机", "创建时间").row(0) == (
        "欧阳娜娜", "０１３９１２３４５６７８", "45296")


def test_second_ingest_of_same_files_changes_nothing(con, landing):
    ingest_files(con, crm_contacts.SOURCE, landing, loaded_at=LOADED_AT)
    before = raw(con, "crm_contacts")
    again = ingest_files(con, crm_contacts.SOURCE, landing, loaded_at=datetime(2026, 11, 21, tzinfo=timezone.utc))
    assert not again.published and again.rows_added == 0 and again.skipped_files == ["crm_contacts.csv"]
    assert raw(con, "crm_contacts").equals(before)
    assert all(check.passed for check in again.checks)  # verified against the ledger, not skipped


def _hashing(monkeypatch) -> list[str]:
    import assets.ingest.load as load

    hashed: list[str] = []
    real = load.file_sha256
    monkeypatch.setattr(load, "file_sha256", lambda path: hashed.append(path.name) or real(path))
    return hashed


def test_a_loaded_file_with_the_same_size_and_time_is_not_hashed_again(con, landing, monkeypatch):
    """Daily runs must not re-read every file ever delivered only to learn it was loaded."""
    hashed = _hashing(monkeypatch)
    ingest_files(con, crm_contacts.SOURCE, landing)
    assert hashed == ["crm_contacts.csv"]
    hashed.clear()
    again = ingest_files(con, crm_contacts.SOURCE, landing)
    assert hashed == [] and again.skipped_files == ["crm_contacts.csv"] and all(c.passed for c in again.checks)
    path = landing / "crm_contacts.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # touched: hashed, still known
    touched = ingest_files(con, crm_contacts.SOURCE, landing)
    assert hashed == ["crm_contacts.csv"] and touched.skipped_files == ["crm_contacts.csv"]
    hashed.clear()
    ingest_files(con, crm_contacts.SOURCE, landing)  # the new time is remembered
    assert hashed == []
    ingest_files(con, crm_contacts.SOURCE, landing, trust_file_stats=False)  # --full hashes every file
    assert hashed == ["crm_contacts.csv"]


def test_a_file_rewritten_with_a_new_time_is_loaded(con, landing):
    ingest_files(con, crm_contacts.SOURCE, landing)
    path = landing / "crm_contacts.csv"
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace("C000003".encode("gbk"), "C000009".encode("gbk")))
    assert path.stat().st_size == stat.st_size
    later = max(path.stat().st_mtime_ns, stat.st_mtime_ns + 1)
    os.utime(path, ns=(later, later))
    outcome = ingest_files(con, crm_contacts.SOURCE, landing)
    assert outcome.published and outcome.rows_added == 3


def test_same_file_delivered_again_under_another_name_is_skipped(con, landing):
    ingest_files(con, crm_contacts.SOURCE, landing)
    (landing / "2026-11-21").mkdir()
    shutil.copy(landing / "crm_contacts.csv", landing / "2026-11-21" / "crm_contacts_copy.csv")
    outcome = ingest_files(con, crm_contacts.SOURCE, landing, as_of=date(2026, 11, 21))
    assert outcome.skipped_files == ["crm_contacts.csv", "2026-11-21/crm_contacts_copy.csv"]
    assert raw(con, "crm_contacts").height == 3


def test_new_delivery_is_appended_and_future_deliveries_wait(con, landing):
    ingest_files(con, crm_contacts.SOURCE, landing, as_of=date(2026, 11, 20))
    for day, contact in (("2026-11-21", "C000009"), ("2026-11-25", "C000010")):
        folder = landing / day
        folder.mkdir()
        text = (landing / "crm_contacts.csv").read_bytes().decode("gbk").splitlines()
        (folder / "crm_contacts.csv").write_bytes(
            "\n".join([text[0], text[1].replace("C000001", contact)]).encode("gbk"))
    outcome = ingest_files(con, crm_contacts.SOURCE, landing, as_of=date(2026, 11, 21))
    assert outcome.new_files == ["2026-11-21/crm_contacts.csv"] and outcome.rows_added == 1
    assert sorted(raw(con, "crm_contacts")["_record_id"]) == ["C000001", "C000002", "C000003", "C000009"]
    assert [p.parent.name for p in landing_files(landing, "crm_contacts*.csv", date(2026, 11, 30))][-1] == "2026-11-25"


def test_bad_file_among_new_files_publishes_nothing(con, landing):
    ingest_files(con, service_tickets.SOURCE, landing)
    before = raw(con, "service_tickets")
    folder = landing / "2026-11-21"
    folder.mkdir()
    (folder / "service_tickets_a.jsonl").write_text(
        (landing / "service_tickets.jsonl").read_text().replace('"T1"', '"T3"').replace('"T2"', '"T4"'))
    (folder / "service_tickets_b.jsonl").write_text('{"ticket_id": "T5", "customer_name": "x"\n')
    outcome = ingest_files(con, service_tickets.SOURCE, landing)
    assert not outcome.published and [c.name for c in outcome.blocked_by] == ["files_readable"]
    assert outcome.blocked_by[0].metadata["message"].startswith("2026-11-21/service_tickets_b.jsonl, row 1: malformed JSON")
    assert raw(con, "service_tickets").equals(before)
    assert not wh.table_exists(con, wh.TableRef("raw", "service_tickets").scratch)


def test_missing_required_column_stops_with_file_and_column(con, tmp_path):
    root = tmp_path / "l"
    root.mkdir()
    (root / "crm_contacts.csv").write_bytes("联系人编号,姓名,手机\nC1,王伟,138\n".encode("gbk"))
    outcome = ingest_files(con, crm_contacts.SOURCE, root)
    assert not outcome.published and [c.name for c in outcome.blocked_by] == ["schema_drift"]
    (drift,) = outcome.blocked_by
    assert drift.sample == [{"source_file": "crm_contacts.csv", "expected_column": "邮箱", "arrived": None,
                             "change": "missing"}]
    assert drift.metadata["message"] == "crm_contacts.csv: column '邮箱' missing"
    assert not wh.table_exists(con, wh.TableRef("raw", "crm_contacts"))


def test_repeated_ids_in_one_file_are_reported_not_dropped(con, tmp_path):
    root = tmp_path / "l"
    root.mkdir()
    (root / "crm_contacts.csv").write_bytes("联系人编号,姓名,手机,邮箱\nC1,王伟,138,\nC1,王伟,139,\n,李娜,137,\n".encode("gbk"))
    outcome = ingest_files(con, crm_contacts.SOURCE, root)
    checks = {c.name: c for c in outcome.checks}
    assert outcome.published and raw(con, "crm_contacts").height == 3
    assert not checks["record_id_unique"].passed and checks["record_id_unique"].failing_rows == 2
    assert not checks["record_id_present"].passed and checks["record_id_present"].sample[0]["_row_number"] == 3


def test_new_column_in_a_delivery_is_added_and_reported(con, tmp_path):
    root = tmp_path / "l"
    (root / "2026-11-21").mkdir(parents=True)
    (root / "crm_contacts.csv").write_bytes("联系人编号,姓名,手机,邮箱\nC1,王伟,138,\n".encode("gbk"))
    ingest_files(con, crm_contacts.SOURCE, root, as_of=date(2026, 11, 20))
    (root / "2026-11-21" / "crm_contacts.csv").write_bytes("联系人编号,姓名,手机,邮箱,微信\nC2,李娜,139,,lina88\n".encode("gbk"))
    outcome = ingest_files(con, crm_contacts.SOURCE, root, as_of=date(2026, 11, 21))
    drift = {c.name: c for c in outcome.checks}["columns_stable"]
    assert not drift.passed and drift.metadata["added"] == ["微信"]
    assert raw(con, "crm_contacts").sort("_record_id")["微信"].to_list() == [None, "lina88"]


def erp_url(landing: Path) -> str:
    return f"sqlite:///{landing / 'erp.sqlite'}"


def load_erp(con, landing: Path, table=erp.CUSTOMERS):
    snapshot = read_erp_table(erp_url(landing), table.table)
    return ingest_erp_snapshot(con, table, snapshot, f"erp#{table.table}", loaded_at=LOADED_AT)


def test_erp_unchanged_snapshot_adds_nothing_and_changed_row_is_captured(con, landing):
    first = load_erp(con, landing)
    assert first.rows_added == 2
    assert load_erp(con, landing).rows_added == 0
    db = sqlite3.connect(landing / "erp.sqlite")
    db.execute("UPDATE customers SET mobile = '13900139000' WHERE cust_no = 'E0001'")
    db.commit()
    db.close()
    changed = load_erp(con, landing)
    table = raw(con, "erp_customers")
    assert changed.rows_added == 1
    assert table.filter(pl.col("_record_id") == "E0001")["mobile"].to_list() == ["13800138000", "13900139000"]
    assert table["_row_hash"].n_unique() == 3


def test_erp_order_lines_have_composite_ids(con, landing):
    load_erp(con, landing, erp.ORDER_ITEMS)
    assert raw(con, "erp_order_items")["_record_id"].sort().to_list() == ["1:1", "1:2", "2:1"]


def test_erp_url_errors_are_clear(tmp_path):
    with pytest.raises(IngestError, match=r"ERP database file not found"):
        read_erp_table(f"sqlite:///{tmp_path / 'missing.sqlite'}", "customers")
    with pytest.raises(IngestError, match=r"not a database URL"):
        read_erp_table("not a url", "customers")


def test_erp_missing_table_and_password_never_shown(landing):
    with pytest.raises(IngestError, match=r"#vendors: table not found"):
        read_erp_table(erp_url(landing), "vendors")
    with pytest.raises(IngestError) as info:
        read_erp_table("postgresql+nosuchdriver://crm:s3cret@db.internal/erp", "customers")
    assert "s3cret" not in str(info.value) and "***" in str(info.value)


def test_files_loaded_before_sizes_were_kept_are_hashed_once_more(con, landing, monkeypatch):
    ingest_files(con, crm_contacts.SOURCE, landing)
    wh.execute(con, "UPDATE quality.ingested_files SET file_size = NULL, file_mtime_ns = NULL")  # an older ledger
    hashed = _hashing(monkeypatch)
    ingest_files(con, crm_contacts.SOURCE, landing)
    ingest_files(con, crm_contacts.SOURCE, landing)
    assert hashed == ["crm_contacts.csv"]

"""Incremental staging of customer records: only what was loaded since the last build is standardized,
and the result equals a full rebuild of the same raw tables."""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest
from conftest import CONTACTS_HEADER, write_landing

from assets.ingest import company_registry, crm_contacts, service_tickets
from assets.ingest.erp import CUSTOMERS
from assets.ingest.erp_load import ingest_erp_snapshot
from assets.ingest.load import ingest_files
from assets.standardize.staging import build_staging
from assets.standardize.tables import CUSTOMER_RECORDS
from pipelines import warehouse as wh
from pipelines.erp import read_erp_table

DAY = date(2026, 11, 20)
NEW_CONTACTS = [
    # a new contact, a contact updated (new phone), and one with nothing usable (quarantined)
    "C000004,李娜,女,13912345678,,lina@qq.com,,,广东省,深圳,南山路2号,518000,1991/2/3,李娜,,新客户,是,2024/05/01 10:00,2024-05-01,2024-05-01",
    "C000001,王伟,男,+86 139 0000 1111,(020) 8888 8888,WangWei@163.com,星辰科技有限公司,经理,广东省,广州,天河路1号,510000,1985/3/7,李娜,高价值;展会,活跃客户,是,2024/03/02 10:15,2024-01-05,2024-11-19",
    "C000005,,,,,,,,,,,,,,,,,,2024-05-01,2024-05-01",
]


def ingest(con, landing, day: date) -> None:
    for source in (company_registry.SOURCE, crm_contacts.SOURCE, service_tickets.SOURCE):
        ingest_files(con, source, landing, as_of=day)
    ingest_erp_snapshot(con, CUSTOMERS, read_erp_table(f"sqlite:///{landing / 'erp.sqlite'}", "customers"), "erp#customers",
                        as_of=day)


def deliver_day_two(landing) -> None:
    folder = landing / "2026-11-21"
    folder.mkdir()
    (folder / "crm_contacts.csv").write_bytes(("\n".join([CONTACTS_HEADER, *NEW_CONTACTS]) + "\n").encode("gbk"))


def staged_table(con) -> pl.DataFrame:
    return wh.fetch_frame(con, "SELECT * EXCLUDE (_loaded_at) FROM staging.customer_records ORDER BY source, record_id")


def latest_quarantine(con) -> pl.DataFrame:
    return wh.fetch_frame(con, "SELECT source, record_id, reason, source_file, row_number FROM quality.quarantine_latest "
                               "WHERE asset = 'staging.customer_records' ORDER BY ALL")


@pytest.fixture
def two_days(tmp_path):
    landing = write_landing(tmp_path / "landing")
    con = wh.connect(tmp_path / "w.duckdb")
    wh.ensure_schemas(con)
    ingest(con, landing, DAY)
    first = build_staging(con, CUSTOMER_RECORDS, DAY, "run-1")
    deliver_day_two(landing)
    ingest(con, landing, date(2026, 11, 21))
    yield con, first, tmp_path
    con.close()


def test_the_second_build_standardizes_only_the_new_and_changed_records(two_days):
    con, first, tmp_path = two_days
    assert first.published
    wh.execute(con, "CHECKPOINT")  # the copy must hold what the open connection wrote
    shutil.copy(tmp_path / "w.duckdb", tmp_path / "full.duckdb")
    second = build_staging(con, CUSTOMER_RECORDS, DAY, "run-2")
    assert second.published and all(c.passed for c in second.checks if c.blocking), second.checks
    assert second.incremental and second.standardized == 3  # the new contact, the updated one, the unusable one
    full_con = wh.connect(tmp_path / "full.duckdb")
    try:
        full = build_staging(full_con, CUSTOMER_RECORDS, DAY, "run-2", full=True)
        assert full.published
        assert staged_table(con).equals(staged_table(full_con))
        assert latest_quarantine(con).equals(latest_quarantine(full_con))
        issues = "SELECT * FROM staging.customer_field_issues ORDER BY ALL"
        assert wh.fetch_frame(con, issues).equals(wh.fetch_frame(full_con, issues))
    finally:
        full_con.close()
    assert (second.rows, second.quarantined) == (full.rows, full.quarantined)


def test_the_updated_record_has_its_new_phone_and_the_new_one_is_staged(two_days):
    con, _, _ = two_days
    build_staging(con, CUSTOMER_RECORDS, DAY, "run-2")
    rows = {r["record_id"]: r for r in staged_table(con).filter(pl.col("source") == "crm_contacts").to_dicts()}
    assert rows["C000001"]["phone"] == "+8613900001111"
    assert rows["C000004"]["email"] == "lina@qq.com"
    quarantined = latest_quarantine(con)
    assert "C000005" in quarantined["record_id"].to_list()
    assert quarantined.filter(pl.col("record_id") == "C000005")["source_file"][0] == "2026-11-21/crm_contacts.csv"


def test_a_changed_mapping_definition_rebuilds_whole(two_days):
    con, _, _ = two_days
    import dataclasses
    changed = dataclasses.replace(CUSTOMER_RECORDS, definition=CUSTOMER_RECORDS.definition + "#changed")
    rebuilt = build_staging(con, changed, DAY, "run-2")
    assert rebuilt.published and not rebuilt.incremental
    assert rebuilt.standardized == rebuilt.rows + rebuilt.quarantined
    again = build_staging(con, changed, DAY, "run-3")
    assert again.incremental and again.standardized == 0 and again.rows == rebuilt.rows


def test_orders_stage_incrementally_and_equal_a_full_rebuild(tmp_path):
    """An order's status changes in the ERP (a new version of a known record) and a new order arrives:
    the incremental build replaces the old version's staged row and adds the new one."""
    import sqlite3

    from assets.ingest.erp import ORDERS as RAW_ORDERS
    from assets.standardize.tables import ORDERS

    landing = write_landing(tmp_path / "landing")
    url = f"sqlite:///{landing / 'erp.sqlite'}"
    con = wh.connect(tmp_path / "w.duckdb")
    wh.ensure_schemas(con)
    ingest_erp_snapshot(con, RAW_ORDERS, read_erp_table(url, "orders"), "erp#orders", as_of=DAY)
    assert build_staging(con, ORDERS, DAY, "run-1").published
    erp = sqlite3.connect(landing / "erp.sqlite")
    erp.execute("UPDATE orders SET status = 'refunded' WHERE order_id = 1")
    erp.execute("INSERT INTO orders VALUES (3, 'E0001', '2024-11-20 09:00:00', 'paid', 'CNY', 199.0, 'online')")
    erp.commit()
    erp.close()
    ingest_erp_snapshot(con, RAW_ORDERS, read_erp_table(url, "orders"), "erp#orders", as_of=date(2026, 11, 21))
    wh.execute(con, "CHECKPOINT")
    shutil.copy(tmp_path / "w.duckdb", tmp_path / "full.duckdb")
    second = build_staging(con, ORDERS, DAY, "run-2")
    assert second.published and second.incremental and second.standardized == 2 and second.rows == 3
    orders = "SELECT * EXCLUDE (_loaded_at) FROM staging.orders ORDER BY order_id"
    assert dict(wh.fetch_rows(con, "SELECT order_id, status FROM staging.orders ORDER BY 1")) == {
        "1": "refunded", "2": "paid", "3": "paid"}
    full_con = wh.connect(tmp_path / "full.duckdb")
    try:
        assert build_staging(full_con, ORDERS, DAY, "run-2", full=True).published
        assert wh.fetch_frame(con, orders).equals(wh.fetch_frame(full_con, orders))
    finally:
        full_con.close()
    con.close()


def test_standardizing_in_slices_gives_what_one_go_gives(tmp_path):
    """A first load of millions of records is standardized a slice at a time (bounded memory): rows are
    standardized one by one, so slices of 300 records give exactly the table, quarantine and issues of one go."""
    from assets.ingest.erp import ORDERS as RAW_ORDERS
    from assets.standardize.staging import build_in_slices, read_current
    from assets.standardize.tables import ORDERS
    from pipelines.generator import generate

    landing = tmp_path / "landing"
    generate(landing, customers=400, seed=23)
    con = wh.connect(tmp_path / "w.duckdb")
    wh.ensure_schemas(con)
    ingest(con, landing, DAY)
    ingest_erp_snapshot(con, RAW_ORDERS, read_erp_table(f"sqlite:///{landing / 'erp.sqlite'}", "orders"), "erp#orders",
                        as_of=DAY)
    for spec, keys in ((CUSTOMER_RECORDS, ["source", "record_id"]), (ORDERS, ["order_id"])):
        inputs = {name: read_current(con, name) for name in spec.raw_tables}
        assert sum(f.height for f in inputs.values()) > 600
        whole, sliced = spec.build(inputs, DAY), build_in_slices(spec, inputs, DAY, rows=300)
        assert sliced.staged.table.sort(keys).equals(whole.staged.table.sort(keys))
        quarantined = ["source", "record_id", "_source_file", "_row_number"]
        assert sliced.staged.quarantined.sort(quarantined).equals(whole.staged.quarantined.sort(quarantined))
        for name, frame in whole.extra_tables.items():
            assert sliced.extra_tables[name].sort(pl.all()).equals(frame.sort(pl.all())), name
    con.close()


def test_a_first_load_out_of_core_stages_what_the_in_memory_build_stages(tmp_path, monkeypatch):
    """Past SLICE_ROWS raw rows a first load takes its raw records from DuckDB a slice at a time and stages
    each slice as it comes: the published tables, quarantine and checks are those of the in-memory build."""
    import assets.standardize.staging as staging
    from assets.ingest.erp import ORDERS as RAW_ORDERS
    from assets.standardize.tables import ORDERS
    from pipelines.generator import generate

    landing = tmp_path / "landing"
    generate(landing, customers=400, seed=23)
    cons = {}
    for mode in ("memory", "slices"):
        con = cons[mode] = wh.connect(tmp_path / f"{mode}.duckdb")
        wh.ensure_schemas(con)
        ingest(con, landing, DAY)
        ingest_erp_snapshot(con, RAW_ORDERS, read_erp_table(f"sqlite:///{landing / 'erp.sqlite'}", "orders"),
                            "erp#orders", as_of=DAY)
    try:
        for spec in (CUSTOMER_RECORDS, ORDERS):
            in_memory = build_staging(cons["memory"], spec, DAY, "run-1")
            monkeypatch.setattr(staging, "SLICE_ROWS", 150)
            sliced = build_staging(cons["slices"], spec, DAY, "run-1")
            monkeypatch.undo()
            assert in_memory.published and sliced.published and in_memory.rows == sliced.rows > 300
            assert in_memory.quarantined == sliced.quarantined and in_memory.standardized == sliced.standardized
            assert [(c.name, c.passed, c.failing_rows) for c in in_memory.checks] == \
                [(c.name, c.passed, c.failing_rows) for c in sliced.checks]
            tables = [r[0] for r in wh.fetch_rows(cons["memory"], "SELECT table_name FROM duckdb_tables() "
                                                                   "WHERE schema_name = 'staging'")]
            for table in tables:
                sql = f"SELECT * FROM staging.{table}"
                a, b = wh.fetch_frame(cons["memory"], sql), wh.fetch_frame(cons["slices"], sql)
                assert a.schema == b.schema, table
                a, b = a.drop("_loaded_at", strict=False), b.drop("_loaded_at", strict=False)  # two loads, two times
                assert a.sort(pl.all()).equals(b.sort(pl.all())), table
            quarantine = ("SELECT source, record_id, reason, record, source_file, row_number FROM quality.quarantine "
                          "ORDER BY ALL")
            assert wh.fetch_frame(cons["memory"], quarantine).equals(wh.fetch_frame(cons["slices"], quarantine))
    finally:
        for con in cons.values():
            con.close()

"""After an erasure, later deliveries do not bring the customer back: the ERP's next snapshot (the
same row, a new row with the same phone, a new order), a new CRM export spelling the email
differently; and a run with another hash key stops rather than letting them back in."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from warehouse_reads import read, tables_holding

DAY, NEXT = "2026-11-20", "2026-11-21"
TRACES = ["13800138000", "wangwei@163.com", "E0001", "E0003", "C000001", "C000009", "11010519491231002X"]


def run(landing, warehouse, day):
    return CliRunner().invoke(main, ["run", "--landing", str(landing), "--warehouse", str(warehouse), "--date", day])


def traces_in_tables(warehouse) -> list[tuple]:
    return tables_holding(warehouse, TRACES)


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    from conftest import CONTACTS_HEADER, write_landing

    root = tmp_path_factory.mktemp("suppression")
    landing, warehouse = write_landing(root / "landing"), root / "w.duckdb"
    assert run(landing, warehouse, DAY).exit_code == 0
    result = CliRunner().invoke(main, ["erase", "--phone", "138 0013 8000", "--warehouse", str(warehouse), "--yes"])
    assert result.exit_code == 0, result.output
    assert traces_in_tables(warehouse) == []
    # the next day: the ERP changed another row, and took a new row and a new order for the same person
    erp = sqlite3.connect(landing / "erp.sqlite")
    erp.execute("UPDATE customers SET updated_at = '2026-11-21' WHERE cust_no = 'E0002'")
    erp.execute("INSERT INTO customers (cust_no, cust_type, name, mobile, email, country, created_at, updated_at) "
                "VALUES ('E0003', 'P', '王伟', '+86 138-0013-8000', NULL, 'CN', '2026-11-21', '2026-11-21')")
    erp.execute("INSERT INTO orders VALUES (3, 'E0001', '2026-11-21 10:00:00', 'paid', 'CNY', 199.0, 'online')")
    erp.commit()
    erp.close()
    (landing / NEXT).mkdir()
    contact = "C000009,王伟,男,,,WangWei@163.COM ,,,广东省,广州,,,,李娜,,,是,2026/11/21 10:00,2026-11-21,2026-11-21"
    other = "C000010,赵敏,女,13912345678,,zhaomin@qq.com,,,,北京,,,,李娜,,,否,2026/11/21 10:00,2026-11-21,2026-11-21"
    (landing / NEXT / "crm_contacts.csv").write_bytes("\n".join([CONTACTS_HEADER, contact, other, ""]).encode("gbk"))
    second = run(landing, warehouse, NEXT)
    return landing, warehouse, second


def test_the_next_deliveries_leave_the_erased_customer_out(erased):
    _, warehouse, second = erased
    assert second.exit_code == 0, second.output
    assert traces_in_tables(warehouse) == []
    ledger = read(warehouse, "SELECT source, sum(suppressed_rows) AS n FROM quality.ingested_files GROUP BY 1")
    contacts = read(warehouse, "SELECT 联系人编号 AS id FROM raw.crm_contacts")
    suppressed = dict(ledger.iter_rows())
    assert suppressed["erp_customers"] == 2  # E0001 as it was, E0003 by its phone
    assert suppressed["erp_orders"] == 2  # orders 1 and 3, booked on E0001
    assert suppressed["crm_contacts"] == 1  # C000009, by its email however spelled
    assert "C000010" in contacts["id"].to_list()  # everyone else still arrives


def test_a_value_shared_with_another_customer_erases_and_suppresses_only_the_erased_one(erased):
    """王伟's CRM record carries his employer's switchboard (020-88888888), which the company's ERP row
    and registry entry hold too: the company keeps its records and its later deliveries."""
    _, warehouse, _ = erased
    xref = read(warehouse, "SELECT source, record_id FROM core.customer_xref")
    phones = read(warehouse, "SELECT phone FROM core.golden_customer WHERE customer_kind = 'company'")
    assert {("erp_customers", "E0002"), ("company_registry", "91350100M000100Y43")} <= set(xref.iter_rows())
    assert "+862088888888" in phones["phone"].to_list()


def test_a_run_with_another_hash_key_stops_in_one_line(erased, tmp_path, monkeypatch):
    landing, warehouse, _ = erased
    work = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse, work)
    monkeypatch.setenv("CRM360_HASH_KEY", "a different key")
    result = run(landing, work, "2026-11-22")
    assert result.exit_code == 1
    assert "quality.erasure_log was written with hash key id" in result.output.replace("\n", "")

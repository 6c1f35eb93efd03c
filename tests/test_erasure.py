"""End to end on generated data: `crm360 erase` by golden id, by email and by phone removes the customer
from every table, export and snapshot (and from the disk's bytes), records it without the data, and a
re-delivery of the same landing files does not bring it back."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.generator import generate
from pipelines.run import run_pipeline
from warehouse_reads import read, tables_holding

DAY, NEXT = date(2026, 11, 1), date(2026, 11, 2)


def customers_to_erase(warehouse: Path) -> list[dict]:
    """Three customers with records in both the ERP and the CRM, an email, a phone and an id number."""
    return read(warehouse, """
        SELECT g.golden_id, g.email, g.phone, any_value(g.id_number) AS id_number,
               list(x.record_id ORDER BY x.record_id) AS record_ids
        FROM core.golden_customer g JOIN core.customer_xref x USING (golden_id)
        WHERE g.email IS NOT NULL AND g.phone IS NOT NULL AND g.id_number IS NOT NULL
        GROUP BY ALL
        HAVING count(DISTINCT x.source) >= 2 AND list_contains(list(x.source), 'crm_contacts')
        ORDER BY g.golden_id LIMIT 3""").to_dicts()


def traces(customer: dict) -> list[str]:
    return [customer["golden_id"], customer["email"], customer["phone"], customer["phone"].lstrip("+"),
            customer["id_number"], *[r for r in customer["record_ids"] if len(r) >= 6]]


def found_in_tables(warehouse: Path, needles: list[str]) -> list[tuple]:
    """Where the needles remain, but for the golden ids the erasure log keeps by design."""
    return [hit for hit in tables_holding(warehouse, needles)
            if not (hit[1] == "erasure_log" and hit[2].startswith("G"))]


def found_in_files(folder: Path, needles: list[str]) -> list[tuple]:
    """Bytes of any file beside the warehouse (exports, snapshots, reports, the DuckDB file itself)."""
    hits = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits += [(str(path.relative_to(folder)), n) for n in needles if n.encode() in data]
    return hits


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    root = tmp_path_factory.mktemp("erasure")
    landing, warehouse = root / "landing", root / "wh" / "warehouse.duckdb"
    generate(landing, customers=300, seed=23, as_of=DAY)
    assert run_pipeline(landing, warehouse, DAY).success
    customers = customers_to_erase(warehouse)
    assert len(customers) == 3
    present = {c["golden_id"]: found_in_tables(warehouse, traces(c)) for c in customers}
    results = [CliRunner().invoke(main, ["erase", option, customer[key], "--warehouse", str(warehouse), "--yes"])
               for (option, key), customer in zip([("--golden-id", "golden_id"), ("--email", "email"),
                                                   ("--phone", "phone")], customers)]
    return landing, warehouse, customers, present, results


def test_each_key_erases_its_customer_and_says_what_it_removed(erased):
    _, _, customers, present, results = erased
    for customer, result in zip(customers, results):
        assert result.exit_code == 0, result.output
        assert f"erased {customer['golden_id']}" in result.output and "raw.crm_contacts" in result.output
        assert len(present[customer["golden_id"]]) > 5  # it was there to begin with


def test_nothing_of_the_customers_is_left_in_any_table(erased):
    _, warehouse, customers, _, _ = erased
    assert found_in_tables(warehouse, [t for c in customers for t in traces(c)]) == []


def test_nothing_is_left_in_any_file_beside_the_warehouse(erased):
    _, warehouse, customers, _, _ = erased
    assert list((warehouse.parent / "backups").glob("*.duckdb")) and (warehouse.parent / "exports").is_dir()
    assert found_in_files(warehouse.parent, [t for c in customers for t in traces(c) if not t.startswith("G")]) == []


def test_the_log_keeps_golden_ids_and_keyed_hashes_never_the_data(erased):
    _, warehouse, customers, _, _ = erased
    log = read(warehouse, "SELECT * FROM quality.erasure_log ORDER BY erased_at")
    assert log["key_kind"].to_list() == ["golden_id", "email", "phone"]
    assert [ids.to_list() for ids in log["golden_ids"]] == [[c["golden_id"]] for c in customers]
    text = json.dumps(log.rows(), default=str, ensure_ascii=False)
    assert not any(c[k] in text for c in customers for k in ("email", "phone", "id_number"))
    assert read(warehouse, "SELECT count(*) AS n FROM quality.suppression")["n"].item() > 10


def test_a_redelivery_and_later_runs_do_not_bring_them_back(erased, tmp_path):
    landing, warehouse, customers, _, _ = erased
    again = tmp_path / "landing"
    shutil.copytree(landing, again)
    (again / NEXT.isoformat()).mkdir()
    # the same rows again in new files (a new hash each): the CRM export in reverse order, the tickets with a
    # trailing newline
    contacts = pl.read_csv(landing / "crm_contacts.csv", encoding="gbk", infer_schema=False)
    (again / NEXT.isoformat() / "crm_contacts.csv").write_bytes(contacts.reverse().write_csv().encode("gbk"))
    (again / NEXT.isoformat() / "service_tickets.jsonl").write_bytes((landing / "service_tickets.jsonl").read_bytes() + b"\n")
    work = tmp_path / "wh" / "warehouse.duckdb"
    shutil.copytree(warehouse.parent, work.parent, symlinks=True)
    summary = run_pipeline(again, work, NEXT)
    assert summary.success, summary.errors
    assert found_in_tables(work, [t for c in customers for t in traces(c)]) == []
    suppressed = read(work, "SELECT source, suppressed_rows FROM quality.ingested_files WHERE suppressed_rows > 0")
    assert {"crm_contacts", "service_tickets"} <= set(suppressed["source"])
    erased_ids = [c["golden_id"] for c in customers]
    assert read(work, "SELECT count(*) AS n FROM core.golden_customer WHERE golden_id IN (SELECT unnest($ids))",
                {"ids": erased_ids})["n"].item() == 0


def test_erasing_someone_unknown_is_one_clear_line(erased):
    _, warehouse, _, _, _ = erased
    result = CliRunner().invoke(main, ["erase", "--email", "nobody@example.com", "--warehouse", str(warehouse), "--yes"])
    assert result.exit_code == 2 and "no customer with email 'nobody@example.com'" in result.output
    both = CliRunner().invoke(main, ["erase", "--email", "a@b.cn", "--phone", "1", "--warehouse", str(warehouse)])
    assert both.exit_code == 2 and "exactly one of" in both.output

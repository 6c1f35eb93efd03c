"""End to end on generated data: each run leaves a checked export set per consumer with its manifest,
masked for BI, consent-filtered for marketing, behind `latest` pointers and exports/latest.duckdb; a set
that fails a check leaves the last good one in place; audit shows who ran and who read."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from assets.exports.build import export_consumer, pointer
from assets.exports.consumers import CONSUMERS, Consumer
from assets.exports.files import read_manifest, read_table, sha256
from pipelines import warehouse as wh
from pipelines.cli import main
from pipelines.generator import generate
from pipelines.run import run_pipeline

DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    landing, warehouse = root / "landing", root / "wh" / "warehouse.duckdb"
    generate(landing, customers=300, seed=11, as_of=DAY)
    summary = run_pipeline(landing, warehouse, DAY)
    assert summary.success, summary.errors
    return warehouse, warehouse.parent / "exports", summary


def personal_values(warehouse) -> dict[str, set[str]]:
    """Every email, phone and id number any customer record or golden customer holds."""
    con = wh.connect(warehouse, read_only=True)
    try:
        found = wh.fetch_frame(con, wh.load_sql("personal_values"))
        staged = wh.fetch_frame(con, "SELECT email, phone, id_number FROM staging.customer_records")
    finally:
        con.close()
    values = {kind: set(found.filter(pl.col("kind") == kind)["value"]) for kind in ("email", "phone", "id_number")}
    for column, kind in (("email", "email"), ("phone", "phone"), ("id_number", "id_number")):
        values[kind] |= set(staged[column].drop_nulls())
    return values


def every_text(frame: pl.DataFrame) -> str:
    return json.dumps(frame.rows(), default=str, ensure_ascii=False)


def test_every_consumer_has_a_set_with_a_manifest_that_matches_its_files(run):
    warehouse, exports, summary = run
    for consumer in CONSUMERS:
        folder = exports / DAY.isoformat() / consumer.name
        manifest = read_manifest(folder)
        assert manifest["run_id"] == summary.run_id and manifest["as_of"] == DAY.isoformat()
        assert manifest["code_version"] and manifest["consumer"] == consumer.name
        assert set(manifest["tables"]) == {t for _, t in consumer.tables}
        for table, entry in manifest["tables"].items():
            (file,) = entry["files"]
            assert sha256(folder / file["file"]) == file["sha256"]
            frame = read_table(folder / file["file"])
            assert frame.height == entry["rows"]
            assert [c["name"] for c in entry["columns"]] == frame.columns
        assert pointer(exports, consumer.name).resolve() == folder.resolve()


def test_bi_files_hold_no_email_phone_or_id_number_of_any_customer(run):
    warehouse, exports, _ = run
    values = personal_values(warehouse)
    assert all(len(v) > 50 for v in values.values())
    for path in sorted((exports / DAY.isoformat() / "bi").glob("*.parquet")):
        text = every_text(read_table(path))
        for kind, known in values.items():
            leaked = [v for v in known if v in text]
            assert not leaked, f"{path.name} holds {kind} values: {leaked[:3]}"
    bi = read_table(exports / DAY.isoformat() / "bi" / "golden_customer.parquet")
    assert bi["email"].drop_nulls().str.len_chars().unique().to_list() == [32]  # keyed hashes
    assert bi["birth_date"].dtype.is_integer()


def test_marketing_holds_exactly_the_customers_whose_latest_statement_is_consent(run):
    warehouse, exports, _ = run
    con = wh.connect(warehouse, read_only=True)
    try:
        consent = wh.fetch_frame(con, wh.load_sql("customer_consent"))
    finally:
        con.close()
    consenting = set(consent.filter(pl.col("marketing_consent"))["golden_id"])
    assert 0 < len(consenting) < consent.height
    folder = exports / DAY.isoformat() / "marketing"
    golden = read_table(folder / "golden_customer.parquet")
    assert set(golden["golden_id"]) == consenting
    assert "id_number" not in golden.columns and golden["email"].drop_nulls().str.contains("@").all()
    for path in folder.glob("*.parquet"):
        assert set(read_table(path)["golden_id"]) <= consenting


def test_latest_duckdb_has_a_view_per_exported_table_and_reads_while_the_warehouse_is_held(run):
    warehouse, exports, _ = run
    writer = wh.connect(warehouse)  # a run holding the warehouse
    try:
        con = duckdb.connect(str(exports / "latest.duckdb"), read_only=True)
        views = {(s, v) for s, v in con.execute("SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert {(c.name, t) for c in CONSUMERS for _, t in c.tables} <= views
        golden = con.execute("SELECT count(*) FROM analyst.golden_customer").fetchall()[0][0]
        vip = con.execute("SELECT count(*) FROM bi.customer_segment WHERE value_tier = 'vip'").fetchall()[0][0]
        con.close()
    finally:
        writer.close()
    assert golden > 200 and vip >= 0


def test_a_set_failing_its_checks_leaves_the_last_good_set_and_pointer(run, tmp_path):
    warehouse, exports, _ = run
    before = pointer(exports, "bi").resolve()
    con = wh.connect(warehouse)
    try:
        # a table with a column of phones that the policy does not know to mask
        wh.execute(con, "CREATE OR REPLACE TABLE marts.leaky AS SELECT golden_id, phone AS contact FROM core.golden_customer")
        leaky = Consumer("bi", "test", (("marts", "leaky"),), {"phone": "hash", "email": "hash"})
        result = export_consumer(con, leaky, exports, date(2026, 11, 2), run_id="test", hash_key=b"k",
                                 encryption_key=None, code_version="test")
        wh.execute(con, "DROP TABLE marts.leaky")
    finally:
        con.close()
    (failed,) = [c for c in result.checks if not c.passed]
    assert failed.name == "no_personal_data" and "leaky.contact holds phone" in failed.metadata["message"]
    assert not result.published and not (exports / "2026-11-02").exists()
    assert pointer(exports, "bi").resolve() == before
    assert not list(exports.glob(".*.tmp"))


def test_audit_shows_the_run_and_export_reads(run, monkeypatch):
    warehouse, exports, summary = run
    monkeypatch.setenv("CRM360_USER", "analyst.li")
    url = CliRunner().invoke(main, ["export-url", "--consumer", "analyst", "--table", "customer_clv",
                                    "--warehouse", str(warehouse)])
    assert url.exit_code == 0, url.output
    assert url.output.strip().endswith("/analyst/customer_clv.parquet") and url.output.startswith("file://")
    audit = CliRunner().invoke(main, ["audit", "--warehouse", str(warehouse), "--json"])
    assert audit.exit_code == 0, audit.output
    logs = json.loads(audit.output)
    (run_row,) = [r for r in logs["runs"] if r["run_id"] == summary.run_id]
    assert run_row["success"] and run_row["checks_passed"] == summary.checks_passed
    assert json.loads(run_row["row_counts"])["core/golden_customer"] > 200
    assert logs["access"][0]["who"] == "analyst.li" and logs["access"][0]["consumer"] == "analyst"
    missing = CliRunner().invoke(main, ["export-url", "--consumer", "nobody", "--warehouse", str(warehouse)])
    assert missing.exit_code == 2 and "no export set for consumer 'nobody'" in missing.output

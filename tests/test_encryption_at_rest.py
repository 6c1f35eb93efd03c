"""With CRM360_ENCRYPTION_KEY set, the warehouse (between runs), its snapshots and the export files are
encrypted: no file beside the warehouse holds a plain customer value; with the key everything opens and
runs again; without it, or with another key, one clear line."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from click.testing import CliRunner

from assets.exports.files import read_table
from pipelines import warehouse as wh
from pipelines.cli import main
from pipelines.crypto import MAGIC, new_key
from pipelines.generator import generate
from pipelines.run import run_pipeline
from pipelines.vault import warehouse_readable

DAY, NEXT = date(2026, 11, 1), date(2026, 11, 2)
KEY = new_key()


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    root = tmp_path_factory.mktemp("sealed")
    landing, warehouse = root / "landing", root / "wh" / "warehouse.duckdb"
    generate(landing, customers=200, seed=41, as_of=DAY)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CRM360_ENCRYPTION_KEY", KEY)
        summary = run_pipeline(landing, warehouse, DAY)
        assert summary.success, summary.errors
        with warehouse_readable(warehouse) as plain:
            con = wh.connect(plain, read_only=True)
            try:
                values = wh.fetch_frame(con, "SELECT email, phone, id_number, full_name FROM staging.customer_records")
            finally:
                con.close()
    secrets = [v for column in values.columns for v in values[column].drop_nulls().unique() if len(v) >= 6]
    return landing, warehouse, summary, secrets


def test_the_warehouse_snapshots_and_exports_are_encrypted(sealed):
    _, warehouse, summary, _ = sealed
    folder = warehouse.parent
    exported = sorted(p for p in (folder / "exports").rglob("*") if p.is_file() and p.suffix == ".enc")
    assert len(exported) >= 20
    for path in [warehouse, summary.snapshot, *exported]:
        assert path.read_bytes().startswith(MAGIC), path
    assert not (folder / "warehouse.duckdb.hashkey").exists()  # the hash key derives from the encryption key
    assert not (folder / "warehouse.gx_docs").exists()  # Data Docs quote values: not written unencrypted


def test_no_file_beside_the_warehouse_holds_a_plain_customer_value(sealed):
    _, warehouse, _, secrets = sealed
    assert len(secrets) > 300
    for path in warehouse.parent.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            leaked = [s for s in secrets if s.encode() in data]
            assert not leaked, f"{path.name}: {leaked[:3]}"


def test_with_the_key_everything_opens_and_a_second_run_works(sealed, monkeypatch, tmp_path):
    landing, warehouse, _, secrets = sealed
    monkeypatch.setenv("CRM360_ENCRYPTION_KEY", KEY)
    assert CliRunner().invoke(main, ["quality", "--warehouse", str(warehouse)]).exit_code == 0
    url = CliRunner().invoke(main, ["export-url", "--consumer", "analyst", "--table", "golden_customer",
                                    "--warehouse", str(warehouse), "--to", str(tmp_path / "plain")])
    assert url.exit_code == 0, url.output
    golden = pl.read_parquet(tmp_path / "plain" / "golden_customer.parquet")
    assert golden.height > 150 and golden["email"].drop_nulls().str.contains("@").all()
    again = run_pipeline(landing, warehouse, NEXT)
    assert again.success, again.errors
    assert warehouse.read_bytes().startswith(MAGIC)
    assert len(list((warehouse.parent / "exports" / NEXT.isoformat() / "bi").glob("*.parquet.enc"))) >= 8
    email = golden["email"].drop_nulls()[0]
    erased = CliRunner().invoke(main, ["erase", "--email", email, "--warehouse", str(warehouse), "--yes"])
    assert erased.exit_code == 0, erased.output
    assert warehouse.read_bytes().startswith(MAGIC)
    with warehouse_readable(warehouse) as plain:
        assert email.encode() not in plain.read_bytes()


def test_without_the_key_or_with_another_one_line(sealed, monkeypatch):
    _, warehouse, _, _ = sealed
    monkeypatch.delenv("CRM360_ENCRYPTION_KEY", raising=False)
    missing = CliRunner().invoke(main, ["quality", "--warehouse", str(warehouse)])
    assert missing.exit_code == 2
    assert f"{warehouse} is encrypted: set CRM360_ENCRYPTION_KEY to open it" in missing.output.replace("\n", "")
    monkeypatch.setenv("CRM360_ENCRYPTION_KEY", new_key())
    wrong = CliRunner().invoke(main, ["audit", "--warehouse", str(warehouse)])
    assert wrong.exit_code == 2 and "was encrypted with another key" in wrong.output.replace("\n", "")
    bi = next((warehouse.parent / "exports" / "latest" / "bi").glob("*.enc"))
    with pytest.raises(Exception, match="encrypted with another key"):
        read_table(bi, b"\0" * 32)


def test_after_a_daemon_run_the_sensors_seal_the_warehouse_once_no_run_is_left(tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.sensors import seal_when_idle

    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    wh.ensure_schemas(con)
    con.close()
    with dg.DagsterInstance.ephemeral() as instance:
        monkeypatch.delenv("CRM360_ENCRYPTION_KEY", raising=False)
        assert seal_when_idle(instance, str(path)).startswith("nothing to seal")
        monkeypatch.setenv("CRM360_ENCRYPTION_KEY", KEY)
        assert seal_when_idle(instance, str(path)) == "sealed" and path.read_bytes().startswith(MAGIC)
        assert seal_when_idle(instance, str(path)).startswith("nothing to seal")

"""Each successful run leaves a snapshot of the warehouse, a configured number are kept, and
`crm360 restore --date D` brings one back exactly, after confirmation."""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines import warehouse as wh
from pipelines.backups import snapshots
from pipelines.cli import main
from pipelines.generator import generate
from pipelines.run import run_pipeline

DAYS = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]


def every_table(path) -> dict[str, pl.DataFrame]:
    con = wh.connect(path, read_only=True)
    try:
        return {f"{s}.{t}": wh.fetch_frame(con, f"SELECT * FROM {wh.quote_ident(s)}.{wh.quote_ident(t)}")
                for s, t, _ in wh.fetch_rows(con, wh.load_sql("base_tables"))}
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("backups")
    landing, warehouse = root / "landing", root / "wh" / "warehouse.duckdb"
    generate(landing, customers=150, seed=31, as_of=DAYS[0])
    copies = []
    for day in DAYS:
        summary = run_pipeline(landing, warehouse, day, backup_keep=2)
        assert summary.success and summary.snapshot is not None, summary.errors
        copies.append(root / f"after-{day}.duckdb")
        shutil.copyfile(warehouse, copies[-1])
    return warehouse, copies


def test_snapshots_are_kept_for_the_configured_number_of_runs(runs):
    warehouse, _ = runs
    kept = snapshots(warehouse)
    assert [s.partition for s in kept] == DAYS[1:]
    log = every_table(warehouse)["quality.run_log"]
    assert log.height == 3 and log["success"].all() and log["snapshot"].str.contains(DAYS[-1].isoformat()).any()


def test_restore_after_confirmation_brings_back_every_table_exactly(runs):
    warehouse, copies = runs
    declined = CliRunner().invoke(main, ["restore", "--date", DAYS[1].isoformat(), "--warehouse", str(warehouse)],
                                  input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert warehouse.read_bytes() == copies[2].read_bytes()
    result = CliRunner().invoke(main, ["restore", "--date", DAYS[1].isoformat(), "--warehouse", str(warehouse)],
                                input="y\n")
    assert result.exit_code == 0, result.output
    assert "before-restore" in result.output
    restored, original = every_table(warehouse), every_table(copies[1])
    assert restored.keys() == original.keys() and len(restored) > 30
    for name, frame in original.items():
        assert restored[name].equals(frame), name
    assert every_table(warehouse.with_name(warehouse.name + ".before-restore"))["quality.run_log"].height == 3


def test_restoring_a_date_without_a_snapshot_is_one_clear_line(runs):
    warehouse, _ = runs
    result = CliRunner().invoke(main, ["restore", "--date", DAYS[0].isoformat(), "--warehouse", str(warehouse), "--yes"])
    assert result.exit_code == 2
    assert f"no snapshot of warehouse.duckdb for {DAYS[0]}; kept: {DAYS[1]}, {DAYS[2]}" in result.output


def test_an_erasure_after_a_restore_reaches_every_snapshot_and_the_file_set_aside(runs):
    warehouse, _ = runs
    golden = every_table(warehouse)["core.golden_customer"]
    email = golden.filter(pl.col("email").is_not_null())["email"][0]
    result = CliRunner().invoke(main, ["erase", "--email", email, "--warehouse", str(warehouse), "--yes"])
    assert result.exit_code == 0, result.output
    aside = warehouse.with_name(warehouse.name + ".before-restore")
    for path in [warehouse, aside, *(s.path for s in snapshots(warehouse))]:
        assert email.encode() not in path.read_bytes(), path.name
        assert every_table(path)["quality.erasure_log"].height == 1, path.name

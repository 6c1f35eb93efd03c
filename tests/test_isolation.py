"""The tests run against an instance and warehouses of their own, never the user's."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from click.testing import CliRunner

from conftest import ROOT, USER_STATE, state_fingerprint
from pipelines.cli import main


def test_dagster_home_is_not_the_checkouts():
    home = Path(os.environ["DAGSTER_HOME"])
    assert home.resolve() != (ROOT / ".dagster").resolve() and (home / "dagster.yaml").is_file()
    assert ROOT not in home.resolve().parents


def test_a_run_is_recorded_in_the_tests_instance(landing, tmp_path):
    before = state_fingerprint()
    result = CliRunner().invoke(main, ["run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"),
                                       "--date", "2026-11-20"])
    assert result.exit_code == 0, result.output
    with dg.DagsterInstance.get() as instance:
        assert Path(instance.root_directory).resolve() == Path(os.environ["DAGSTER_HOME"]).resolve()
        assert instance.get_runs_count() >= 1
    assert state_fingerprint() == before


def test_the_fingerprint_sees_a_changed_file(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "a").write_text("1")
    before = state_fingerprint((tmp_path,))
    (tmp_path / "runs" / "a").write_text("12")
    assert state_fingerprint((tmp_path,)) != before
    assert state_fingerprint((tmp_path / "absent",)) == state_fingerprint((tmp_path / "also_absent",))
    assert USER_STATE[0].name == ".dagster"

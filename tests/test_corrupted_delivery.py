"""End to end on generated data: a corrupted delivery stops the run with one line naming the source
and column, leaves core and marts exactly as the last good run left them, and on-call finds it in
`crm360 quality`, the HTML report and Dagster's check results."""

from __future__ import annotations

import json

import dagster as dg
import polars as pl
import pytest
from click.testing import CliRunner

from pipelines import warehouse as wh
from pipelines.cli import main
from pipelines.generator import generate

GOOD_DAY, BAD_DAY = "2026-11-01", "2026-11-02"


def layer_tables(path) -> dict[str, pl.DataFrame]:
    con = wh.connect(path, read_only=True)
    try:
        names = wh.fetch_rows(con, "SELECT schema_name, table_name FROM duckdb_tables() "
                                   "WHERE schema_name IN ('core', 'marts') ORDER BY 1, 2")
        return {f"{s}.{t}": wh.fetch_frame(con, f"SELECT * FROM {s}.{wh.quote_ident(t)}") for s, t in names}
    finally:
        con.close()


def corrupt(landing) -> None:
    """The CRM's next export: 20 ids repeated, half its phones garbage, and no 邮箱 (email) column."""
    contacts = pl.read_csv(landing / "crm_contacts.csv", encoding="gbk", infer_schema=False)
    bad = pl.concat([contacts, contacts.head(20)]).with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("n/a - call back")).otherwise(pl.col("手机")).alias("手机")
    ).drop("邮箱")
    (landing / BAD_DAY).mkdir()
    (landing / BAD_DAY / "crm_contacts.csv").write_bytes(bad.write_csv().encode("gbk"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("corrupted")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate(landing, customers=300, seed=7)
    run = ["run", "--landing", str(landing), "--warehouse", str(warehouse)]
    good = CliRunner().invoke(main, [*run, "--date", GOOD_DAY])
    before = layer_tables(warehouse)
    corrupt(landing)
    bad = CliRunner().invoke(main, [*run, "--date", BAD_DAY])
    with dg.DagsterInstance.get() as instance:  # the tests' own instance (tests/conftest.py)
        (bad_run,) = instance.get_runs(limit=1)
        records = instance.get_records_for_run(bad_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    checks = {(e.asset_key.to_user_string(), e.check_name): e
              for e in (r.event_log_entry.dagster_event.event_specific_data for r in records)}
    return warehouse, good, before, bad, checks


def test_the_run_fails_with_one_line_naming_source_and_column(runs):
    _, good, _, bad, _ = runs
    assert good.exit_code == 0, good.output
    assert bad.exit_code == 1
    errors = [line for line in bad.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "raw.crm_contacts not published" in errors[0] and "column '邮箱' missing" in errors[0]
    assert f"{BAD_DAY}/crm_contacts.csv" in errors[0]


def test_core_and_marts_are_the_last_good_runs(runs):
    warehouse, _, before, _, _ = runs
    after = layer_tables(warehouse)
    assert set(after) == set(before) and len(before) >= 10
    for name, frame in before.items():
        assert after[name].equals(frame), name


def test_crm360_quality_shows_the_failure_with_its_file(runs):
    warehouse, *_ = runs
    result = CliRunner().invoke(main, ["quality", "--warehouse", str(warehouse), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    failed = {(f["asset"], f["check"]): f for f in report["failures"]}
    drift = failed[("raw.crm_contacts", "schema_drift")]
    assert drift["severity"] == "error"
    assert drift["sample"] == [{"source_file": f"{BAD_DAY}/crm_contacts.csv", "expected_column": "邮箱", "arrived": None,
                                "change": "missing"}]
    assert failed[("raw.crm_contacts", "record_id_unique")]["failing_rows"] == 40  # 20 ids, twice each


def test_the_html_report_and_dagsters_check_results_show_it(runs):
    warehouse, *_, checks = runs
    page = (warehouse.parent / "warehouse.quality.html").read_text(encoding="utf-8")
    failures = page[page.index("<h2>Failures</h2>"):page.index("<h2>raw</h2>")]
    assert "schema_drift" in failures and "column &#x27;邮箱&#x27; missing" in failures
    drift = checks[("raw/crm_contacts", "schema_drift")]
    assert not drift.passed and drift.severity == dg.AssetCheckSeverity.ERROR
    assert "邮箱" in drift.metadata["message"].value

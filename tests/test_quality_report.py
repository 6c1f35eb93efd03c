"""`crm360 quality` and the history behind it: failures first, since when, one check over runs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import polars as pl
import pytest
from click.testing import CliRunner

from pipelines import warehouse as wh
from pipelines.cli import main
from quality.history import check_history, run_report, trend_line
from quality.report_html import render, trend_svg

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)


def row(run: int, asset: str, check: str, passed: bool, failing: int = 0, severity: str | None = "warn",
        blocking: bool = False, sample: list | None = None) -> dict:
    return {"run_id": f"run-{run:03d}", "asset": asset, "check_name": check, "passed": passed, "blocking": blocking,
            "failing_rows": failing, "description": f"{check} on {asset}", "sample": json.dumps(sample or []),
            "checked_at": T0 + timedelta(days=run), "severity": severity}


def results(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema_overrides={"checked_at": pl.Datetime("us", "UTC")})


HISTORY = results([
    row(1, "raw.crm", "record_id_unique", True), row(1, "staging.customer_records", "schema_valid", True, severity="error"),
    row(2, "raw.crm", "record_id_unique", False, 4), row(2, "staging.customer_records", "schema_valid", True, severity="error"),
    row(3, "raw.crm", "record_id_unique", False, 9), row(3, "staging.customer_records", "schema_valid", False, 2,
                                                         severity="error", sample=[{"_source_file": "a.csv", "_row_number": 7}]),
    row(3, "raw.erp", "record_id_unique", True),
])


def test_the_latest_run_lists_errors_then_warnings_then_passes_with_since_when():
    report = run_report(HISTORY)
    assert report.run_id == "run-003" and report.errors == 1 and report.previous_runs == 2
    got = report.checks.select("asset", "check_name", "passed", "failing_runs").rows()
    assert got == [("staging.customer_records", "schema_valid", False, 1), ("raw.crm", "record_id_unique", False, 2),
                   ("raw.erp", "record_id_unique", True, 0)]
    since = dict(zip(report.failures["asset"], report.failures["failing_since"]))
    assert since == {"staging.customer_records": T0 + timedelta(days=3), "raw.crm": T0 + timedelta(days=2)}


def test_an_earlier_run_by_its_first_characters_and_a_streak_broken_by_a_pass():
    flaky = results([row(1, "a", "c", False, 1), row(2, "a", "c", True), row(3, "a", "c", False, 1)])
    assert run_report(flaky).failures["failing_since"].to_list() == [T0 + timedelta(days=3)]
    report = run_report(HISTORY, "run-002")
    assert report.run_id == "run-002" and report.errors == 0 and report.failures.height == 1
    with pytest.raises(LookupError, match="ambiguous"):
        run_report(HISTORY, "run-00")
    with pytest.raises(LookupError, match="not found"):
        run_report(HISTORY, "nope")


def test_rows_recorded_before_severities_take_it_from_blocking():
    old = results([row(1, "a", "c", False, 1, severity=None, blocking=True), row(1, "a", "d", False, 1, severity=None)])
    assert dict(run_report(old).failures.select("check_name", "severity").rows()) == {"c": "error", "d": "warn"}
    assert run_report(old.drop("severity")).errors == 1


def test_one_checks_history_by_name_or_by_asset():
    assert check_history(HISTORY, "record_id_unique").height == 4
    picked = check_history(HISTORY, "raw.crm.record_id_unique")
    assert picked["failing_rows"].to_list() == [0, 4, 9] and picked["passed"].to_list() == [True, False, False]
    with pytest.raises(LookupError, match="checks: record_id_unique, schema_valid"):
        check_history(HISTORY, "record_id_uniq")


@pytest.mark.parametrize(("counts", "passed", "line"), [
    ([0, 4, 9], [True, False, False], "✓▄█"),
    ([0, 0], [True, True], "✓✓"),
    ([None, 3], [False, False], "▁█"),
])
def test_trend_line(counts, passed, line):
    assert trend_line(counts, passed) == line


# ---------------------------------------------------------------- the command


@pytest.fixture
def recorded(tmp_path):
    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    wh.ensure_schemas(con)
    for r in HISTORY.iter_rows(named=True):
        wh.record_check_result(con, run_id=r["run_id"], asset=r["asset"], check_name=r["check_name"], passed=r["passed"],
                               blocking=r["severity"] == "error", failing_rows=r["failing_rows"],
                               description=r["description"], sample=json.loads(r["sample"]), severity=r["severity"])
    con.close()
    return path


def quality(*args: str):
    return CliRunner().invoke(main, ["quality", *args], catch_exceptions=False, env={"COLUMNS": "200"})


def test_quality_exits_1_on_an_error_and_names_the_failing_rows_file_and_row(recorded):
    result = quality("--warehouse", str(recorded))
    assert result.exit_code == 1
    assert "schema_valid" in result.output and "a.csv:7" in result.output and "record_id_unique" in result.output
    assert result.output.index("schema_valid") < result.output.index("record_id_unique")


def test_quality_json_and_an_earlier_run_without_errors(recorded):
    result = quality("--warehouse", str(recorded), "--json", "--run", "run-002")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["run_id"] == "run-002" and data["errors"] == 0 and data["warnings"] == 1
    assert [(f["asset"], f["check"], f["failing_rows"]) for f in data["failures"]] == [("raw.crm", "record_id_unique", 4)]


def test_quality_check_history_shows_its_trend(recorded):
    result = quality("--warehouse", str(recorded), "--check", "raw.crm.record_id_unique")
    assert "✓▄█" in result.output and result.exit_code == 1
    data = json.loads(quality("--warehouse", str(recorded), "--check", "record_id_unique", "--json").output)
    assert len(data["history"]) == 4


def test_quality_says_in_one_line_what_it_cannot_answer(recorded, tmp_path):
    missing = quality("--warehouse", str(tmp_path / "none.duckdb"))
    assert missing.exit_code == 2 and "not found" in missing.output
    unknown = quality("--warehouse", str(recorded), "--check", "nope")
    assert unknown.exit_code == 2 and "no check named 'nope'" in unknown.output
    writer = wh.connect(recorded)  # a run holding the file
    try:
        held = quality("--warehouse", str(recorded))
    finally:
        writer.close()
    assert held.exit_code == 2 and "held by a running job" in held.output


def test_quality_on_a_warehouse_with_no_checks_yet(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    wh.ensure_schemas(con)
    con.close()
    result = quality("--warehouse", str(tmp_path / "w.duckdb"))
    assert result.exit_code == 0 and "no check results yet" in result.output


# ---------------------------------------------------------------- the HTML report

def test_the_html_report_is_self_contained_and_puts_failures_first():
    page = render(HISTORY.with_columns(pl.lit('{"message": "a.csv: column \'x\' <missing>"}').alias("metadata")), "w.duckdb")
    assert page.startswith("<!doctype html>") and "<script" not in page and "http" not in page
    assert page.index("<h2>Failures</h2>") < page.index("<h2>raw</h2>") < page.index("<h2>staging</h2>")
    failures = page[page.index("<h2>Failures</h2>"):page.index("<h2>raw</h2>")]
    assert "schema_valid" in failures and "record_id_unique" in failures and "raw.erp" not in failures
    assert "column &#x27;x&#x27; &lt;missing&gt;" in failures  # the finding, escaped
    assert "&quot;_source_file&quot;: &quot;a.csv&quot;" in failures  # its sample rows
    assert failures.count("<svg") == 2 and "1 error" in page and "1 warn" in page and "1 passed" in page


def test_trend_svg_marks_each_run():
    svg = trend_svg([0, 4, 9], [True, False, False])
    assert svg.count("<circle") == 3 and svg.count("#cf222e") == 2 and svg.count("#1a7f37") == 1
    assert trend_svg([], []) == ""


def test_an_empty_warehouse_gets_a_page_that_says_so():
    assert "No checks recorded yet" in render(pl.DataFrame(), "w.duckdb")

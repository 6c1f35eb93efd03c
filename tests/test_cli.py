"""`crm360 run` through the same definitions as the UI: summary, exit codes, one-line errors."""

from __future__ import annotations

from datetime import date

import polars as pl
from click.testing import CliRunner

import quality.raw_checks as raw_checks
from pipelines import warehouse as wh
from pipelines.cli import main
from pipelines.run import run_pipeline
from quality.results import CheckOutcome

DAY = "2026-11-20"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def snapshot(warehouse_file, schema: str = "raw") -> dict[str, pl.DataFrame]:
    con = wh.connect(warehouse_file, read_only=True)
    try:
        tables = wh.fetch_rows(con, "SELECT table_name FROM duckdb_tables() WHERE schema_name = $s ORDER BY 1", {"s": schema})
        frames = {t: wh.fetch_frame(con, f"SELECT * FROM {schema}.{wh.quote_ident(t)}") for (t,) in tables}
        return {t: f.drop("_loaded_at", strict=False).sort(pl.all()) for t, f in frames.items()}
    finally:
        con.close()


def test_run_builds_raw_layer_and_rerun_changes_nothing(landing, warehouse_file):
    first = invoke("run", "--landing", str(landing), "--warehouse", str(warehouse_file), "--date", DAY)
    assert first.exit_code == 0, first.output
    # 9 raw assets x 9 checks (Dagster's freshness check among them), 7 staging assets x 4 checks, 8 core checks,
    # 13 mart checks + 4 mart volume checks + 4 GX suites, 1 health check, 6 export checks (analyst 1, bi 2,
    # marketing 3); a handful of customers is too few to fit the CLV spend model or train the churn model, which
    # only warns
    assert "succeeded" in first.output and "142 passed, 3 failed" in first.output
    warnings = {line.split()[-1] for line in first.output.splitlines() if line.strip().startswith("warning")}
    assert warnings == {"churn_model_trained", "churn_model_beats_baselines", "clv_models_fitted"}
    assert "core/golden_customer" in first.output
    assert "raw/crm_contacts" in first.output
    tables = snapshot(warehouse_file)
    assert {t: f.height for t, f in tables.items()} == {
        "campaign_events": 3, "company_registry": 1, "crm_contacts": 3, "erp_customers": 2, "erp_order_items": 3,
        "erp_orders": 2, "erp_products": 2, "service_tickets": 2, "surveys": 2}
    staged = snapshot(warehouse_file, "staging")
    assert staged["customer_records"].height == 8  # 2 ERP + 3 contacts + 2 tickets + 1 registry, all usable
    core = {t: f.drop("run_id", "recorded_at", strict=False) for t, f in snapshot(warehouse_file, "core").items()}
    assert core["customer_xref"].height == 8
    second = invoke("run", "--landing", str(landing), "--warehouse", str(warehouse_file), "--date", DAY)
    assert second.exit_code == 0
    assert all(snapshot(warehouse_file)[t].equals(f) for t, f in tables.items())
    assert all(snapshot(warehouse_file, "staging")[t].equals(f) for t, f in staged.items())
    again = snapshot(warehouse_file, "core")
    assert all(again[t].drop("run_id", "recorded_at", strict=False).equals(f) for t, f in core.items())  # history too: no new events


def test_bad_file_fails_run_with_one_line_naming_file_and_row(landing, warehouse_file):
    (landing / "surveys.csv").write_text("response_id,respondent_email,respondent_phone,survey_date,csat,nps\nS1,a@b.c,1,2024-01-01,5\n")
    result = CliRunner().invoke(main, ["run", "--landing", str(landing), "--warehouse", str(warehouse_file), "--date", DAY])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == ["error: raw__surveys: raw.surveys not published: check failed with severity error: files_readable: "
                      "surveys.csv, row 1, column 'nps': has 5 fields where the header has 6; the last good table is "
                      "unchanged."]
    assert "Traceback" not in result.output
    assert "raw/crm_contacts" in result.output  # the other sources still loaded


def test_missing_landing_folder_says_how_to_make_one(tmp_path):
    result = CliRunner().invoke(main, ["run", "--landing", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "landing folder" in result.output and "crm360 generate --out" in result.output


def test_blocking_check_failure_stops_run_and_keeps_last_good_table(landing, warehouse_file, monkeypatch):
    assert run_pipeline(landing, warehouse_file, date(2026, 11, 20), ephemeral_instance=True).success
    before = snapshot(warehouse_file)
    text = (landing / "crm_contacts.csv").read_bytes().decode("gbk").replace("C000001", "C000099")
    (landing / "crm_contacts.csv").write_bytes(text.encode("gbk"))

    def lost_rows(rows_read: int, rows_staged: int) -> CheckOutcome:
        return CheckOutcome("rows_reconcile", False, True, "forced", failing_rows=1)

    monkeypatch.setattr(raw_checks, "rows_reconcile", lost_rows)
    summary = run_pipeline(landing, warehouse_file, date(2026, 11, 21), ephemeral_instance=True)
    assert not summary.success
    assert ("raw/crm_contacts", "rows_reconcile", True) in summary.checks_failed
    assert any("raw.crm_contacts not published" in message for _, message in summary.errors)
    assert snapshot(warehouse_file)["crm_contacts"].equals(before["crm_contacts"])
    con = wh.connect(warehouse_file, read_only=True)
    try:
        failed = wh.fetch_rows(con, "SELECT asset, check_name, failing_rows FROM quality.check_results WHERE NOT passed")
    finally:
        con.close()
    assert ("raw.crm_contacts", "rows_reconcile", 1) in failed

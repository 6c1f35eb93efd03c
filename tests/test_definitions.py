"""The code location loads, and every asset documents itself and shares the warehouse pool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipelines.config import WAREHOUSE_POOL
from pipelines.definitions import build_definitions, defs
from pipelines.jobs import DAILY_JOB_NAME
from pipelines.sensors import landing_fingerprint, landing_sensor

ROOT = Path(__file__).resolve().parent.parent
RAW_TABLES = {"erp_customers", "erp_products", "erp_orders", "erp_order_items", "crm_contacts",
              "service_tickets", "surveys", "campaign_events", "company_registry"}


STAGING_TABLES = {"customer_records", "orders", "order_items", "products", "service_tickets", "survey_responses",
                  "campaign_events"}
CORE_TABLES = {"match_pairs", "customer_xref", "golden_customer", "golden_id_history", "household"}
EXPORTS = {"analyst", "bi", "marketing", "dashboard"}
MART_TABLES = {"customer_segment", "customer_clv", "clv_diagnostics", "clv_calibration", "customer_churn_risk",
               "churn_model_card", "customer_satisfaction", "satisfaction_by_segment_month", "customer_360"}


def test_every_table_has_a_documented_asset_in_its_layer_and_the_warehouse_pool():
    graph = defs.resolve_asset_graph()
    keys = {(key.path[0], key.path[-1]) for key in graph.get_all_asset_keys()}
    assert keys == ({("raw", t) for t in RAW_TABLES} | {("staging", t) for t in STAGING_TABLES}
                    | {("core", t) for t in CORE_TABLES} | {("marts", t) for t in MART_TABLES}
                    | {("quality", "customer_data_health"), ("quality", "data_health_by_owner")}
                    | {("exports", c) for c in EXPORTS})
    for assets_def in defs.resolve_all_asset_specs():
        layer, table = assets_def.key.path
        assert assets_def.description, assets_def.key
        assert assets_def.group_name == layer
        if layer == "exports":  # files, not tables: a folder per consumer, and the dashboard page
            continue
        assert assets_def.metadata["dagster/table_name"] == f"{layer}.{table}"
        if assets_def.key.path[-1] == "customer_360":  # a view: its columns are documented on the marts it joins
            continue
        columns = assets_def.metadata["dagster/column_schema"].columns
        assert len(columns) >= 4 and all(c.description for c in columns), assets_def.key  # core.household has four
    for node in defs.resolve_job_def(DAILY_JOB_NAME).graph.node_defs:
        if "warehouse" in node.required_resource_keys:  # Dagster's freshness checks read only its event log
            assert node.pool == WAREHOUSE_POOL, node.name
        else:
            assert node.name.startswith("freshness_check"), node.name


def test_every_asset_carries_blocking_reconciliation_and_staging_a_blocking_schema():
    checks = {(spec.asset_key.path[0], spec.asset_key.path[-1], spec.name): spec for a in defs.assets for spec in a.check_specs}
    raw = {k: v for k, v in checks.items() if k[0] == "raw"}
    staging = {k: v for k, v in checks.items() if k[0] == "staging"}
    assert {name for *_, name in raw} == {"files_readable", "schema_drift", "rows_reconcile", "record_id_present",
                                          "record_id_unique", "columns_stable", "row_count_change", "source_freshness"}
    assert all(spec.blocking == (name in ("files_readable", "schema_drift", "rows_reconcile"))
               for (*_, name), spec in raw.items())
    assert len(raw) == 8 * len(RAW_TABLES) and len(staging) == 4 * len(STAGING_TABLES)
    assert all(spec.blocking == (name in ("schema_valid", "rows_reconcile")) for (*_, name), spec in staging.items())


def test_core_checks_sit_on_the_tables_they_check():
    checks = {(spec.asset_key.path[-1], spec.name): spec.blocking for a in defs.assets for spec in a.check_specs
              if spec.asset_key.path[0] == "core"}
    assert checks == {("customer_xref", "xref_complete"): True, ("customer_xref", "cluster_size"): False,
                      ("golden_customer", "golden_has_members"): True, ("golden_customer", "golden_single_id"): True,
                      ("golden_customer", "golden_ids_unique"): True, ("golden_customer", "row_count_drop"): True,
                      ("golden_customer", "gx_golden_customer"): True, ("match_pairs", "match_rate"): False}


def test_core_is_built_from_staged_customer_records_in_the_daily_job():
    graph = defs.resolve_asset_graph()
    for table in CORE_TABLES:
        assert graph.get(dg.AssetKey(["core", table])).parent_keys == {dg.AssetKey(["staging", "customer_records"])}
    assert "core_tables" in {node.name for node in defs.resolve_job_def(DAILY_JOB_NAME).graph.node_defs}


def test_staging_depends_on_the_raw_tables_it_reads():
    graph = defs.resolve_asset_graph()
    parents = {k.path[-1] for k in graph.get(dg.AssetKey(["staging", "customer_records"])).parent_keys}
    assert parents == {"erp_customers", "crm_contacts", "service_tickets", "company_registry"}


def test_daily_job_is_partitioned_and_scheduled():
    job = defs.resolve_job_def(DAILY_JOB_NAME)
    assert isinstance(job.partitions_def, dg.DailyPartitionsDefinition)
    schedule = defs.resolve_schedule_def(f"{DAILY_JOB_NAME}_schedule")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.job_name == DAILY_JOB_NAME


def test_landing_sensor_requests_a_run_only_when_something_lands(landing, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    resources = {"landing": build_definitions(landing, tmp_path / "w.duckdb").resources["landing"]}
    context = dg.build_sensor_context(instance=instance, resources=resources)
    first = landing_sensor(context)
    assert isinstance(first, dg.RunRequest) and first.partition_key
    context = dg.build_sensor_context(instance=instance, resources=resources, cursor=landing_fingerprint(landing))
    assert isinstance(landing_sensor(context), dg.SkipReason)
    (landing / "2026-11-21").mkdir()
    (landing / "2026-11-21" / "surveys.csv").write_text("response_id\n")
    assert isinstance(landing_sensor(context), dg.RunRequest)


def test_truth_folder_does_not_trigger_runs(landing):
    before = landing_fingerprint(landing)
    (landing / "truth").mkdir()
    (landing / "truth" / "records.parquet").write_bytes(b"x")
    assert landing_fingerprint(landing) == before


def test_dagster_validates_the_workspace(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "DAGSTER_HOME": str(home)}, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_loading_the_definitions_leaves_the_heavy_libraries_for_when_they_are_used():
    """Every run and command loads the definitions: libraries only some steps need are imported by them."""
    code = ("import sys, pipelines.definitions; "
            "print(sorted(m for m in ('altair', 'pypinyin', 'scipy.optimize', 'vl_convert') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent).stdout.strip()
    assert loaded == "[]"

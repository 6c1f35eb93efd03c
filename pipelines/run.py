"""Materialize the daily job in-process, through the same Definitions as the UI, and summarize it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines import warehouse as wh
from pipelines.definitions import build_definitions
from pipelines.jobs import DAILY_JOB_NAME
from pipelines.quality_report import write_quality_report


@dataclass
class AssetSummary:
    asset: str
    rows: int | None = None
    rows_added: int | None = None
    new_files: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    run_id: str
    partition: str
    success: bool
    assets: list[AssetSummary]
    checks_passed: int
    checks_failed: list[tuple[str, str, bool]]  # (asset, check, severity is error)
    errors: list[tuple[str, str]]  # (step, one-line message)
    skipped_steps: list[str]
    report: Path | None = None  # the HTML quality report of this run
    report_error: str | None = None  # why it could not be written


def _innermost_message(error) -> str:
    while error is not None and error.cause is not None:
        error = error.cause
    return (error.message if error else "unknown error").strip().splitlines()[0]


def _failure_message(event: dg.DagsterEvent) -> str:
    data = event.event_specific_data
    if getattr(data, "user_failure_data", None) and data.user_failure_data.description:
        return data.user_failure_data.description
    message = _innermost_message(data.error)
    # Strip the exception class prefix that SerializableErrorInfo adds ("pkg.Error: ...").
    head, _, rest = message.partition(": ")
    return rest if rest and "." in head and " " not in head else message


def _instance(ephemeral: bool) -> dg.DagsterInstance:
    import os

    if ephemeral or not os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.ephemeral()
    return dg.DagsterInstance.get()


def run_pipeline(landing: Path, warehouse: Path, run_date: date, erp_url: str | None = None,
                 log_level: str = "WARNING", ephemeral_instance: bool = False) -> RunSummary:
    """Run the daily job for ``run_date``; never raises for a failed step, the summary says what failed."""
    con = wh.connect(warehouse)
    try:
        wh.ensure_schemas(con)
        wh.drop_leftover_scratch(con)
    finally:
        con.close()
    defs = build_definitions(landing, warehouse, erp_url)
    job = defs.resolve_job_def(DAILY_JOB_NAME)
    result = job.execute_in_process(
        partition_key=run_date.isoformat(),
        instance=_instance(ephemeral_instance),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    assets: dict[str, AssetSummary] = {}
    for materialization in result.get_asset_materialization_events():
        mat = materialization.event_specific_data.materialization
        meta = {k: v.value for k, v in mat.metadata.items()}
        name = mat.asset_key.to_user_string()
        assets[name] = AssetSummary(name, meta.get("dagster/row_count"), meta.get("rows_added"), meta.get("new_files") or [])
    evaluations = result.get_asset_check_evaluations()
    report, report_error = None, None
    try:  # the report matters most when the run failed: written either way, never failing the run
        report = write_quality_report(warehouse, result.run_id)
    except Exception as exc:  # noqa: BLE001
        report_error = f"{type(exc).__name__}: {exc}"
    return RunSummary(
        run_id=result.run_id,
        partition=run_date.isoformat(),
        success=result.success,
        assets=sorted(assets.values(), key=lambda a: a.asset),
        checks_passed=sum(e.passed for e in evaluations),
        checks_failed=[(e.asset_key.to_user_string(), e.check_name, e.severity == dg.AssetCheckSeverity.ERROR)
                       for e in evaluations if not e.passed],
        errors=[(e.step_key or "run", _failure_message(e)) for e in result.all_events
                if e.event_type in (dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RESOURCE_INIT_FAILURE)],
        skipped_steps=[e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_SKIPPED],
        report=report,
        report_error=report_error,
    )

"""Materialize the daily job in-process, through the same Definitions as the UI, and summarize it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import dagster as dg

from assets.reporting import FULL_RUN_TAG
from pipelines import config
from pipelines import warehouse as wh
from pipelines.audit import record_run
from pipelines.backups import take_snapshot
from pipelines.definitions import build_definitions
from pipelines.jobs import DAILY_JOB_NAME
from pipelines.quality_report import write_quality_report
from pipelines.vault import warehouse_open


@dataclass
class AssetSummary:
    asset: str
    rows: int | None = None
    rows_added: int | None = None
    new_files: list[str] = field(default_factory=list)
    carried_from: str | None = None  # the run whose build was carried over (inputs unchanged)


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
    snapshot: Path | None = None  # the warehouse snapshot this run left (successful runs)
    warnings: list[str] = field(default_factory=list)  # what went wrong after the job (snapshot, run log)

    @property
    def built(self) -> list[str]:
        """Assets this run changed: raw tables that took new rows, and assets rebuilt rather than carried over."""
        return [a.asset for a in self.assets
                if not a.carried_from and not (a.asset.startswith("raw/") and not a.rows_added)]


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
                 log_level: str = "WARNING", ephemeral_instance: bool = False,
                 backup_keep: int = config.BACKUP_KEEP, full: bool = False) -> RunSummary:
    """Run the daily job for ``run_date``; never raises for a failed step, the summary says what failed.

    With CRM360_ENCRYPTION_KEY set the warehouse is decrypted for the run and encrypted again after it;
    a successful run leaves a snapshot (crm360 restore) and every run a row in quality.run_log. ``full``
    rebuilds every asset; otherwise assets whose inputs did not change are carried over."""
    started = datetime.now(timezone.utc)
    with warehouse_open(warehouse):
        summary = _run(landing, warehouse, run_date, erp_url, log_level, ephemeral_instance, full)
        _record(warehouse, summary, started, backup_keep)
    return summary


def _run(landing: Path, warehouse: Path, run_date: date, erp_url: str | None, log_level: str,
         ephemeral_instance: bool, full: bool) -> RunSummary:
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
        tags={FULL_RUN_TAG: "true"} if full else None,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    assets: dict[str, AssetSummary] = {}
    for materialization in result.get_asset_materialization_events():
        mat = materialization.event_specific_data.materialization
        meta = {k: v.value for k, v in mat.metadata.items()}
        name = mat.asset_key.to_user_string()
        assets[name] = AssetSummary(name, meta.get("dagster/row_count"), meta.get("rows_added"), meta.get("new_files") or [],
                                    meta.get("carried_over_from_run"))
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


def _record(warehouse: Path, summary: RunSummary, started: datetime, backup_keep: int) -> None:
    """The run's row in quality.run_log, then (a successful run) the snapshot; a failure here is a warning."""
    # a run that changed nothing leaves no snapshot: the latest one already holds these tables
    changed = summary.success and backup_keep and summary.built
    name = f"{warehouse.stem}-{summary.partition}-{summary.run_id[:8]}.duckdb" if changed else None
    try:
        con = wh.connect(warehouse)
        try:
            wh.ensure_schemas(con)
            record_run(con, run_id=summary.run_id, partition=summary.partition, started_at=started,
                       success=summary.success, row_counts={a.asset: a.rows for a in summary.assets},
                       checks_passed=summary.checks_passed,
                       checks_failed=[{"asset": a, "check": c, "error": e} for a, c, e in summary.checks_failed],
                       errors=[{"step": s, "message": m} for s, m in summary.errors], snapshot=name)
        finally:
            con.close()
    except Exception as exc:  # noqa: BLE001 - the run's own result stands
        summary.warnings.append(f"run log not written: {exc}")
    if name:
        try:
            summary.snapshot = take_snapshot(warehouse, date.fromisoformat(summary.partition), summary.run_id,
                                             backup_keep).path
        except Exception as exc:  # noqa: BLE001
            summary.warnings.append(f"snapshot not taken: {exc}")

"""Sensors: a new or changed landing file starts today's run; a run that failed or had a failed
check sends on-call one message; the warehouse is encrypted again after a run when a key is set."""


import hashlib
import logging
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.config import ENV_ALERT_WEBHOOK, ENV_DAGSTER_URL, SCHEDULE_TIMEZONE
from pipelines.jobs import daily_job
from pipelines.resources import Landing, Warehouse
from pipelines.vault import seal
from quality.alerts import FailedCheck, RunAlert, alert_payload, post_json

log = logging.getLogger(__name__)


def landing_fingerprint(root: Path) -> str:
    """Digest of every file's path, size and modification time; changes when anything lands."""
    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "truth" not in p.relative_to(root).parts):
            stat = path.stat()
            digest.update(f"{path.relative_to(root).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(
    job=daily_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts today's partition of the daily job when a file lands in the landing folder or changes.",
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: Landing):
    fingerprint = landing_fingerprint(landing.root)
    if fingerprint == context.cursor:
        return dg.SkipReason(f"nothing new in {landing.root}")
    context.update_cursor(fingerprint)
    today = datetime.now(ZoneInfo(SCHEDULE_TIMEZONE)).date().isoformat()
    return dg.RunRequest(run_key=f"{today}-{fingerprint[:16]}", partition_key=today)


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[FailedCheck]:
    """The run's failed asset checks, from its event log (the warehouse may be busy with the next run)."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    out = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed:
            continue
        meta = {k: v.value for k, v in evaluation.metadata.items()}
        sample = meta.get("sample") or []
        out.append(FailedCheck(evaluation.asset_key.to_user_string().replace("/", "."), evaluation.check_name,
                               "error" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warn",
                               meta.get("failing_rows"), sample[0] if sample else None, meta.get("message")))
    return out


def run_alert(context: dg.RunStatusSensorContext, failed: bool) -> RunAlert:
    run = context.dagster_run
    error = None
    if failed and context.failure_event is not None:
        data = context.failure_event.event_specific_data
        error = getattr(data, "error", None) and data.error.message.strip().splitlines()[0]
    base = os.environ.get(ENV_DAGSTER_URL, "http://localhost:3000").rstrip("/")
    return RunAlert(run.run_id, run.job_name, failed, failed_checks(context.instance, run.run_id), error,
                    f"{base}/runs/{run.run_id}", run.tags.get("dagster/partition"))


def send_alert(alert: RunAlert) -> bool:
    """Post the alert when CRM360_ALERT_WEBHOOK is set (nothing is sent otherwise)."""
    url = os.environ.get(ENV_ALERT_WEBHOOK)
    if not url:
        return False
    return post_json(url, alert_payload(alert))


@dg.run_failure_sensor(monitored_jobs=[daily_job], default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Posts one message per failed run (its failed checks, one sample each, and the "
                                   "run's link) to the webhook in CRM360_ALERT_WEBHOOK; nothing when it is unset.")
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    send_alert(run_alert(context, failed=True))


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[daily_job],
                      default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Posts one message per successful run that had failed checks (warnings) to the "
                                  "webhook in CRM360_ALERT_WEBHOOK; nothing when it is unset or every check passed.")
def alert_on_failed_checks(context: dg.RunStatusSensorContext):
    alert = run_alert(context, failed=False)
    if alert.failures:
        send_alert(alert)


def seal_when_idle(instance: dg.DagsterInstance, database: str) -> str:
    """Encrypt the warehouse again (CRM360_ENCRYPTION_KEY set) once no run of the daily job is left
    in progress; `crm360 run` does this itself, these sensors do it for runs the daemon starts."""
    busy = instance.get_runs(filters=dg.RunsFilter(job_name=daily_job.name, statuses=[
        dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]), limit=1)
    if busy:
        return "another run holds the warehouse; it is sealed after that one"
    return "sealed" if seal(Path(database)) else "nothing to seal (no key, or already encrypted)"


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[daily_job],
                      default_status=dg.DefaultSensorStatus.RUNNING, name="seal_warehouse_after_success",
                      description="With CRM360_ENCRYPTION_KEY set, encrypts the warehouse file again after a run.")
def seal_warehouse_after_success(context: dg.RunStatusSensorContext, warehouse: Warehouse):
    context.log.info(seal_when_idle(context.instance, warehouse.database))


@dg.run_failure_sensor(monitored_jobs=[daily_job], default_status=dg.DefaultSensorStatus.RUNNING,
                       name="seal_warehouse_after_failure",
                       description="With CRM360_ENCRYPTION_KEY set, encrypts the warehouse file again after a failed run.")
def seal_warehouse_after_failure(context: dg.RunFailureSensorContext, warehouse: Warehouse):
    context.log.info(seal_when_idle(context.instance, warehouse.database))

"""Sensors: a new or changed landing file starts today's run; a run that failed or had a failed
check sends on-call one message."""


import hashlib
import logging
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.config import ENV_ALERT_WEBHOOK, ENV_DAGSTER_URL, SCHEDULE_TIMEZONE
from pipelines.jobs import daily_job
from pipelines.resources import Landing
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

"""A sensor on the landing folder: a new or changed file starts today's run."""


import hashlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.config import SCHEDULE_TIMEZONE
from pipelines.jobs import daily_job
from pipelines.resources import Landing


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

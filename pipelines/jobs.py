"""The daily job and its schedule: the whole asset graph, one partition per day."""

import dagster as dg

from pipelines.config import SCHEDULE_HOUR

DAILY_JOB_NAME = "crm360_daily"

daily_job = dg.define_asset_job(
    DAILY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest every source, then build each later layer from it, gated by the checks of each layer.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_job, hour_of_day=SCHEDULE_HOUR, default_status=dg.DefaultScheduleStatus.STOPPED
)

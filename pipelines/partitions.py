from dagster import DailyPartitionsDefinition

from pipelines.config import PARTITIONS_START, SCHEDULE_TIMEZONE

# end_offset=1: today's partition exists, so a run can be made for the current day.
daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=1, timezone=SCHEDULE_TIMEZONE)

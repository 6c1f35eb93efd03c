"""Every setting in one place, read from the environment with defaults that run out of the box.

Secrets (an ERP URL with a password) come only from the environment, never from files.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_LANDING = "CRM360_LANDING"
ENV_WAREHOUSE = "CRM360_WAREHOUSE"
ENV_ERP_URL = "CRM360_ERP_URL"

DEFAULT_LANDING = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEMO_CUSTOMERS = 20_000

# DuckDB allows one writer per file: every asset that writes the warehouse shares this pool,
# whose limit of 1 is set in the instance's dagster.yaml (pipelines/dagster.yaml).
WAREHOUSE_POOL = "duckdb_warehouse"
PARTITIONS_START = "2024-01-01"
SCHEDULE_HOUR = 2  # 02:00 daily in SCHEDULE_TIMEZONE, after the nightly exports land
SCHEDULE_TIMEZONE = "Asia/Shanghai"


def landing_path() -> Path:
    return Path(os.environ.get(ENV_LANDING) or DEFAULT_LANDING)


def warehouse_path() -> Path:
    return Path(os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE)


def default_erp_url(landing: Path | None = None) -> str:
    """The demo ERP is the SQLite database the generator writes into the landing folder."""
    return f"sqlite:///{((landing or landing_path()) / 'erp.sqlite').resolve()}"

# Entity resolution. A pair is merged when its match probability reaches MATCH_THRESHOLD; the
# probability comes from a model fitted on each run's own data, so the default needs no tuning.
MATCH_THRESHOLD = 0.9
MAX_BLOCK_SIZE = 300  # records sharing one blocking key; larger blocks are skipped and reported
# Survivorship: a golden field takes the value of the most trusted source that has one, then the
# most recent, then the most complete record.
SOURCE_TRUST = {"company_registry": 50, "erp_customers": 40, "crm_contacts": 30, "service_tickets": 20}

"""The code location: one Definitions object for `dagster dev`, `crm360 run` and the tests."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

import assets.ingest
from assets.marts import mart_assets
from assets.resolve.core import core_tables
from assets.standardize.tables import staging_assets
from pipelines import config
from pipelines.jobs import daily_job, daily_schedule
from pipelines.resources import ErpDatabase, Landing, QualityPolicy, Warehouse
from pipelines.sensors import alert_on_failed_checks, alert_on_run_failure, landing_sensor


def build_definitions(landing: Path | None = None, warehouse: Path | None = None, erp_url: str | None = None) -> dg.Definitions:
    """The definitions with resources pointed at the given places (defaults: the environment, then config)."""
    landing = Path(landing or config.landing_path()).resolve()
    warehouse = Path(warehouse or config.warehouse_path()).resolve()
    if erp_url:
        erp = ErpDatabase(url=erp_url)
    elif os.environ.get(config.ENV_ERP_URL):
        erp = ErpDatabase(url=dg.EnvVar(config.ENV_ERP_URL))  # a secret: shown masked in the UI
    else:
        erp = ErpDatabase(url=config.default_erp_url(landing))
    return dg.Definitions(
        assets=[*dg.load_assets_from_package_module(assets.ingest), *staging_assets, core_tables, *mart_assets],
        jobs=[daily_job],
        schedules=[daily_schedule],
        sensors=[landing_sensor, alert_on_run_failure, alert_on_failed_checks],
        resources={
            "warehouse": Warehouse(database=str(warehouse)),
            "landing": Landing(path=str(landing)),
            "erp": erp,
            "quality": QualityPolicy(),
        },
    )


defs = build_definitions()

"""The code location: one Definitions object for `dagster dev`, `crm360 run` and the tests."""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dagster as dg

import assets.ingest
from assets.dashboard import dashboard
from assets.exports.assets import export_assets
from assets.health import customer_data_health
from assets.marts import mart_assets
from assets.resolve.core import core_tables
from assets.standardize.tables import staging_assets
from pipelines import config
from pipelines.jobs import daily_job, daily_schedule
from pipelines.resources import ErpDatabase, Exports, Landing, QualityPolicy, Warehouse
from pipelines.sensors import (alert_on_failed_checks, alert_on_run_failure, landing_sensor,
                               seal_warehouse_after_failure, seal_warehouse_after_success)


def freshness_checks(raw_assets) -> list:
    """Dagster's own freshness checks on the raw assets, judged on each source's newest delivery (the
    ``dagster/last_updated_timestamp`` the assets report), with the limits of CHECK_THRESHOLDS.

    Dagster 1.13 calls these checks superseded by FreshnessPolicy, but a FreshnessPolicy judges the
    time since the asset was last materialized, and a raw asset is materialized every run, new
    delivery or not; only these checks read the delivery's own time."""
    default = config.CHECK_THRESHOLDS.get("source_freshness", 48)
    checks = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        for asset in raw_assets:
            for key in asset.keys:
                hours = config.CHECK_THRESHOLDS.get(f"raw.{key.path[-1]}.source_freshness", default)
                checks.extend(dg.build_last_update_freshness_checks(assets=[key],
                                                                    lower_bound_delta=timedelta(hours=hours)))
    return checks


def freshness_sensor(checks: list) -> dg.SensorDefinition:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return dg.build_sensor_for_freshness_checks(freshness_checks=checks, name="source_freshness_sensor")


def build_definitions(landing: Path | None = None, warehouse: Path | None = None, erp_url: str | None = None,
                      exports: Path | None = None) -> dg.Definitions:
    """The definitions with resources pointed at the given places (defaults: the environment, then config)."""
    landing = Path(landing or config.landing_path()).resolve()
    warehouse = Path(warehouse or config.warehouse_path()).resolve()
    exports = Path(exports or config.exports_path(warehouse)).resolve()
    if erp_url:
        erp = ErpDatabase(url=erp_url)
    elif os.environ.get(config.ENV_ERP_URL):
        erp = ErpDatabase(url=dg.EnvVar(config.ENV_ERP_URL))  # a secret: shown masked in the UI
    else:
        erp = ErpDatabase(url=config.default_erp_url(landing))
    raw_assets = dg.load_assets_from_package_module(assets.ingest)
    freshness = freshness_checks(raw_assets)
    return dg.Definitions(
        assets=[*raw_assets, *staging_assets, core_tables, *mart_assets, customer_data_health, *export_assets,
                dashboard],
        asset_checks=freshness,
        jobs=[daily_job],
        schedules=[daily_schedule],
        sensors=[landing_sensor, alert_on_run_failure, alert_on_failed_checks, seal_warehouse_after_success,
                 seal_warehouse_after_failure, freshness_sensor(freshness)],
        resources={
            "warehouse": Warehouse(database=str(warehouse)),
            "landing": Landing(path=str(landing)),
            "erp": erp,
            "quality": QualityPolicy(),
            "exports": Exports(path=str(exports)),
        },
    )


defs = build_definitions()

"""Freshness: a source whose newest file or ERP change is older than its limit warns, judged at the
run's date; Dagster's freshness checks read the same delivery time."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

import dagster as dg
import polars as pl
import pytest

from assets.ingest import crm_contacts, erp
from assets.ingest.erp_load import ingest_erp_snapshot
from assets.ingest.load import ingest_files
from pipelines.definitions import defs
from quality.freshness import reference_time, source_freshness
from quality.results import Policy

UTC = timezone.utc
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@pytest.mark.parametrize(("as_of", "expected"), [
    (None, NOW),
    (date(2026, 11, 1), datetime(2026, 11, 2, tzinfo=UTC)),  # a backfill: judged at the end of its day
    (date(2026, 12, 7), NOW),  # today: judged now, not at midnight
])
def test_reference_time(as_of, expected):
    assert reference_time(as_of, NOW) == expected


@pytest.mark.parametrize(("newest", "passed", "message"), [
    (NOW - timedelta(hours=47), True, None),
    (NOW - timedelta(hours=49), False, "crm: newest delivery 2026-12-05 11:00 UTC is 49 hours old (limit 48)"),
    (NOW + timedelta(hours=3), True, None),  # delivered after the day the run is for
    (None, False, "crm: nothing delivered yet"),
])
def test_source_freshness(newest, passed, message):
    check = source_freshness("crm", newest, NOW, 48)
    assert check.passed is passed and check.metadata.get("message") == message and check.severity == "warn"


def test_a_source_whose_newest_file_is_old_warns_and_still_loads(con, tmp_path):
    root = tmp_path / "l"
    root.mkdir()
    path = root / "crm_contacts.csv"
    path.write_bytes("联系人编号,姓名,手机,邮箱\nC1,王伟,13800138000,\n".encode("gbk"))
    old = datetime(2026, 11, 1, 8, tzinfo=UTC).timestamp()
    os.utime(path, (old, old))
    outcome = ingest_files(con, crm_contacts.SOURCE, root, as_of=date(2026, 11, 5))
    (fresh,) = [c for c in outcome.checks if c.name == "source_freshness"]
    assert outcome.published and not fresh.passed and not fresh.stops_run
    assert fresh.metadata["age_hours"] == 112.0  # to the end of 2026-11-05 and outcome.newest_delivery == datetime.fromtimestamp(old, UTC)
    later = ingest_files(con, crm_contacts.SOURCE, root, as_of=date(2026, 11, 5),
                         policy=Policy(thresholds={"raw.crm_contacts.source_freshness": 120}))
    assert [c.passed for c in later.checks if c.name == "source_freshness"] == [True]


def test_an_erp_table_is_as_fresh_as_its_last_change(con):
    products = pl.DataFrame({"product_id": ["1"], "sku": "S", "name": "n", "category": "c", "unit_price": "1"})
    first = ingest_erp_snapshot(con, erp.PRODUCTS, products, "erp#products", loaded_at=NOW - timedelta(days=5))
    assert first.newest_delivery == NOW - timedelta(days=5)
    same = ingest_erp_snapshot(con, erp.PRODUCTS, products, "erp#products", loaded_at=NOW)  # nothing changed
    assert same.newest_delivery == NOW - timedelta(days=5)
    assert [c.passed for c in same.checks if c.name == "source_freshness"] == [False]
    changed = ingest_erp_snapshot(con, erp.PRODUCTS, products.with_columns(sku=pl.lit("T")), "erp#products",
                                  loaded_at=NOW)
    assert changed.newest_delivery == NOW


def test_dagster_freshness_checks_watch_every_source_with_its_limit():
    checks = [c for c in defs.asset_checks if any(k.name == "freshness_check" for k in c.check_keys)]
    watched = {k.asset_key.path[-1] for c in checks for k in c.check_keys}
    assert watched == {"crm_contacts", "service_tickets", "surveys", "campaign_events", "company_registry",
                       "erp_customers", "erp_products", "erp_orders", "erp_order_items"}
    sensor = next(s for s in defs.sensors if s.name == "source_freshness_sensor")
    assert isinstance(sensor, dg.SensorDefinition)

"""Incremental runs: an asset whose inputs, settings and run date are unchanged is carried over.

The version bookkeeping (pipelines.builds) on its own, then whole runs of the daily job: a rerun with
nothing new carries every derived asset over and changes no table; a new day rebuilds what depends on
the date; --full rebuilds everything; an erasure makes the next run rebuild all.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines import builds
from pipelines import warehouse as wh
from pipelines.privacy_cli import erase
from pipelines.run import run_pipeline

DAY = date(2026, 11, 20)
DERIVED = ("staging/", "core/", "marts/", "quality/", "exports/")


def publish(con, ref: wh.TableRef, frame: pl.DataFrame) -> None:
    wh.stage(con, ref, frame)
    wh.publish(con, [ref])


def test_each_publish_gives_the_table_a_new_version(con):
    ref = wh.TableRef("staging", "t")
    assert builds.fingerprint(con, [str(ref)]) is None  # never published: build
    publish(con, ref, pl.DataFrame({"a": [1]}))
    first = builds.fingerprint(con, [str(ref)], {"as_of": DAY})
    assert first == builds.fingerprint(con, [str(ref)], {"as_of": DAY})
    assert first != builds.fingerprint(con, [str(ref)], {"as_of": date(2026, 11, 21)})
    publish(con, ref, pl.DataFrame({"a": [1]}))
    assert builds.fingerprint(con, [str(ref)], {"as_of": DAY}) != first


def test_a_build_is_carried_over_only_for_the_same_fingerprint_and_outputs(con):
    source, target = wh.TableRef("staging", "t"), wh.TableRef("marts", "m")
    publish(con, source, pl.DataFrame({"a": [1]}))
    digest = builds.fingerprint(con, [str(source)])
    assert builds.carried_run(con, "marts.m", digest, ["marts.m"]) is None  # never built
    publish(con, target, pl.DataFrame({"b": [2]}))
    builds.record_build(con, "marts.m", digest, "run-1")
    assert builds.carried_run(con, "marts.m", digest, ["marts.m"]) == "run-1"
    assert builds.carried_run(con, "marts.m", "other", ["marts.m"]) is None
    builds.forget_builds(con)  # an erasure: every asset rebuilds
    assert builds.carried_run(con, "marts.m", digest, ["marts.m"]) is None


def test_carried_checks_are_those_of_the_build_and_say_so(con):
    wh.record_check_result(con, run_id="run-1", asset="marts.m", check_name="rows", passed=False, blocking=False,
                           failing_rows=3, description="d", sample=[{"x": 1}], metadata={"share": 0.1})
    wh.record_check_result(con, run_id="run-2", asset="marts.m", check_name="rows", passed=True, blocking=False,
                           failing_rows=0, description="d")
    [check] = builds.carried_checks(con, "marts.m", "run-1")
    assert (check.name, check.passed, check.failing_rows, check.sample) == ("rows", False, 3, [{"x": 1}])
    assert check.metadata == {"share": 0.1, "carried_over_from_run": "run-1"}


def _tables(warehouse) -> dict[str, pl.DataFrame]:
    con = wh.connect(warehouse, read_only=True)
    try:
        return {name: wh.fetch_frame(con, f"SELECT * FROM {name}")
                for name in ("core.customer_xref", "core.golden_customer", "marts.customer_segment",
                             "marts.customer_clv", "staging.customer_records")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from conftest import write_landing

    root = tmp_path_factory.mktemp("incremental_runs")
    landing, warehouse = write_landing(root / "landing"), root / "w" / "warehouse.duckdb"
    stamps = {}
    first = run_pipeline(landing, warehouse, DAY, ephemeral_instance=True)
    after_first, stamps["first"] = _tables(warehouse), _stamp_runs(warehouse)
    again = run_pipeline(landing, warehouse, DAY, ephemeral_instance=True)
    after_again, stamps["again"] = _tables(warehouse), _stamp_runs(warehouse)
    next_day = run_pipeline(landing, warehouse, date(2026, 11, 21), ephemeral_instance=True)
    stamps["next_day"] = _stamp_runs(warehouse)
    full = run_pipeline(landing, warehouse, date(2026, 11, 21), ephemeral_instance=True, full=True)
    stamps["full"] = _stamp_runs(warehouse)
    email = _tables(warehouse)["core.golden_customer"].drop_nulls("email")["email"][0]
    erase(warehouse, "email", email)
    stamps["erased"] = _stamp_runs(warehouse)
    after_erasure = run_pipeline(landing, warehouse, date(2026, 11, 21), ephemeral_instance=True)
    stamps["after_erasure"] = _stamp_runs(warehouse)
    return {"first": first, "again": again, "next_day": next_day, "full": full, "after_first": after_first,
            "after_again": after_again, "warehouse": warehouse, "landing": landing, "after_erasure": after_erasure,
            "stamps": stamps}


def _carried(summary) -> set[str]:
    return {a.asset for a in summary.assets if a.carried_from}


def _derived(summary) -> set[str]:
    return {a.asset for a in summary.assets if a.asset.startswith(DERIVED)}


def test_a_rerun_with_nothing_new_carries_every_derived_asset_over(runs):
    assert runs["first"].success and not _carried(runs["first"])
    again = runs["again"]
    assert again.success
    assert _carried(again) == _derived(again) and len(_derived(again)) > 20
    assert {a.carried_from for a in again.assets if a.carried_from} == {runs["first"].run_id}
    assert again.built == []  # no raw rows added, nothing rebuilt
    assert again.snapshot is None and runs["first"].snapshot is not None
    for name, frame in runs["after_first"].items():
        assert frame.equals(runs["after_again"][name]), name


def test_a_carried_over_asset_reports_the_checks_of_its_build(runs):
    again = runs["again"]
    assert again.checks_passed + len(again.checks_failed) >= runs["first"].checks_passed + len(runs["first"].checks_failed)
    con = wh.connect(runs["warehouse"], read_only=True)
    try:
        carried = wh.fetch_rows(con, "SELECT count(*) FROM quality.check_results WHERE run_id = $run "
                                     "AND json_extract_string(metadata, '$.carried_over_from_run') = $first",
                                {"run": again.run_id, "first": runs["first"].run_id})[0][0]
    finally:
        con.close()
    assert carried > 20


def test_a_new_day_rebuilds_what_depends_on_the_date_only(runs):
    next_day = runs["next_day"]
    assert next_day.success
    carried = _carried(next_day)
    assert {"staging/customer_records", "core/golden_customer", "core/customer_xref"} <= carried
    assert not any(a.startswith("marts/customer_") for a in carried)
    assert next_day.snapshot is not None


def test_full_rebuilds_everything(runs):
    assert runs["full"].success and not _carried(runs["full"])


def test_after_an_erasure_the_next_run_rebuilds_everything(runs):
    """An erasure changes tables outside a run: nothing built before it may be carried over."""
    summary = runs["after_erasure"]
    assert summary.success and not _carried(summary)


def _stamp_runs(warehouse) -> set[str]:
    con = wh.connect(warehouse, read_only=True)
    try:
        return {row[0] for row in wh.fetch_rows(con, "SELECT run_id FROM quality.erp_stamps")}
    finally:
        con.close()


def test_an_unchanged_erp_is_not_read_again_until_full_or_an_erasure(runs):
    """The ERP's stamps name the run that last read it: the rerun and the next day trust them
    (nothing read, nothing recorded); --full reads anyway; an erasure forgets them."""
    stamps = runs["stamps"]
    assert stamps["first"] == stamps["again"] == stamps["next_day"] == {runs["first"].run_id}
    assert stamps["full"] == {runs["full"].run_id}
    assert stamps["erased"] == set() and stamps["after_erasure"] == {runs["after_erasure"].run_id}

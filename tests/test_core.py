"""Core layer: the checks that gate it, the atomic publish of its five tables, and its Dagster multi-asset."""

from __future__ import annotations

from datetime import date

import dagster as dg
import polars as pl
import pytest
from fake_resolve import fake_resolve

from assets.resolve import core, engine
from assets.standardize.customers import standardize_customers
from assets.standardize.mapping import SourceMapping, to_canonical
from pipelines import warehouse as wh
from pipelines.resources import QualityPolicy, Warehouse
from quality import core_checks as checks

DAY = date(2026, 11, 20)
MAPPING = SourceMapping(source="shop", id="id", fields={"full_name": "name", "birth_date": "born", "id_number": "idno",
                                                       "address_line1": "addr"})


def xref(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["source", "record_id", "golden_id"], orient="row")


def staged(rows: list[tuple[str, str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["source", "record_id", "id_number"], orient="row").with_columns(
        pl.when(pl.col("id_number").is_not_null()).then(pl.lit("resident_id")).alias("id_kind"))


def golden(rows: list[tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"golden_id": pl.String, "record_count": pl.Int64}, orient="row")


# ---------------------------------------------------------------- checks

def test_xref_complete_passes_when_every_staged_record_is_there_once():
    outcome = checks.xref_complete(staged([("a", "1", None), ("a", "2", None)]), xref([("a", "1", "G1"), ("a", "2", "G1")]))
    assert outcome.passed and outcome.blocking and outcome.failing_rows == 0


def test_xref_complete_names_missing_repeated_and_unstaged_records():
    outcome = checks.xref_complete(staged([("a", "1", None), ("a", "2", None), ("a", "3", None)]),
                                   xref([("a", "1", "G1"), ("a", "1", "G2"), ("a", "3", "G3"), ("b", "9", "G9")]))
    assert not outcome.passed and outcome.stops_run and outcome.failing_rows == 3
    assert {(r["record_id"], r["problem"]) for r in outcome.sample} == {("2", "missing"), ("1", "repeated"), ("9", "not_staged")}
    assert outcome.metadata["by_problem"] == {"missing": 1, "repeated": 1, "not_staged": 1}


def test_golden_has_members_passes_when_counts_agree():
    outcome = checks.golden_has_members(golden([("G1", 2), ("G2", 1)]), xref([("a", "1", "G1"), ("a", "2", "G1"), ("a", "3", "G2")]))
    assert outcome.passed


def test_golden_without_members_orphan_xref_ids_and_wrong_counts_fail():
    outcome = checks.golden_has_members(golden([("G1", 1), ("G2", 1), ("G3", 1)]),
                                        xref([("a", "1", "G1"), ("a", "2", "G3"), ("a", "3", "G3"), ("a", "4", "G4")]))
    assert not outcome.passed and outcome.stops_run
    assert {(r["golden_id"], r["problem"]) for r in outcome.sample} == {
        ("G2", "no_members"), ("G3", "record_count_differs"), ("G4", "not_in_golden_customer")}


def test_one_id_number_per_golden_customer_passes_even_when_repeated():
    records = staged([("a", "1", "11010519491231002X"), ("b", "7", "11010519491231002X"), ("b", "8", None)])
    assert checks.golden_single_id(records, xref([("a", "1", "G1"), ("b", "7", "G1"), ("b", "8", "G1")])).passed


def test_two_id_numbers_in_one_golden_customer_block_and_are_masked_in_the_sample():
    records = staged([("a", "1", "11010519491231002X"), ("b", "7", "110105198001010012"), ("b", "8", "110105198001010012")])
    outcome = checks.golden_single_id(records, xref([("a", "1", "G1"), ("b", "7", "G1"), ("b", "8", "G2")]))
    assert not outcome.passed and outcome.stops_run and outcome.failing_rows == 1
    sample = outcome.sample[0]
    assert sample["golden_id"] == "G1" and sample["records"] == ["a:1", "b:7"]
    assert sample["ids_masked"] == ["110105********0012", "110105********002X"]


def test_golden_ids_unique():
    assert checks.golden_ids_unique(golden([("G1", 1), ("G2", 1)])).passed
    outcome = checks.golden_ids_unique(golden([("G1", 1), ("G1", 2), (None, 1)]))
    assert not outcome.passed and outcome.failing_rows == 3


def test_match_rate_warns_only_when_many_records_and_nothing_matched():
    assert checks.match_rate(records=200, candidate_pairs=0, matched_pairs=0, merged_records=0).passed
    assert checks.match_rate(records=5000, candidate_pairs=900, matched_pairs=400, merged_records=800).passed
    outcome = checks.match_rate(records=5000, candidate_pairs=900, matched_pairs=0, merged_records=0)
    assert not outcome.passed and not outcome.blocking and not outcome.stops_run


def test_cluster_size_warns_on_a_giant_golden_customer():
    many = xref([("a", str(i), "G1") for i in range(checks.MAX_CLUSTER_SIZE + 1)] + [("a", "x", "G2")])
    outcome = checks.cluster_size(many)
    assert not outcome.passed and not outcome.blocking
    assert outcome.sample[0]["golden_id"] == "G1" and outcome.metadata["largest"] == checks.MAX_CLUSTER_SIZE + 1


# ---------------------------------------------------------------- build and publish

PEOPLE = [
    {"id": "1", "name": "王伟", "born": "1985-03-07", "idno": "11010519491231002X", "addr": "天河路1号"},
    {"id": "2", "name": "王伟", "born": "1985-03-07", "idno": "11010519491231002X", "addr": "天河路1号"},
    {"id": "3", "name": "李娜", "born": "1990-01-05", "idno": None, "addr": "朝阳区建国路88号"},
]


def publish_staging(con, rows: list[dict]) -> None:
    frame = pl.DataFrame(rows, schema={c: pl.String for c in ("id", "name", "born", "idno", "addr")})
    records = standardize_customers(to_canonical(frame, MAPPING), DAY).staged
    wh.stage(con, core.STAGED, records)
    wh.publish(con, [core.STAGED])


def tables(con) -> dict[str, pl.DataFrame]:
    return {name: wh.fetch_frame(con, f"SELECT * FROM core.{name}") for name in core.TABLES}


@pytest.fixture
def fake_engine(monkeypatch):
    calls = []

    def resolve(staged, **kwargs):
        calls.append(kwargs)
        return fake_resolve(staged, **kwargs)

    monkeypatch.setattr(engine, "resolve", resolve)
    return calls


def test_build_core_publishes_five_tables_with_comments_and_keeps_ids_on_rerun(con, fake_engine):
    publish_staging(con, PEOPLE)
    first = core.build_core(con, DAY, run_id="r1")
    assert first.published and not [c for c in first.all_checks if not c.passed]
    assert first.rows == {"match_pairs": 1, "customer_xref": 3, "golden_customer": 2, "household": 2, "golden_id_history": 2}
    built = tables(con)
    ids = dict(zip(built["customer_xref"]["record_id"], built["customer_xref"]["golden_id"]))
    assert ids["1"] == ids["2"] != ids["3"]
    assert built["golden_id_history"].select("run_id", "partition_date").unique().rows() == [("r1", DAY)]
    assert fake_engine[0]["previous_xref"] is None
    comment = wh.fetch_value(con, "SELECT comment FROM duckdb_columns() WHERE schema_name = 'core' "
                                  "AND table_name = 'match_pairs' AND column_name = 'phone_weight'")
    assert comment.startswith("Match weight")

    second = core.build_core(con, date(2026, 11, 21), run_id="r2")
    assert fake_engine[1]["previous_xref"].height == 3
    again = tables(con)
    assert again["customer_xref"].sort("record_id").equals(built["customer_xref"].sort("record_id"))
    assert second.history_added == 0 and again["golden_id_history"].height == 2


def test_blocking_check_failure_publishes_nothing_and_keeps_last_good_core(con, fake_engine, monkeypatch):
    publish_staging(con, PEOPLE)
    core.build_core(con, DAY, run_id="r1")
    before = tables(con)

    def loses_a_record(staged, **kwargs):
        resolution = fake_resolve(staged, **kwargs)
        resolution.xref = resolution.xref.filter(pl.col("record_id") != "3")
        return resolution

    monkeypatch.setattr(engine, "resolve", loses_a_record)
    publish_staging(con, [*PEOPLE, {"id": "4", "name": "张三", "born": "1970-01-01", "idno": None, "addr": "x路1号"}])
    outcome = core.build_core(con, DAY, run_id="r2")
    assert not outcome.published
    failed = {c.name for c in outcome.all_checks if c.stops_run}
    assert failed == {"xref_complete", "golden_has_members"}
    after = tables(con)
    assert all(after[name].equals(frame) for name, frame in before.items())
    assert not wh.fetch_rows(con, wh.load_sql("scratch_tables"))


def test_every_column_the_real_engine_publishes_is_documented_with_its_type(con):
    publish_staging(con, PEOPLE)
    assert core.build_core(con, DAY).published
    for name, table in core.TABLES.items():
        rows = wh.fetch_rows(con, "SELECT column_name, data_type, comment FROM duckdb_columns() "
                                  "WHERE schema_name = 'core' AND table_name = $t", {"t": name})
        assert {column: kind for column, kind, _ in rows} == {c: kind for c, (kind, _) in table.columns.items()}, name
        assert all(comment for *_, comment in rows), name


def test_missing_staging_table_says_what_to_build_first(con, fake_engine):
    with pytest.raises(RuntimeError, match="staging.customer_records has not been built yet"):
        core.build_core(con, DAY)


# ---------------------------------------------------------------- Dagster

def materialize(warehouse_file, threshold: float | None = None,
                severities: dict[str, str] | None = None) -> dg.ExecuteInProcessResult:
    run_config = {"ops": {"core_tables": {"config": {"threshold": threshold}}}} if threshold is not None else {}
    if severities is not None:  # as a run overrides them in the launchpad
        run_config["resources"] = {"quality": {"config": {"severities": severities}}}
    return dg.materialize([core.core_tables], partition_key=DAY.isoformat(), raise_on_error=False, run_config=run_config,
                          resources={"warehouse": Warehouse(database=str(warehouse_file)), "quality": QualityPolicy()})


def test_multi_asset_reports_each_check_on_its_table_and_row_counts(con, warehouse_file, fake_engine):
    publish_staging(con, PEOPLE)
    con.close()
    result = materialize(warehouse_file, threshold=0.75)
    assert result.success
    assert fake_engine[0]["settings"].threshold == 0.75
    evaluations = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {("customer_xref", "xref_complete"): True, ("customer_xref", "cluster_size"): True,
                           ("golden_customer", "golden_has_members"): True, ("golden_customer", "golden_single_id"): True,
                           ("golden_customer", "golden_ids_unique"): True, ("golden_customer", "row_count_drop"): True,
                           ("golden_customer", "gx_golden_customer"): True, ("match_pairs", "match_rate"): True}
    rows = {m.asset_key.path[-1]: m.metadata["dagster/row_count"].value for m in result.get_asset_materialization_events()
            for m in [m.event_specific_data.materialization]}
    assert rows == {"match_pairs": 1, "customer_xref": 3, "golden_customer": 2, "golden_id_history": 2, "household": 2}
    pairs = next(m.event_specific_data.materialization for m in result.get_asset_materialization_events()
                 if m.asset_key.path[-1] == "match_pairs")
    assert pairs.metadata["threshold"].value == 0.75 and pairs.metadata["pairs_per_rule"].value == {"same_key": 1}


def splits_one_id(staged, **kwargs):
    """A resolution whose crosswalk names a golden id that golden_customer lacks: golden_has_members fails."""
    resolution = fake_resolve(staged, **kwargs)
    resolution.xref = resolution.xref.with_columns(
        pl.when(pl.col("record_id") == "2").then(pl.lit("G-other")).otherwise("golden_id").alias("golden_id"))
    return resolution


def test_multi_asset_blocking_failure_fails_the_step_after_reporting_every_check(con, warehouse_file, monkeypatch):
    publish_staging(con, PEOPLE)
    con.close()

    monkeypatch.setattr(engine, "resolve", splits_one_id)
    result = materialize(warehouse_file)
    assert not result.success
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert len(evaluations) == len(checks.CORE_CHECKS) + 2 and evaluations["golden_has_members"] is False
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    assert "core layer not published" in failure.event_specific_data.user_failure_data.description


@pytest.mark.parametrize("key", ["golden_has_members", "core.golden_customer.golden_has_members"])
def test_a_check_set_to_warn_for_the_run_reports_and_lets_the_core_publish(con, warehouse_file, monkeypatch, key):
    publish_staging(con, PEOPLE)
    con.close()

    monkeypatch.setattr(engine, "resolve", splits_one_id)
    result = materialize(warehouse_file, severities={key: "warn"})
    assert result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.check_name, e.severity) for e in failed] == [("golden_has_members", dg.AssetCheckSeverity.WARN)]
    with wh.connect(warehouse_file, read_only=True) as con2:
        assert wh.fetch_rows(con2, "SELECT severity, metadata->>'declared_severity' FROM quality.check_results "
                                   "WHERE NOT passed") == [("warn", "error")]
        assert wh.fetch_value(con2, "SELECT count(*) FROM core.customer_xref") == 3


def test_a_severity_that_is_neither_error_nor_warn_stops_the_run_before_any_step(con, warehouse_file):
    publish_staging(con, PEOPLE)
    con.close()
    result = materialize(warehouse_file, severities={"core.customer_xref.xref_complete": "loud"})
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RESOURCE_INIT_FAILURE)
    assert "severities must be one of error, warn" in str(failure.event_specific_data.error)
    assert not result.get_asset_check_evaluations()
    with wh.connect(warehouse_file, read_only=True) as con2:
        assert not wh.table_exists(con2, wh.TableRef("core", "customer_xref"))

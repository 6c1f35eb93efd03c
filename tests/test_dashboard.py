"""The dashboard page on a small real run: each chart's aggregate reconciles with the tables it
summarizes, the page loads nothing from the network, and a warehouse with no tables yet still renders."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.dashboard import (CHARTS, DEPS, KEY, dashboard, dashboard_data, dashboard_path, headline, render_dashboard,
                              write_dashboard)
from pipelines import warehouse as wh
from pipelines.definitions import build_definitions
from pipelines.generator import generate
from pipelines.resources import Warehouse
from pipelines.run import run_pipeline

RUN_DATE = date(2026, 11, 1)
# What a browser would fetch: src=/href= attributes, CSS @import and url() pointing at a host.
LOADED_URL = re.compile(r"""(?:\bsrc\s*=\s*|\bhref\s*=\s*|@import\s+(?:url\(\s*)?|\burl\(\s*)["']?\s*(?:https?:)?//""",
                        re.IGNORECASE)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dashboard")
    generate(root / "landing", customers=200, seed=5)
    run = run_pipeline(root / "landing", root / "warehouse.duckdb", RUN_DATE, ephemeral_instance=True)
    assert run.success, run.errors
    return root / "warehouse.duckdb"


@pytest.fixture(scope="module")
def built(warehouse):
    """The charts' data and the tables they summarize, read on one read-only connection."""
    con = wh.connect(warehouse, read_only=True)
    try:
        tables = {name: wh.fetch_frame(con, f"SELECT * FROM {name}") for name in (
            "core.golden_customer", "core.customer_xref", "marts.customer_segment", "marts.customer_clv",
            "marts.customer_churn_risk", "marts.satisfaction_by_segment_month", "quality.check_results",
            "quality.data_health_history")}
        return dashboard_data(con), tables
    finally:
        con.close()


def test_every_chart_has_its_sql_file_and_data_after_a_run(built):
    data, _ = built
    assert list(data) == [c.name for c in CHARTS]
    for chart in CHARTS:
        assert wh.load_sql(f"dashboard_{chart.name}").strip(), chart.name
        assert data[chart.name].height > 0, chart.name


def test_customer_counts_reconcile_with_the_golden_table_and_xref(built):
    data, t = built
    golden, xref = t["core.golden_customer"], t["core.customer_xref"]
    growth = data["growth"]
    assert growth["new_customers"].sum() == growth["total_customers"][-1] == golden["first_seen_at"].drop_nulls().len()
    assert growth["month"].is_sorted() and growth["month"].is_unique().all()
    sources = data["sources"].sort("source")
    expected = xref.group_by("source").agg(records=pl.len(), golden_customers=pl.col("golden_id").n_unique()).sort("source")
    assert sources.select(expected.columns).cast(expected.schema).equals(expected)
    merges = data["merges"]
    assert merges["customers"].sum() == golden.height and merges["records"].sum() == xref.height


def test_segment_tier_clv_and_churn_mix_sum_to_their_customers(built):
    data, t = built
    golden = t["core.golden_customer"].height
    assert data["segments"]["customers"].sum() == golden
    assert data["tiers"]["customers"].sum() == golden
    segment = t["marts.customer_segment"]
    assert data["segments"].filter(pl.col("segment") == "No purchase")["customers"].sum() == segment["rfm_segment"].null_count()
    assert data["clv"]["customers"].sum() == t["marts.customer_clv"].height
    assert data["clv"]["total_clv"].sum() == pytest.approx(t["marts.customer_clv"]["clv"].sum())
    churn = t["marts.customer_churn_risk"]
    assert dict(data["churn"].select("risk_band", "customers").iter_rows()) == dict(
        churn.group_by("risk_band").len().iter_rows())


def test_satisfaction_and_quality_trends_come_from_their_history(built):
    data, t = built
    everyone = t["marts.satisfaction_by_segment_month"].filter(pl.col("segment_kind") == "all").sort("month")
    assert data["satisfaction"]["month"].to_list() == everyone["month"].to_list()
    assert data["satisfaction"]["nps_score"].to_list() == everyone["nps_score"].to_list()
    checks, results = data["checks"], t["quality.check_results"]
    assert checks.height == results["run_id"].n_unique() == 1
    assert checks["checks"][0] == results.height == (checks["passed"] + checks["failed_warn"] + checks["failed_error"])[0]
    assert checks["passed"][0] == results["passed"].sum()
    assert data["health"].height == t["quality.data_health_history"].height == 1


def test_headline_figures(built):
    data, t = built
    figures = dict(headline(data))
    golden, xref = t["core.golden_customer"].height, t["core.customer_xref"].height
    assert figures["golden customers"] == f"{golden:,}" and figures["source records"] == f"{xref:,}"
    assert figures["records per customer"] == f"{xref / golden:.2f}"
    vip = t["marts.customer_segment"].filter(pl.col("value_tier") == "VIP").height
    assert figures["VIP customers"] == f"{vip:,}"
    assert figures["mean CLV (CNY)"] == f"{t['marts.customer_clv']['clv'].mean():,.0f}"
    churn = t["marts.customer_churn_risk"]
    assert figures["at high churn risk (of scored)"] == f"{churn.filter(pl.col('risk_band') == 'high').height / churn.height:.1%}"
    assert [k for k in figures if k.startswith("latest NPS")]


def test_the_page_is_written_beside_the_warehouse_and_loads_no_url(warehouse, tmp_path):
    con = wh.connect(warehouse, read_only=True)
    try:
        summary = write_dashboard(con, tmp_path / "page.html", as_of=RUN_DATE, run_id="run-1")
    finally:
        con.close()
    page = summary.path.read_text(encoding="utf-8")
    assert summary.charts == len(CHARTS) and not summary.empty and summary.bytes == len(page.encode())
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # the scratch file was renamed, none left
    assert not LOADED_URL.findall(page)
    assert "<link" not in page and not re.search(r"<script[^>]*\bsrc=", page)
    assert page.count('class="chart"') == len(CHARTS) and "vegaEmbed" in page and "2026-11-01" in page
    assert dashboard_path(Path("data/warehouse.duckdb")) == Path("data/warehouse.dashboard.html")


def test_the_url_pattern_catches_what_a_browser_would_fetch():
    for fetched in ['<script src="https://cdn.example/vega.js">', "<link href='//fonts.example/css'>",
                    '@import url("https://x.example/a.css");', "background: url(http://x.example/a.png)"]:
        assert LOADED_URL.search(fetched), fetched
    for local in ['<a href="#">', 'fill="url(#gradient)"', '"$schema": "https://vega.github.io/schema"', "s.src=r"]:
        assert not LOADED_URL.search(local), local


def test_text_from_the_data_cannot_close_the_spec_script():
    data = {"segments": pl.DataFrame({"segment": ["</script><script>alert(1)</script>"], "customers": [3]})}
    page = render_dashboard(data, title="t", as_of=RUN_DATE, run_id=None)
    spec = page[page.index('<script type="application/json" id="spec-segments">'):]
    spec = spec[:spec.index("</script>")]
    assert "alert(1)" in spec and "<" not in spec.split(">", 1)[1]
    assert page.count(">no data yet<") == len(CHARTS) - 1


def test_an_empty_warehouse_renders_every_chart_as_no_data_yet(tmp_path):
    con = wh.connect(tmp_path / "empty.duckdb")
    try:
        wh.ensure_schemas(con)
        summary = write_dashboard(con, tmp_path / "empty.dashboard.html", as_of=RUN_DATE, run_id=None)
    finally:
        con.close()
    page = summary.path.read_text(encoding="utf-8")
    assert summary.charts == 0 and set(summary.empty) == {c.name for c in CHARTS}
    assert page.count(">no data yet<") == len(CHARTS) and 'class="chart"' not in page
    assert dict(headline({}))["golden customers"] == "–"


def test_the_asset_writes_the_page_beside_the_warehouse_after_the_marts(warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    result = dg.materialize([dashboard], resources={"warehouse": Warehouse(database=str(copy))},
                            partition_key=RUN_DATE.isoformat(), instance=dg.DagsterInstance.ephemeral())
    assert result.success
    (mat,) = result.asset_materializations_for_node("exports__dashboard")
    assert mat.asset_key == KEY and mat.metadata["charts"].value == len(CHARTS)
    assert mat.metadata["dagster/uri"].value == (tmp_path / "w.dashboard.html").as_uri()
    assert (tmp_path / "w.dashboard.html").is_file()
    spec = dashboard.specs_by_key[KEY]
    assert spec.group_name == "exports" and spec.description and dashboard.partitions_def is not None
    known = build_definitions(tmp_path / "landing", copy).resolve_asset_graph().get_all_asset_keys()
    assert set(DEPS) <= set(known) and {d.asset_key for d in spec.deps} == set(DEPS)

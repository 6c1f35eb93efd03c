"""The dashboard's charts: one Altair chart per aggregate (assets/dashboard.py draws them by name).

Kept apart so that Altair is imported when a dashboard is drawn, not by every run and command."""

from __future__ import annotations

import altair as alt
import polars as pl

from models.segments import LIFECYCLE_STAGES

BLUE, ORANGE, GREY = "#4c78a8", "#f58518", "#59636e"
STATUS_LABELS = {"passed": "passed", "failed_warn": "failed (warn)", "failed_error": "failed (error)"}
STATUS = alt.Scale(domain=list(STATUS_LABELS.values()), range=["#2da44e", "#d4a72c", "#cf222e"])
BANDS = alt.Scale(domain=["low", "medium", "high"], range=["#2da44e", "#d4a72c", "#cf222e"])
TIERS = alt.Scale(domain=["VIP", "important", "ordinary"], range=["#8250df", BLUE, "#9ecae9"])


def _month() -> alt.X:
    return alt.X("utcyearmonth(month):T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0))


def growth(d: pl.DataFrame) -> alt.LayerChart:
    base = alt.Chart(d).encode(x=_month(), tooltip=[alt.Tooltip("utcyearmonth(month):T", title="month"),
                                                    "new_customers:Q", "total_customers:Q"])
    bars = base.mark_bar(color=BLUE, opacity=0.6).encode(y=alt.Y("new_customers:Q", title="new per month"))
    line = base.mark_line(color=ORANGE, strokeWidth=2.5).encode(y=alt.Y("total_customers:Q", title="total"))
    return alt.layer(bars, line).resolve_scale(y="independent")


def sources(d: pl.DataFrame) -> alt.Chart:
    return alt.Chart(d.rename({"golden_customers": "golden customers"})).transform_fold(
        ["records", "golden customers"], as_=["measure", "count"]).mark_bar().encode(
        y=alt.Y("source:N", sort="-x", title=None), x=alt.X("count:Q", title=None), yOffset="measure:N",
        color=alt.Color("measure:N", scale=alt.Scale(domain=["records", "golden customers"], range=[BLUE, ORANGE]),
                        title=None), tooltip=["source:N", "measure:N", "count:Q"])


def merges(d: pl.DataFrame) -> alt.Chart:
    return alt.Chart(d).mark_bar(color=BLUE).encode(
        x=alt.X("records_merged:O", title="source records per golden customer", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("customers:Q", title="golden customers"), tooltip=["records_merged:O", "customers:Q", "records:Q"])


def segments(d: pl.DataFrame) -> alt.Chart:
    return alt.Chart(d).mark_bar(color=BLUE).encode(
        y=alt.Y("segment:N", sort="-x", title=None), x=alt.X("customers:Q"), tooltip=["segment:N", "customers:Q"])


def tiers(d: pl.DataFrame) -> alt.Chart:
    return alt.Chart(d).transform_calculate(tier_order="indexof(['VIP', 'important', 'ordinary'], datum.value_tier)"
                                            ).mark_bar().encode(
        y=alt.Y("lifecycle_stage:N", sort=list(LIFECYCLE_STAGES), title=None), x=alt.X("customers:Q"),
        color=alt.Color("value_tier:N", scale=TIERS, title="tier"), order=alt.Order("tier_order:Q"),
        tooltip=["lifecycle_stage:N", "value_tier:N", "customers:Q"])


def clv(d: pl.DataFrame) -> alt.Chart:
    return alt.Chart(d).mark_bar(color=BLUE).encode(
        x=alt.X("band:N", sort=alt.EncodingSortField("band_order"), title="predicted CLV (CNY)",
                axis=alt.Axis(labelAngle=0)), y=alt.Y("customers:Q"),
        tooltip=["band:N", "customers:Q", alt.Tooltip("total_clv:Q", format=",.0f", title="total CLV (CNY)")])


def churn(d: pl.DataFrame) -> alt.Chart:
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("risk_band:N", sort=["low", "medium", "high"], title="risk band", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("customers:Q"), color=alt.Color("risk_band:N", scale=BANDS, legend=None),
        tooltip=["risk_band:N", "customers:Q", alt.Tooltip("mean_probability:Q", format=".0%", title="mean probability")])


def _lines(d: pl.DataFrame, x: alt.X, measures: dict[str, str], y: alt.Y) -> alt.Chart:
    """One line per measure; ``measures`` maps each column to its label."""
    return alt.Chart(d.rename(measures)).transform_fold(list(measures.values()), as_=["measure", "value"]).mark_line(
        point=True).encode(x=x, y=y, color=alt.Color("measure:N", title=None, scale=alt.Scale(
            domain=list(measures.values()), range=[BLUE, ORANGE, GREY][:len(measures)])),
        tooltip=["measure:N", alt.Tooltip("value:Q", format=".1f")])


def satisfaction(d: pl.DataFrame) -> alt.Chart:
    return _lines(d, _month(), {"csat_score": "CSAT (% satisfied)", "nps_score": "NPS"}, alt.Y("value:Q", title="score"))


def checks(d: pl.DataFrame) -> alt.Chart:
    runs = d.with_columns(run=pl.col("checked_at").str.slice(5, 11).str.replace("T", " ") + " "
                          + pl.col("run_id").str.slice(0, 4)).rename(STATUS_LABELS)
    return alt.Chart(runs).transform_fold(list(STATUS_LABELS.values()), as_=["status", "checks_n"]).mark_bar().encode(
        x=alt.X("run:N", sort=None, title="run (UTC)", axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("checks_n:Q", title="checks"), color=alt.Color("status:N", scale=STATUS, title=None),
        tooltip=["run:N", "status:N", alt.Tooltip("checks_n:Q", title="checks")])


def health(d: pl.DataFrame) -> alt.Chart:
    return _lines(d, alt.X("recorded_at:T", title="run", axis=alt.Axis(format="%Y-%m-%d", labelAngle=0)),
                  {"mean_health_score": "mean health score", "pct_complete": "% complete", "pct_stale": "% stale"},
                  alt.Y("value:Q", title="score / %", scale=alt.Scale(domain=[0, 100])))

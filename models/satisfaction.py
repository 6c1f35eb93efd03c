"""Customer satisfaction (满意度, seeds 002 §12): CSAT and NPS per customer, trend, service measures,
and per segment and month.

CSAT is the share of satisfied answers (4 or 5) among answers on the 1-5 scale, in percent;
NPS is the percentage of promoters (9-10) minus the percentage of detractors (0-6) among answers
on the 0-10 scale, in points from -100 to 100. Answers outside a scale are not answers.

Input frames (extra columns are ignored):
- customers: golden_id
- surveys: golden_id (null when the respondent matched no customer), response_id, survey_date
  (Date), csat (1-5, nullable), nps (0-10, nullable)
- tickets: golden_id, ticket_id, ticket_type, opened_at, resolved_at (nullable), hours_to_resolve
  (optional; computed from the timestamps where missing)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from models.segments import TICKET_INPUT, as_of_instant, require_columns, to_utc
from pipelines import config

SURVEY_INPUT = ("golden_id", "response_id", "survey_date", "csat", "nps")
SEGMENT_KINDS = ("all", "rfm_segment", "value_tier", "lifecycle_stage")
NO_PURCHASE = "No purchase"  # rfm_segment of a matched customer who never bought
UNMATCHED = "Unmatched"  # respondent not matched to a golden customer
TRENDS = ("improving", "stable", "declining")


@dataclass(frozen=True)
class SatisfactionSettings:
    """Trend window and thresholds; defaults live in pipelines/config.py (Marts block)."""

    trend_days: int = config.SATISFACTION_TREND_DAYS
    trend_min_csat: float = config.SATISFACTION_TREND_MIN_CSAT
    trend_min_nps: float = config.SATISFACTION_TREND_MIN_NPS


SATISFACTION_COLUMNS: dict[str, str] = {
    "golden_id": "Golden customer id (core.golden_customer).",
    "as_of": "Snapshot instant (UTC): surveys dated before it and tickets opened before it count.",
    "survey_responses": "Survey responses of the customer.",
    "last_survey_date": "Date of the latest response.",
    "latest_csat": "The customer's latest CSAT answer (1-5).",
    "latest_nps": "The customer's latest likelihood-to-recommend answer (0-10).",
    "latest_nps_group": "promoter (9-10), passive (7-8) or detractor (0-6), from latest_nps.",
    "csat_responses": "Answers on the CSAT scale (1-5).",
    "csat_score": "CSAT: percent of CSAT answers that are 4 or 5 (0-100), over all of the customer's answers.",
    "csat_mean": "Mean CSAT answer (1-5).",
    "nps_responses": "Answers on the NPS scale (0-10).",
    "nps_score": "NPS: percent of answers 9-10 minus percent 0-6, in points (-100..100), over all answers.",
    "csat_trend": "Mean CSAT answer in the trend window (last 90 days by default) minus the mean before it; "
                  "null unless both periods have answers.",
    "nps_trend": "Mean 0-10 answer in the trend window minus the mean before it; null unless both have answers.",
    "satisfaction_trend": "improving / stable / declining from csat_trend (or nps_trend when there is no "
                          "CSAT trend) against the configured minimum change; null without a trend.",
    "tickets": "Service tickets opened before as_of.",
    "complaints": "Complaint tickets opened before as_of.",
    "repairs": "Repair tickets opened before as_of.",
    "open_tickets": "Tickets not resolved by as_of.",
    "avg_hours_to_resolve": "Mean hours from opening to resolution over tickets resolved before as_of.",
    "median_hours_to_resolve": "Median hours from opening to resolution over tickets resolved before as_of.",
}

SEGMENT_MONTH_COLUMNS: dict[str, str] = {
    "segment_kind": "What the segment is: all (every response), rfm_segment, value_tier or lifecycle_stage.",
    "segment": f"The segment's value at the snapshot of the segments mart; '{NO_PURCHASE}' for the RFM "
               f"segment of customers who never bought, '{UNMATCHED}' for respondents matched to no customer.",
    "month": "First day of the survey month.",
    "respondents": "Distinct customers who answered (unmatched respondents not counted).",
    "responses": "Survey responses.",
    "csat_responses": "Answers on the CSAT scale (1-5).",
    "csat_score": "CSAT in percent (share of 4-5 answers).",
    "nps_responses": "Answers on the NPS scale (0-10).",
    "nps_score": "NPS in points (-100..100).",
}


# ---- the measures, as expressions usable in select and group_by().agg ---------------------------

def csat_answers(scores: pl.Expr) -> pl.Expr:
    return scores.is_between(1, 5).sum().cast(pl.Int64)


def nps_answers(scores: pl.Expr) -> pl.Expr:
    return scores.is_between(0, 10).sum().cast(pl.Int64)


def csat(scores: pl.Expr) -> pl.Expr:
    """Percent of answers on the 1-5 scale that are 4 or 5; null without answers."""
    answered = csat_answers(scores)
    satisfied = scores.is_between(4, 5).sum()
    return pl.when(answered > 0).then(satisfied * 100.0 / answered)


def nps(scores: pl.Expr) -> pl.Expr:
    """Percent promoters (9-10) minus percent detractors (0-6) among 0-10 answers; null without answers."""
    answered = nps_answers(scores)
    promoters = scores.is_between(9, 10).sum().cast(pl.Int64)
    detractors = scores.is_between(0, 6).sum().cast(pl.Int64)
    return pl.when(answered > 0).then((promoters - detractors) * 100.0 / answered)


def nps_group(score: pl.Expr) -> pl.Expr:
    return (pl.when(score.is_between(9, 10)).then(pl.lit("promoter"))
            .when(score.is_between(7, 8)).then(pl.lit("passive"))
            .when(score.is_between(0, 6)).then(pl.lit("detractor")))


# ---- per customer -------------------------------------------------------------------------------

def _surveys(surveys: pl.DataFrame, last_day: date | None) -> pl.DataFrame:
    require_columns(surveys, "surveys", SURVEY_INPUT)
    s = surveys.select(SURVEY_INPUT).with_columns(pl.col("golden_id", "response_id").cast(pl.String),
                                                  pl.col("survey_date").cast(pl.Date),
                                                  pl.col("csat").cast(pl.Int16), pl.col("nps").cast(pl.Int16))
    if last_day is not None:
        s = s.filter(pl.col("survey_date") <= last_day)
    return s.unique("response_id", keep="first", maintain_order=True)


def _survey_measures(s: pl.DataFrame, recent_from: date, settings: SatisfactionSettings) -> pl.DataFrame:
    csat_ok, nps_ok = pl.col("csat").is_between(1, 5), pl.col("nps").is_between(0, 10)
    recent = pl.col("survey_date") >= recent_from
    csat_trend = (pl.col("csat").filter(csat_ok & recent).mean() - pl.col("csat").filter(csat_ok & ~recent).mean())
    nps_trend = (pl.col("nps").filter(nps_ok & recent).mean() - pl.col("nps").filter(nps_ok & ~recent).mean())
    measured = (s.drop_nulls("golden_id").sort("golden_id", "survey_date", "response_id")
                .group_by("golden_id").agg(
                    survey_responses=pl.len().cast(pl.Int64),
                    last_survey_date=pl.col("survey_date").max(),
                    latest_csat=pl.col("csat").filter(csat_ok).last(),
                    latest_nps=pl.col("nps").filter(nps_ok).last(),
                    csat_responses=csat_answers(pl.col("csat")),
                    csat_score=csat(pl.col("csat")),
                    csat_mean=pl.col("csat").filter(csat_ok).mean(),
                    nps_responses=nps_answers(pl.col("nps")),
                    nps_score=nps(pl.col("nps")),
                    csat_trend=csat_trend,
                    nps_trend=nps_trend))
    change = pl.coalesce("csat_trend", "nps_trend")
    minimum = pl.when(pl.col("csat_trend").is_not_null()).then(settings.trend_min_csat).otherwise(settings.trend_min_nps)
    return measured.with_columns(
        latest_nps_group=nps_group(pl.col("latest_nps")),
        satisfaction_trend=pl.when(change >= minimum).then(pl.lit("improving"))
        .when(change <= -minimum).then(pl.lit("declining"))
        .when(change.is_not_null()).then(pl.lit("stable")))


def service_measures(tickets: pl.DataFrame | None, as_of: datetime) -> pl.DataFrame:
    """Per customer: tickets, complaints, repairs, open tickets and hours to resolve, as of as_of."""
    schema = {"golden_id": pl.String, "tickets": pl.Int64, "complaints": pl.Int64, "repairs": pl.Int64,
              "open_tickets": pl.Int64, "avg_hours_to_resolve": pl.Float64, "median_hours_to_resolve": pl.Float64}
    if tickets is None or tickets.is_empty():
        return pl.DataFrame(schema=schema)
    require_columns(tickets, "tickets", TICKET_INPUT)
    given = pl.col("hours_to_resolve").cast(pl.Float64) if "hours_to_resolve" in tickets.columns else pl.lit(None, pl.Float64)
    typed = tickets.with_columns(pl.col("golden_id", "ticket_id", "ticket_type").cast(pl.String), hours_given=given)
    t = (to_utc(typed.select(*TICKET_INPUT, "hours_given"), "opened_at", "resolved_at")
         .filter(pl.col("golden_id").is_not_null(), pl.col("opened_at") < as_of)
         .unique("ticket_id", keep="first", maintain_order=True))
    resolved = pl.col("resolved_at").is_not_null() & (pl.col("resolved_at") < as_of)
    computed = (pl.col("resolved_at") - pl.col("opened_at")).dt.total_microseconds() / 3_600_000_000
    hours = pl.when(resolved).then(pl.coalesce("hours_given", computed))
    return (t.with_columns(hours=hours).group_by("golden_id").agg(
        tickets=pl.len(),
        complaints=(pl.col("ticket_type") == "complaint").sum(),
        repairs=(pl.col("ticket_type") == "repair").sum(),
        open_tickets=(~resolved).sum(),
        avg_hours_to_resolve=pl.col("hours").mean(),
        median_hours_to_resolve=pl.col("hours").median(),
    ).cast(schema))


def customer_satisfaction(customers: pl.DataFrame, surveys: pl.DataFrame, tickets: pl.DataFrame | None,
                          as_of: date | datetime, settings: SatisfactionSettings = SatisfactionSettings()) -> pl.DataFrame:
    """One row per golden customer with every column of SATISFACTION_COLUMNS, in that order.

    Surveys count up to the last day before the snapshot instant (a date as_of includes that day);
    the trend compares answers in the last trend_days days with all earlier ones.
    """
    require_columns(customers, "customers", ("golden_id",))
    at = as_of_instant(as_of)
    last_day = (at - timedelta(microseconds=1)).date()
    measures = _survey_measures(_surveys(surveys, last_day), last_day - timedelta(days=settings.trend_days - 1), settings)
    service = service_measures(tickets, at)
    counts = ("survey_responses", "csat_responses", "nps_responses", "tickets", "complaints", "repairs", "open_tickets")
    return (customers.select("golden_id").unique(keep="first", maintain_order=True)
            .join(measures, on="golden_id", how="left")
            .join(service, on="golden_id", how="left")
            .with_columns(pl.col(*counts).fill_null(0), as_of=pl.lit(at))
            .select(list(SATISFACTION_COLUMNS)).sort("golden_id"))


# ---- per segment and month ----------------------------------------------------------------------

def satisfaction_by_segment_month(surveys: pl.DataFrame, segments: pl.DataFrame,
                                  as_of: date | datetime | None = None) -> pl.DataFrame:
    """Responses, CSAT and NPS per segment and survey month, for every kind in SEGMENT_KINDS.

    A customer counts in the segment it has in ``segments`` (one snapshot), for all months: this
    shows how today's segments rated us over time, not how segment membership moved. Surveys after
    as_of (when given) are left out.
    """
    require_columns(segments, "segments", ("golden_id", *SEGMENT_KINDS[1:]))
    last_day = None if as_of is None else (as_of_instant(as_of) - timedelta(microseconds=1)).date()
    s = _surveys(surveys, last_day)
    members = segments.select("golden_id", *SEGMENT_KINDS[1:], matched=pl.lit(True)).unique("golden_id", keep="first")
    joined = s.join(members, on="golden_id", how="left").with_columns(
        pl.col("matched").fill_null(False), month=pl.col("survey_date").dt.truncate("1mo"))
    labelled = joined.with_columns(
        all=pl.lit("all"),
        rfm_segment=pl.when(~pl.col("matched")).then(pl.lit(UNMATCHED)).otherwise(pl.col("rfm_segment").fill_null(NO_PURCHASE)),
        value_tier=pl.when(~pl.col("matched")).then(pl.lit(UNMATCHED)).otherwise(pl.col("value_tier")),
        lifecycle_stage=pl.when(~pl.col("matched")).then(pl.lit(UNMATCHED)).otherwise(pl.col("lifecycle_stage")),
    )
    long = labelled.unpivot(index=["golden_id", "matched", "month", "csat", "nps"], on=list(SEGMENT_KINDS),
                            variable_name="segment_kind", value_name="segment")
    return (long.group_by("segment_kind", "segment", "month").agg(
        respondents=pl.col("golden_id").filter(pl.col("matched")).n_unique().cast(pl.Int64),
        responses=pl.len().cast(pl.Int64),
        csat_responses=csat_answers(pl.col("csat")),
        csat_score=csat(pl.col("csat")),
        nps_responses=nps_answers(pl.col("nps")),
        nps_score=nps(pl.col("nps")),
    ).select(list(SEGMENT_MONTH_COLUMNS)).sort("segment_kind", "segment", "month"))

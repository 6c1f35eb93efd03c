"""Satisfaction: CSAT and NPS on small lists, per customer (latest, trend, service) and per segment and month."""

from __future__ import annotations

from datetime import date, datetime, timezone

import polars as pl
import pytest

from models import satisfaction as sat

AS_OF = date(2024, 12, 31)  # surveys up to this day count; the trend window is 2024-10-03 .. 2024-12-31


def utc(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=timezone.utc)


def surveys_frame(rows: list[tuple]) -> pl.DataFrame:
    """rows: (golden_id, response_id, survey_date, csat, nps)."""
    return pl.DataFrame(rows, schema={"golden_id": pl.String, "response_id": pl.String, "survey_date": pl.Date,
                                      "csat": pl.Int8, "nps": pl.Int8}, orient="row")


@pytest.mark.parametrize(("scores", "expected"), [
    ([5, 4, 3, 2, 1], 40.0),
    ([4, 5, None], 100.0),          # no answer is not an answer
    ([3], 0.0),
    ([6, 0, 4], 100.0),             # off the 1-5 scale: ignored
    ([1, 2, 4], 100 / 3),
    ([], None),
    ([None, None], None),
])
def test_csat_is_percent_of_4_and_5_among_1_to_5_answers(scores, expected):
    got = pl.DataFrame({"s": scores}, schema={"s": pl.Int64}).select(sat.csat(pl.col("s"))).item()
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(("scores", "expected"), [
    ([10, 9, 8, 7, 0], 20.0),       # 40% promoters - 20% detractors
    ([10, 10, 10], 100.0),
    ([0, 1, 2, 3, 4, 5, 6], -100.0),
    ([7, 8], 0.0),                  # passives only
    ([9, 10, 6, None], 100 / 3),    # 2 of 3 promoters, 1 of 3 detractors
    ([11, -1, 9], 100.0),           # off the 0-10 scale: ignored
    ([], None),
])
def test_nps_is_promoters_minus_detractors_in_points(scores, expected):
    got = pl.DataFrame({"s": scores}, schema={"s": pl.Int64}).select(sat.nps(pl.col("s"))).item()
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_csat_and_nps_aggregate_per_group():
    frame = pl.DataFrame({"g": ["a", "a", "b", "b"], "csat": [5, 1, 4, 4], "nps": [10, 0, 9, 7]})
    got = frame.group_by("g").agg(sat.csat(pl.col("csat")), sat.nps(pl.col("nps"))).sort("g").rows()
    assert got == [("a", 50.0, 0.0), ("b", 100.0, 50.0)]


SURVEYS = surveys_frame([
    ("A", "r1", date(2024, 6, 1), 2, 3),
    ("A", "r2", date(2024, 11, 15), 5, 10),
    ("A", "r3", date(2024, 12, 20), 4, 6),
    ("A", "r4", date(2025, 1, 2), 1, 0),        # after as_of: ignored
    (None, "r5", date(2024, 12, 1), 1, 0),      # matched no customer
    ("C", "r6", date(2024, 12, 1), None, 8),
    ("C", "r7", date(2024, 12, 2), 7, None),    # CSAT off the scale
    ("D", "r8", date(2024, 5, 1), 5, None), ("D", "r9", date(2024, 11, 1), 5, None),
    ("D", "r10", date(2024, 12, 1), 4, None),   # mean 4.5 after 5: -0.5
    ("E", "r11", date(2024, 5, 1), 3, 2), ("E", "r12", date(2024, 12, 1), 3, 9),  # CSAT flat decides
    ("F", "r13", date(2024, 5, 1), None, 5), ("F", "r14", date(2024, 12, 1), None, 6),  # only NPS: +1
])
TICKETS = pl.DataFrame(
    [("A", "t1", "complaint", utc(2024, 12, 1), utc(2024, 12, 1, 10), 10.0),
     ("A", "t2", "repair", utc(2024, 11, 1), utc(2024, 11, 2, 6), None),         # 30 h from the timestamps
     ("A", "t3", "consultation", utc(2024, 10, 1), utc(2024, 10, 1, 2), 2.0),
     ("A", "t4", "consultation", utc(2024, 12, 30), None, None),                 # open
     ("A", "t5", "repair", utc(2024, 12, 31, 20), utc(2025, 1, 1, 4), 8.0),      # resolved after as_of: open
     ("A", "t6", "complaint", utc(2025, 1, 3), None, None),                      # opened after as_of
     (None, "t7", "complaint", utc(2024, 12, 1), None, None)],                   # matched no customer
    schema={"golden_id": pl.String, "ticket_id": pl.String, "ticket_type": pl.String,
            "opened_at": pl.Datetime("us", "UTC"), "resolved_at": pl.Datetime("us", "UTC"),
            "hours_to_resolve": pl.Float64}, orient="row")
CUSTOMERS = pl.DataFrame({"golden_id": ["A", "B", "C", "D", "E", "F"]})


@pytest.fixture(scope="module")
def per_customer() -> dict[str, dict]:
    got = sat.customer_satisfaction(CUSTOMERS, SURVEYS, TICKETS, AS_OF)
    assert got.columns == list(sat.SATISFACTION_COLUMNS)
    return {row["golden_id"]: row for row in got.to_dicts()}


def test_customer_satisfaction_of_a_customer_with_surveys_and_tickets(per_customer):
    a = per_customer["A"]
    assert (a["survey_responses"], a["last_survey_date"], a["latest_csat"], a["latest_nps"], a["latest_nps_group"]) \
        == (3, date(2024, 12, 20), 4, 6, "detractor")
    assert a["csat_responses"] == 3 and a["csat_score"] == pytest.approx(200 / 3)    # 5 and 4 of 2, 5, 4
    assert a["csat_mean"] == pytest.approx(11 / 3)
    assert a["nps_responses"] == 3 and a["nps_score"] == pytest.approx(-100 / 3)     # 10 vs 3 and 6
    assert a["csat_trend"] == pytest.approx(2.5) and a["nps_trend"] == pytest.approx(5.0)  # (5+4)/2-2, (10+6)/2-3
    assert a["satisfaction_trend"] == "improving"
    assert (a["tickets"], a["complaints"], a["repairs"], a["open_tickets"]) == (5, 1, 2, 2)
    assert a["avg_hours_to_resolve"] == pytest.approx(14.0) and a["median_hours_to_resolve"] == 10.0  # 10, 30, 2


def test_customer_without_surveys_or_tickets_has_zero_counts_and_no_scores(per_customer):
    b = per_customer["B"]
    assert (b["survey_responses"], b["tickets"], b["open_tickets"]) == (0, 0, 0)
    assert b["csat_score"] is None and b["nps_score"] is None and b["satisfaction_trend"] is None


def test_answers_off_the_scale_do_not_count(per_customer):
    c = per_customer["C"]
    assert (c["survey_responses"], c["csat_responses"], c["csat_score"], c["latest_csat"]) == (2, 0, None, None)
    assert (c["nps_responses"], c["nps_score"], c["latest_nps_group"]) == (1, 0.0, "passive")
    assert c["satisfaction_trend"] is None  # nothing before the window


@pytest.mark.parametrize(("customer", "csat_trend", "nps_trend", "label"), [
    ("D", -0.5, None, "declining"),   # CSAT change at the threshold
    ("E", 0.0, 7.0, "stable"),        # the CSAT trend decides when there is one
    ("F", None, 1.0, "improving"),    # no CSAT: NPS change at its threshold
])
def test_trend_label_from_csat_else_nps(per_customer, customer, csat_trend, nps_trend, label):
    row = per_customer[customer]
    assert row["csat_trend"] == (pytest.approx(csat_trend) if csat_trend is not None else None)
    assert row["nps_trend"] == (pytest.approx(nps_trend) if nps_trend is not None else None)
    assert row["satisfaction_trend"] == label


def test_satisfaction_by_segment_and_month():
    segments = pl.DataFrame({"golden_id": ["A", "B"], "rfm_segment": ["Champions", None],
                             "value_tier": ["VIP", "ordinary"], "lifecycle_stage": ["loyal", "potential"]})
    surveys = surveys_frame([
        ("A", "r1", date(2024, 1, 5), 5, 10), ("A", "r2", date(2024, 1, 20), 3, 6),
        ("B", "r3", date(2024, 1, 9), 4, 9),
        (None, "r4", date(2024, 2, 1), 1, 0),
        ("Z", "r5", date(2024, 2, 3), 5, None),   # a golden id the segments don't know
    ])
    got = sat.satisfaction_by_segment_month(surveys, segments)
    assert got.columns == list(sat.SEGMENT_MONTH_COLUMNS)
    rows = {(r[0], r[1], r[2]): r[3:] for r in got.rows()}
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    # respondents, responses, csat answers, csat, nps answers, nps
    assert rows[("all", "all", jan)] == (2, 3, 3, pytest.approx(200 / 3), 3, pytest.approx(100 / 3))
    assert rows[("all", "all", feb)] == (0, 2, 2, 50.0, 1, -100.0)
    assert rows[("rfm_segment", "Champions", jan)] == (1, 2, 2, 50.0, 2, 0.0)
    assert rows[("rfm_segment", sat.NO_PURCHASE, jan)] == (1, 1, 1, 100.0, 1, 100.0)
    assert rows[("rfm_segment", sat.UNMATCHED, feb)] == (0, 2, 2, 50.0, 1, -100.0)
    assert rows[("value_tier", "VIP", jan)] == (1, 2, 2, 50.0, 2, 0.0)
    assert rows[("lifecycle_stage", "potential", jan)] == (1, 1, 1, 100.0, 1, 100.0)
    assert len(rows) == (1 + 3 * 2) + (1 + 3)  # Jan: all + A's and B's segment of each kind; Feb: all + Unmatched

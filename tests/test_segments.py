"""Segments: RFM scores and segments, value tiers, lifecycle stages, tags, regions (known answers by hand)."""

from __future__ import annotations

import ast
import dataclasses
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.standardize.reference.regions import CN_PROVINCES
from models import segments as sg
from pipelines import config

SETTINGS = sg.SegmentSettings.from_config(config)  # the pipeline's thresholds
PROVINCES = sg.province_regions(CN_PROVINCES)

AS_OF = date(2024, 12, 31)  # a date means its end: the snapshot instant is 2025-01-01 00:00 UTC
INSTANT = datetime(2025, 1, 1, tzinfo=timezone.utc)


def at(y: int, m: int, d: int, hour: int = 12) -> datetime:
    return datetime(y, m, d, hour, tzinfo=timezone.utc)


def days_ago(n: float) -> datetime:
    return INSTANT - timedelta(days=n)


def customers_frame(rows: list[dict]) -> pl.DataFrame:
    base = {"customer_kind": "person", "first_seen_at": None, "industry": None, "company_size": None,
            "province": None, "city": None, "country": None}
    return pl.DataFrame([{**base, **r} for r in rows], schema={
        "golden_id": pl.String, "customer_kind": pl.String, "first_seen_at": pl.Datetime("us", "UTC"),
        "industry": pl.String, "company_size": pl.String, "province": pl.String, "city": pl.String,
        "country": pl.String})


def orders_frame(rows: list[tuple]) -> pl.DataFrame:
    """rows: (golden_id, order_id, ordered_at, status, amount)."""
    schema = {"golden_id": pl.String, "order_id": pl.String, "ordered_at": pl.Datetime("us", "UTC"),
              "status": pl.String, "amount": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def tickets_frame(rows: list[tuple]) -> pl.DataFrame:
    """rows: (golden_id, ticket_id, ticket_type, opened_at, resolved_at)."""
    return pl.DataFrame(rows, schema={"golden_id": pl.String, "ticket_id": pl.String, "ticket_type": pl.String,
                                      "opened_at": pl.Datetime("us", "UTC"),
                                      "resolved_at": pl.Datetime("us", "UTC")}, orient="row")


# ---- RFM ------------------------------------------------------------------------------------------

# Six buyers, a customer who never ordered (G) and one whose orders were all cancelled or refunded (H).
RFM_ORDERS = orders_frame([
    ("A", "a1", at(2024, 3, 1), "paid", 100.0), ("A", "a2", at(2024, 9, 1), "paid", 100.0),
    ("A", "a3", at(2024, 12, 30), "paid", 100.0),
    ("A", "a4", at(2025, 1, 5), "paid", 9999.0),  # after as_of: ignored
    ("B", "b1", at(2024, 10, 1), "paid", 50.0), ("B", "b2", at(2024, 11, 1), "paid", 50.0),
    ("B", "b3", at(2024, 12, 20), "paid", 50.0), ("B", "b3", at(2024, 12, 20), "paid", 50.0),  # delivered twice
    ("C", "c1", at(2024, 11, 1), "paid", 1000.0),
    ("D", "d1", at(2024, 2, 1), "paid", 200.0), ("D", "d2", at(2024, 6, 1), "paid", 100.0),
    ("E", "e1", at(2024, 1, 1), "paid", 20.0),
    ("F", "f1", at(2023, 6, 1), "paid", 40.0),
    ("H", "h1", at(2024, 12, 1), "cancelled", 500.0), ("H", "h2", at(2024, 12, 2), "refunded", 500.0),
])

# By hand, n = 6 buyers, percent rank = (mean rank - 1) / 5, score = 1 + cuts (.2 .4 .6 .8) at or below it.
# R on the last order, oldest first: F E D C B A -> 0 .2 .4 .6 .8 1 -> 1 2 3 4 5 5
# F: 1,1,1 (C E F: mean rank 2 -> .2 -> 2), 2 (D: rank 4 -> .6 -> 4), 3,3 (A B: 5.5 -> .9 -> 5)
# M: E 20 (0 -> 1), F 40 (.2 -> 2), B 150 (.4 -> 3), A 300 = D 300 (4.5 -> .7 -> 4), C 1000 (1 -> 5)
# FM = round half up of (F + M) / 2; segment = RFM_GRID[FM][R]
RFM_EXPECTED = [
    # id, recency_days, frequency, monetary, R, F, M, FM, segment
    ("A", 1, 3, 300.0, 5, 5, 4, 5, "Champions"),        # 2024-12-30 12:00 -> 1.5 days
    ("B", 11, 3, 150.0, 5, 5, 3, 4, "Champions"),       # the order delivered twice counts once
    ("C", 60, 1, 1000.0, 4, 2, 5, 4, "Loyal customers"),  # 30 + 31 days - 12 h
    ("D", 213, 2, 300.0, 3, 4, 4, 4, "Loyal customers"),  # 2024-06-01: 214 days - 12 h
    ("E", 365, 1, 20.0, 2, 2, 1, 2, "Hibernating"),     # 366 days (leap year) - 12 h
    ("F", 579, 1, 40.0, 1, 2, 2, 2, "Hibernating"),     # 366 + 214 days - 12 h
]


def test_rfm_scores_and_segments_on_a_hand_made_order_table():
    got = sg.rfm(RFM_ORDERS, AS_OF).sort("golden_id")
    rows = got.select("golden_id", "recency_days", "frequency", "monetary_cny", "r_score", "f_score",
                      "m_score", "fm_score", "rfm_segment").rows()
    assert rows == RFM_EXPECTED
    assert got.filter(pl.col("golden_id") == "A")["rfm_code"].item() == "554"


def test_rfm_leaves_out_customers_without_paid_orders():
    assert set(sg.rfm(RFM_ORDERS, AS_OF)["golden_id"]) == {"A", "B", "C", "D", "E", "F"}


def test_rfm_is_the_same_whatever_the_row_order():
    shuffled = RFM_ORDERS.sample(fraction=1.0, shuffle=True, seed=7)
    assert sg.rfm(shuffled, AS_OF).sort("golden_id").equals(sg.rfm(RFM_ORDERS, AS_OF).sort("golden_id"))


@pytest.mark.parametrize(("values", "scores"), [
    ([10, 20, 30, 40, 50], [1, 2, 3, 4, 5]),
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
    ([7, 7, 7, 7], [3, 3, 3, 3]),            # all tied: mean rank 2.5 -> .5
    ([1, 1, 1, 1, 1, 1, 2, 2, 3, 9], [2, 2, 2, 2, 2, 2, 4, 4, 5, 5]),  # ones: 3.5 -> .278; twos 7.5 -> .722
    ([42], [1]),                             # one customer: percent rank 0
])
def test_quantile_score_bins_by_percent_rank_with_ties_at_their_mean_rank(values, scores):
    got = pl.DataFrame({"x": values}).select(sg.quantile_score(pl.col("x")))["x"].to_list()
    assert got == scores


@pytest.mark.parametrize(("r", "f", "m", "segment"), [
    (5, 5, 5, "Champions"), (5, 4, 5, "Champions"), (4, 4, 5, "Loyal customers"),
    (3, 5, 4, "Loyal customers"), (4, 4, 3, "Loyal customers"),      # FM 3.5 rounds up to 4
    (5, 3, 2, "Potential loyalists"), (4, 2, 2, "Potential loyalists"),
    (5, 1, 1, "New customers"), (4, 1, 1, "Promising"),
    (3, 3, 3, "Need attention"), (3, 1, 2, "About to sleep"),           # FM 1.5 -> 2
    (2, 4, 3, "At risk"), (1, 3, 3, "At risk"),
    (1, 5, 5, "Can't lose them"), (2, 5, 4, "Can't lose them"),
    (2, 2, 2, "Hibernating"), (1, 2, 1, "Hibernating"), (2, 1, 1, "Hibernating"),
    (1, 1, 1, "Lost"),
])
def test_rfm_grid_cells(r, f, m, segment):
    frame = pl.DataFrame({"r": [r], "f": [f], "m": [m]})
    assert frame.select(sg.rfm_segment(pl.col("r"), pl.col("f"), pl.col("m"))).item() == segment


def test_every_rfm_combination_names_exactly_one_known_segment_and_every_segment_occurs():
    combos = pl.DataFrame([(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)],
                          schema=["r", "f", "m"], orient="row")
    named = combos.select(sg.rfm_segment(pl.col("r"), pl.col("f"), pl.col("m")))["r"]
    assert named.null_count() == 0 and len(named) == 125
    assert set(named) == set(sg.RFM_SEGMENTS)


# ---- value tier ---------------------------------------------------------------------------------

def tier_case(rows: list[tuple[str, float, int]], settings: sg.SegmentSettings, spend_days_ago: float = 10):
    """rows: (id, spend in the window, tenure days); spend 0 means no order at all."""
    customers = customers_frame([{"golden_id": g, "first_seen_at": days_ago(t)} for g, _, t in rows])
    orders = orders_frame([(g, f"{g}-1", days_ago(spend_days_ago), "paid", s) for g, s, _ in rows if s > 0])
    return dict(sg.value_tier(customers, orders, AS_OF, settings).select("golden_id", "value_tier").rows())


ABSOLUTE = dataclasses.replace(SETTINGS, vip_min_spend_cny=1000, vip_top_share=0, vip_min_tenure_days=365,
                              important_min_spend_cny=300, important_top_share=0, important_min_tenure_days=30)


def test_tier_by_absolute_spend_and_tenure_thresholds():
    got = tier_case([
        ("vip", 5000, 400, ), ("vip_at_both_limits", 1000, 365), ("just_under_vip_spend", 999.99, 400),
        ("vip_spend_short_tenure", 5000, 364), ("important_at_limits", 300, 30), ("under_important", 299, 400),
        ("too_new_for_any_tier", 5000, 29), ("never_bought", 0, 1000),
    ], ABSOLUTE)
    assert got == {"vip": "VIP", "vip_at_both_limits": "VIP", "just_under_vip_spend": "important",
                   "vip_spend_short_tenure": "important", "important_at_limits": "important",
                   "under_important": "ordinary", "too_new_for_any_tier": "ordinary", "never_bought": "ordinary"}


def test_tier_counts_only_spend_inside_the_window():
    got = tier_case([("old_big_spender", 5000, 800)], ABSOLUTE, spend_days_ago=400)
    assert got == {"old_big_spender": "ordinary"}


def test_tier_by_top_share_of_spenders_with_ties():
    shares = dataclasses.replace(SETTINGS, vip_min_spend_cny=1e12, vip_top_share=0.1, vip_min_tenure_days=365,
                                important_min_spend_cny=1e12, important_top_share=0.3,
                                important_min_tenure_days=30)
    spends = [1000, 900, 900, 700, 600, 500, 400, 300, 200, 100]  # ten spenders
    # share of spenders who spent more: 1000 -> 0, 900s -> .1 each, 700 -> .3, ...
    got = tier_case([(f"s{s}{i}", s, 400) for i, s in enumerate(spends)] + [("none", 0, 400)], shares)
    assert got == {"s10000": "VIP", "s9001": "important", "s9002": "important", "s7003": "ordinary",
                   "s6004": "ordinary", "s5005": "ordinary", "s4006": "ordinary", "s3007": "ordinary",
                   "s2008": "ordinary", "s1009": "ordinary", "none": "ordinary"}


# ---- lifecycle ------------------------------------------------------------------------------------

LIFECYCLE_CASES = {
    # id: (order ages in days, first seen days ago, expected stage)  -- default settings
    "never_bought": ([], 500, "potential"),
    "first_order_10_days_ago": ([10], 10, "new"),
    "two_orders_100_days_apart": ([200, 100], 200, "active"),   # gap 100, silent 100 < 2 x 100
    "regular_buyer": ([500, 300, 100, 30], 500, "loyal"),        # 4 orders, tenure 500, last 30 days ago
    "quiet_200_days": ([200], 300, "at_risk"),                   # > 180 days
    "overdue_for_their_rhythm": ([100, 95, 90], 100, "at_risk"),  # gap 5, silent 90 > 60 and > 2 x 5
    "quiet_400_days": ([400], 400, "lost"),                      # > 365 days
    "cancelled_only": ([], 50, "potential"),
}


def test_lifecycle_stage_of_hand_made_histories():
    customers = customers_frame([{"golden_id": g, "first_seen_at": days_ago(seen)}
                                 for g, (_, seen, _) in LIFECYCLE_CASES.items()])
    orders = orders_frame([(g, f"{g}-{i}", days_ago(age), "paid", 100.0)
                           for g, (ages, _, _) in LIFECYCLE_CASES.items() for i, age in enumerate(ages)]
                          + [("cancelled_only", "x", days_ago(5), "cancelled", 100.0)])
    got = dict(sg.lifecycle_stage(customers, orders, AS_OF, SETTINGS).select("golden_id", "lifecycle_stage").rows())
    assert got == {g: stage for g, (_, _, stage) in LIFECYCLE_CASES.items()}


order_histories = st.dictionaries(
    keys=st.sampled_from([f"c{i}" for i in range(12)]),
    values=st.lists(st.tuples(st.integers(-30, 1500), st.sampled_from(["paid", "paid", "cancelled", "refunded"])),
                    max_size=6),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories=order_histories, seen=st.lists(st.one_of(st.none(), st.integers(-10, 3000)), min_size=12,
                                                max_size=12))
def test_every_customer_gets_exactly_one_lifecycle_stage(histories, seen):
    ids = [f"c{i}" for i in range(12)]
    customers = customers_frame([{"golden_id": g, "first_seen_at": None if s is None else days_ago(s)}
                                 for g, s in zip(ids, seen, strict=True)])
    orders = orders_frame([(g, f"{g}-{i}", days_ago(age + 0.25), status, 10.0)
                           for g, history in histories.items() for i, (age, status) in enumerate(history)])
    got = sg.lifecycle_stage(customers, orders, AS_OF, SETTINGS)
    assert sorted(got["golden_id"]) == sorted(ids)
    assert got["lifecycle_stage"].null_count() == 0
    assert set(got["lifecycle_stage"]) <= set(sg.LIFECYCLE_STAGES)
    bought = {g for g, h in histories.items() if any(age >= 0 and status == "paid" for age, status in h)}
    stages = dict(got.select("golden_id", "lifecycle_stage").rows())
    assert {g for g, s in stages.items() if s != "potential"} == bought
    # lost is exactly "no paid order for more than a year" (each order is age + 6 h old)
    last_age = {g: min(age for age, status in h if age >= 0 and status == "paid") for g, h in histories.items()
                if g in bought}
    assert {g for g, s in stages.items() if s == "lost"} == {g for g, age in last_age.items() if age > 365}
    # the whole mart agrees with the function and keeps one row per customer
    mart = sg.customer_segments(customers, orders, None, AS_OF, settings=SETTINGS)
    assert dict(mart.select("golden_id", "lifecycle_stage").rows()) == stages


# ---- tags, categories, the mart -----------------------------------------------------------------

def test_tags_from_tier_lifecycle_complaints_tickets_and_churn_band():
    customers = customers_frame([{"golden_id": g, "first_seen_at": days_ago(1000)}
                                 for g in ["vip", "prospect", "lost", "lost_low_band", "active_high_band", "complained"]])
    orders = orders_frame([
        ("vip", "v1", days_ago(5), "paid", 50_000.0),
        ("lost", "l1", days_ago(500), "paid", 10.0), ("lost_low_band", "l2", days_ago(500), "paid", 10.0),
        ("active_high_band", "a1", days_ago(300), "paid", 10.0), ("active_high_band", "a2", days_ago(20), "paid", 10.0),
        ("complained", "c1", days_ago(300), "paid", 10.0), ("complained", "c2", days_ago(20), "paid", 10.0),
    ])
    tickets = tickets_frame([
        ("complained", "t1", "complaint", days_ago(10), days_ago(9)),  # complaint in the last 90 days
        ("vip", "t2", "complaint", days_ago(100), days_ago(99)),       # complaint too old to count
        ("vip", "t3", "repair", days_ago(3), None),                    # still open
    ])
    churn = pl.DataFrame({"golden_id": ["lost_low_band", "active_high_band"], "risk_band": ["low", "high"]})
    mart = sg.customer_segments(customers, orders, tickets, AS_OF, churn=churn, settings=SETTINGS)
    got = {g: t for g, t in mart.select("golden_id", "tags").rows()}
    assert got == {"vip": ["VIP", "open_ticket"], "prospect": ["potential"], "lost": ["high_risk"],
                   "lost_low_band": [], "active_high_band": ["high_risk"], "complained": ["complainer"]}


@pytest.mark.parametrize(("province", "country", "region"), [
    ("广东省", "CN", "华南"), ("广东", None, "华南"), ("北京市", "CN", "华北"), ("内蒙古自治区", "CN", "华北"),
    ("黑龙江省", "CN", "东北"), ("CN-LN", "CN", "东北"), ("上海", "CN", "华东"), ("Zhejiang", "cn", "华东"),
    ("湖北省", "CN", "华中"), ("河南", "CN", "华中"), ("广西壮族自治区", "CN", "华南"), ("香港特别行政区", "CN", "华南"),
    ("Sichuan", "CN", "西南"), ("重庆市", "CN", "西南"), ("陕西省", "CN", "西北"), ("新疆维吾尔自治区", "CN", "西北"),
    ("California", "US", "US"), (None, "GB", "GB"), ("NSW", "AU", "AU"),
    (None, None, None), ("Atlantis", "CN", None), (None, "CN", None),
])
def test_region_of_province_or_country(province, country, region):
    frame = pl.DataFrame({"p": [province], "c": [country]}, schema={"p": pl.String, "c": pl.String})
    assert frame.select(sg.region(pl.col("p"), pl.col("c"), PROVINCES)).item() == region


def test_company_categories_keep_industry_and_size_for_companies_only():
    customers = customers_frame([
        {"golden_id": "co", "customer_kind": "company", "industry": "制造业", "company_size": "medium",
         "province": "江苏省", "country": "CN"},
        {"golden_id": "pe", "customer_kind": "person", "industry": "教育", "company_size": "small",
         "province": "四川省", "country": "CN"},
    ])
    got = {r[0]: r[1:] for r in sg.company_categories(customers, PROVINCES).rows()}
    assert got == {"co": ("制造业", "medium", "华东"), "pe": (None, None, "西南")}


def test_mart_has_one_documented_row_per_customer_and_ignores_unknown_customers():
    customers = customers_frame([{"golden_id": g} for g in ["A", "B", "C", "D", "E", "F", "G", "H"]])
    orders = pl.concat([RFM_ORDERS, orders_frame([("ghost", "g1", at(2024, 5, 1), "paid", 1.0)])])
    mart = sg.customer_segments(customers, orders, None, AS_OF, settings=SETTINGS)
    assert mart.columns == list(sg.SEGMENT_COLUMNS)
    assert mart["golden_id"].to_list() == ["A", "B", "C", "D", "E", "F", "G", "H"]
    assert all(desc.strip() for desc in sg.SEGMENT_COLUMNS.values())
    never = mart.filter(pl.col("golden_id").is_in(["G", "H"]))
    assert never["frequency"].to_list() == [0, 0] and never["rfm_segment"].to_list() == [None, None]
    assert never["lifecycle_stage"].to_list() == ["potential", "potential"]
    # the scores are those of rfm(): the ghost buyer is not among the ranked customers
    assert mart.drop_nulls("r_score").select("golden_id", "rfm_segment").rows() == [(r[0], r[8]) for r in RFM_EXPECTED]


def test_as_of_date_includes_its_whole_day_and_any_utc_spelling_works():
    orders = orders_frame([("A", "a1", datetime(2024, 12, 31, 23, 59, tzinfo=timezone.utc), "paid", 1.0),
                           ("A", "a2", datetime(2025, 1, 1, 0, 0, tzinfo=timezone.utc), "paid", 1.0)])
    for zone in ["Etc/UTC", "Asia/Shanghai"]:
        zoned = orders.with_columns(pl.col("ordered_at").dt.convert_time_zone(zone))
        got = sg.rfm(zoned, AS_OF)
        assert got["frequency"].to_list() == [1] and got["recency_days"].to_list() == [0]


def test_missing_input_column_is_named():
    with pytest.raises(ValueError, match="orders frame lacks column.*amount"):
        sg.rfm(RFM_ORDERS.drop("amount"), AS_OF)


def test_amount_in_cny_uses_fixed_rates():
    frame = pl.DataFrame({"amount": [10.0, 10.0, 10.0], "currency": ["CNY", "usd", "XYZ"]})
    got = frame.select(sg.amount_in_cny(pl.col("amount"), pl.col("currency"), {"CNY": 1.0, "USD": 7.1}))
    assert got["amount"].to_list() == [10.0, 71.0, None]


# ---- settings and layering ------------------------------------------------------------------------

def test_settings_come_from_the_pipeline_configuration():
    assert set(sg.CONFIG_NAMES) == {f.name for f in dataclasses.fields(sg.SegmentSettings)}
    for name, constant in sg.CONFIG_NAMES.items():
        assert getattr(SETTINGS, name) == getattr(config, constant), name


def test_settings_refuse_cuts_that_are_not_four_ascending_points():
    with pytest.raises(ValueError, match="four ascending"):
        dataclasses.replace(SETTINGS, rfm_score_cuts=(0.5, 0.2, 0.6, 0.8))


# models whose upward imports are known debt (not yet mended); any other is a regression
UPWARD_IMPORTS_LEFT = {"satisfaction.py"}


def test_models_import_nothing_from_assets_or_pipelines():
    upward = {}
    for path in sorted((Path(__file__).parent.parent / "models").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("assets", "pipelines") for n in names):
                upward.setdefault(path.name, []).extend(names)
    assert set(upward) <= UPWARD_IMPORTS_LEFT, upward

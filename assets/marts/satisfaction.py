"""marts.customer_satisfaction and marts.satisfaction_by_segment_month: CSAT / NPS per customer,
per segment and month, with the service measures behind them."""

import dagster as dg
import duckdb

from assets.marts.activity import ACTIVITY_DEPS, read_activity
from assets.marts.tables import MartBuild, MartTable, mart_asset
from models.satisfaction import (
    SATISFACTION_COLUMNS,
    SEGMENT_MONTH_COLUMNS,
    customer_satisfaction,
    satisfaction_by_segment_month,
)
from pipelines import warehouse as wh
from quality.mart_checks import one_row_per_customer, values_between

CUSTOMER_SATISFACTION = MartTable(
    "customer_satisfaction",
    "Every golden customer's survey answers (CSAT: share of 4-5 on the 1-5 scale; NPS: share of 9-10 minus share of "
    "0-6, in points), latest answers and trend, and service measures (tickets, complaints, time to resolve).",
    SATISFACTION_COLUMNS,
)
SATISFACTION_BY_SEGMENT_MONTH = MartTable(
    "satisfaction_by_segment_month",
    "Responses, CSAT and NPS per segment (RFM segment, value tier, lifecycle stage, or all) and survey month.",
    SEGMENT_MONTH_COLUMNS,
)
CHECKS = {
    "customer_satisfaction_one_row_per_customer": (True, "Every golden customer exactly once."),
    "customer_satisfaction_values_in_range": (True, "CSAT within 0-100 %, NPS within -100..100 points, counts not negative."),
}
SEGMENTS = wh.TableRef("marts", "customer_segment")


def build_satisfaction(con: duckdb.DuckDBPyConnection, as_of) -> MartBuild:
    activity = read_activity(con)
    per_customer = customer_satisfaction(activity.customers, activity.surveys.drop_nulls("golden_id"), activity.tickets,
                                         as_of)
    segments = wh.fetch_frame(con, wh.load_sql("segment_labels"))
    by_segment = satisfaction_by_segment_month(activity.surveys, segments, as_of)
    bounds = {"csat_score": (0, 100), "nps_score": (-100, 100), "latest_csat": (1, 5), "latest_nps": (0, 10),
              "survey_responses": (0, None), "tickets": (0, None), "complaints": (0, None)}
    checks = [
        one_row_per_customer("customer_satisfaction", per_customer, activity.customers, every_customer=True),
        values_between("customer_satisfaction", per_customer, bounds),
    ]
    unmatched = activity.surveys["golden_id"].null_count()
    return MartBuild({CUSTOMER_SATISFACTION.name: per_customer, SATISFACTION_BY_SEGMENT_MONTH.name: by_segment}, checks,
                     {CUSTOMER_SATISFACTION.name: {"survey_responses": activity.surveys.height,
                                                   "responses_without_customer": unmatched}})


customer_satisfaction_asset = mart_asset(
    "customer_satisfaction", [CUSTOMER_SATISFACTION, SATISFACTION_BY_SEGMENT_MONTH],
    deps=[*ACTIVITY_DEPS, dg.AssetKey(["marts", "customer_segment"])],
    build=build_satisfaction,
    description="Satisfaction per customer and per segment and month.",
    whole_because="it is a few aggregations per customer and month over every answer, cheaper than "
                  "tracking which customers a day touched, and it follows the segments",
    checks=CHECKS,
)

"""marts.customer_segment: RFM scores and segments, value tier, lifecycle stage, tags, company categories."""

import dagster as dg
import duckdb
import polars as pl

from assets.marts.activity import ACTIVITY_DEPS, read_activity
from assets.marts.tables import MartBuild, MartTable, mart_asset
from assets.standardize.reference.regions import CN_PROVINCES
from models.segments import SEGMENT_COLUMNS, SegmentSettings, customer_segments, province_regions
from pipelines import config
from pipelines import warehouse as wh
from quality.mart_checks import one_row_per_customer, values_between

CUSTOMER_SEGMENT = MartTable(
    "customer_segment",
    "Every golden customer's RFM scores and segment, value tier (VIP / important / ordinary), lifecycle stage, tags "
    "and, for companies, industry / size / region categories, as of the run date.",
    SEGMENT_COLUMNS,
)
PROVINCES = province_regions(CN_PROVINCES)  # every spelling of a Chinese province -> its region
CHECKS = {
    "customer_segment_one_row_per_customer": (True, "Every golden customer exactly once."),
    "customer_segment_values_in_range": (True, "RFM scores within 1-5; recency, frequency and spend not negative."),
}


def churn_bands(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """The latest churn risk bands, when the churn mart has been built (the high-risk tag uses them)."""
    ref = wh.TableRef("marts", "customer_churn_risk")
    return wh.fetch_frame(con, wh.load_sql("churn_bands")) if wh.table_exists(con, ref) else None


def build_customer_segment(con: duckdb.DuckDBPyConnection, as_of) -> MartBuild:
    activity = read_activity(con)
    segments = customer_segments(activity.customers, activity.orders, activity.tickets, as_of, churn=churn_bands(con),
                                 settings=SegmentSettings.from_config(config), provinces=PROVINCES)
    checks = [
        one_row_per_customer("customer_segment", segments, activity.customers, every_customer=True),
        values_between("customer_segment", segments, {"r_score": (1, 5), "f_score": (1, 5), "m_score": (1, 5),
                                                      "recency_days": (0, None), "frequency": (0, None),
                                                      "monetary_cny": (0, None)}),
    ]
    counts = {column: dict(segments.group_by(column).len().sort("len", descending=True).iter_rows())
              for column in ("rfm_segment", "value_tier", "lifecycle_stage")}
    return MartBuild({CUSTOMER_SEGMENT.name: segments}, checks, {CUSTOMER_SEGMENT.name: counts})


customer_segment_asset = mart_asset(
    "customer_segment", [CUSTOMER_SEGMENT],
    deps=[*ACTIVITY_DEPS, dg.AssetKey(["marts", "customer_churn_risk"])],
    build=build_customer_segment,
    description=CUSTOMER_SEGMENT.description,
    whole_because="RFM scores are quintiles over all customers and recency runs to the run date",
    checks=CHECKS,
)

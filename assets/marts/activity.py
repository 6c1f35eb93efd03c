"""Every activity of a golden customer, read from staging and core: the one input of all marts.

Orders and tickets reach their customer through the crosswalk (an order names its ERP customer
record; a ticket is a customer record itself); survey answers and campaign touches carry only
an email or phone, which finds the customer when exactly one golden customer holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import duckdb
import polars as pl
import polars.selectors as cs

from pipelines import warehouse as wh
from pipelines.config import FX_TO_CNY

# What read_activity reads, as Dagster asset keys: the upstream of every mart.
ACTIVITY_DEPS = [dg.AssetKey(k) for k in (["core", "golden_customer"], ["core", "customer_xref"], ["staging", "orders"],
                                           ["staging", "service_tickets"], ["staging", "survey_responses"],
                                           ["staging", "campaign_events"])]


@dataclass(frozen=True)
class Activity:
    customers: pl.DataFrame  # golden_id, customer_kind, first_seen_at, industry, company_size, province, city, country
    orders: pl.DataFrame  # golden_id, order_id, ordered_at, status, currency, amount (CNY)
    tickets: pl.DataFrame  # golden_id, ticket_id, ticket_type, channel, status, opened_at, resolved_at, hours_to_resolve
    surveys: pl.DataFrame  # golden_id (null: no customer found), response_id, survey_date, csat, nps, linked_by
    campaign_events: pl.DataFrame  # golden_id (null: no customer found), event_id, campaign_id, channel, event_type, event_time

    def linked(self) -> "Activity":
        """Only the survey answers and campaign touches whose customer was found."""
        return Activity(self.customers, self.orders, self.tickets, self.surveys.drop_nulls("golden_id"),
                        self.campaign_events.drop_nulls("golden_id"))


def _utc(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB hands time zones back as Etc/UTC, which Polars won't compare with UTC: one name for all."""
    return frame.with_columns(cs.datetime(time_zone="*").dt.convert_time_zone("UTC"))


def read_activity(con: duckdb.DuckDBPyConnection, fx_to_cny: dict[str, float] | None = None) -> Activity:
    fx = pl.DataFrame({"currency": list((fx_to_cny or FX_TO_CNY)), "cny_per_unit": list((fx_to_cny or FX_TO_CNY).values())})
    con.register("fx_rates", fx.to_arrow())
    try:
        wh.execute(con, wh.load_sql("golden_contacts"))
        return Activity(*(_utc(wh.fetch_frame(con, wh.load_sql(name))) for name in (
            "mart_customers", "mart_orders", "mart_tickets", "mart_surveys", "mart_campaign_events")))
    finally:
        con.unregister("fx_rates")

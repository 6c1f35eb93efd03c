"""pandera schemas of the staging tables, validated on every row before a table is published."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.engines.polars_engine import DateTime, Decimal

E164 = r"^\+[1-9]\d{6,14}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class CustomerRecords(pa.DataFrameModel):
    """Staged customer records: canonical fields standardized, one row per source record, each usable for matching."""

    source: str = pa.Field(nullable=False)
    record_id: str = pa.Field(nullable=False)
    record_kind: str = pa.Field(isin=["person", "company"])
    full_name: str = pa.Field(nullable=True)
    name_script: str = pa.Field(nullable=True, isin=["zh", "latin", "mixed"])
    company_name: str = pa.Field(nullable=True)
    email: str = pa.Field(nullable=True, str_matches=EMAIL)
    phone: str = pa.Field(nullable=True, str_matches=E164)
    country: str = pa.Field(nullable=False, str_matches=r"^[A-Z]{2}$")
    birth_date: dt.date = pa.Field(nullable=True, ge=dt.date(1880, 1, 1))
    gender: str = pa.Field(nullable=True, isin=["F", "M"])
    id_number: str = pa.Field(nullable=True, str_matches=r"^[0-9A-Z]{18}$")
    id_kind: str = pa.Field(nullable=True, isin=["resident_id", "uscc"])
    company_size: str = pa.Field(nullable=True, isin=["micro", "small", "medium", "large"])
    issue_count: int = pa.Field(ge=0)

    class Config:
        strict = False
        unique = ["source", "record_id"]

    @pa.dataframe_check
    def has_usable_identifier(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("phone").is_not_null() | pl.col("email").is_not_null() | pl.col("id_number").is_not_null()
            | (pl.col("identifiers").list.len() > 0) | pl.col("company_name").is_not_null()
            | (pl.col("full_name").is_not_null()
               & pl.any_horizontal(pl.col("birth_date", "address_line1", "postcode").is_not_null()))
        )


class Orders(pa.DataFrameModel):
    """Staged orders: UTC timestamps, decimal amounts with an ISO currency, a known status."""

    order_id: str = pa.Field(nullable=False, unique=True)
    customer_record_id: str = pa.Field(nullable=False)
    ordered_at: DateTime = pa.Field(nullable=False, dtype_kwargs={"time_unit": "us", "time_zone": "UTC"})
    status: str = pa.Field(isin=["paid", "cancelled", "refunded"])
    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    total_amount: Decimal = pa.Field(nullable=False, dtype_kwargs={"precision": 18, "scale": 2})

    class Config:
        strict = False


class OrderItems(pa.DataFrameModel):
    """Staged order lines."""

    order_id: str = pa.Field(nullable=False)
    line_no: int = pa.Field(nullable=False, ge=1)
    quantity: int = pa.Field(nullable=False)
    amount: Decimal = pa.Field(nullable=False, dtype_kwargs={"precision": 18, "scale": 2})

    class Config:
        strict = False
        unique = ["order_id", "line_no"]


class Products(pa.DataFrameModel):
    """Staged products."""

    product_id: str = pa.Field(nullable=False, unique=True)

    class Config:
        strict = False


class ServiceTickets(pa.DataFrameModel):
    """Staged tickets: known type, UTC open/resolve times, never resolved before opened."""

    ticket_id: str = pa.Field(nullable=False, unique=True)
    ticket_type: str = pa.Field(isin=["consultation", "complaint", "repair"])
    status: str = pa.Field(nullable=True, isin=["open", "resolved", "closed"])
    opened_at: DateTime = pa.Field(nullable=False, dtype_kwargs={"time_unit": "us", "time_zone": "UTC"})
    hours_to_resolve: float = pa.Field(nullable=True, ge=0)

    class Config:
        strict = False


class SurveyResponses(pa.DataFrameModel):
    """Staged survey responses: CSAT 1-5 and NPS 0-10, at least one of them."""

    response_id: str = pa.Field(nullable=False, unique=True)
    csat: pl.Int8 = pa.Field(nullable=True, ge=1, le=5)
    nps: pl.Int8 = pa.Field(nullable=True, ge=0, le=10)
    survey_date: dt.date = pa.Field(nullable=False)
    email: str = pa.Field(nullable=True, str_matches=EMAIL)
    phone: str = pa.Field(nullable=True, str_matches=E164)

    class Config:
        strict = False


class CampaignEvents(pa.DataFrameModel):
    """Staged campaign events: a known event type, a UTC time and a recipient."""

    event_id: str = pa.Field(nullable=False, unique=True)
    event_type: str = pa.Field(isin=["sent", "open", "click", "convert"])
    event_time: DateTime = pa.Field(nullable=False, dtype_kwargs={"time_unit": "us", "time_zone": "UTC"})
    email: str = pa.Field(nullable=True, str_matches=EMAIL)
    phone: str = pa.Field(nullable=True, str_matches=E164)

    class Config:
        strict = False

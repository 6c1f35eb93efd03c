"""Transactions, tickets, surveys and campaign events: amounts as decimals with currency,
timestamps in UTC, statuses as a closed set of values. Rows that cannot be used are quarantined."""

from __future__ import annotations

import polars as pl

from assets.standardize.dates import standardize_date, standardize_timestamp
from assets.standardize.emails import standardize_email
from assets.standardize.phones import standardize_phone
from assets.standardize.quarantine import Staged, first_reason, split_quarantine

MONEY = pl.Decimal(18, 2)
LINEAGE = ["_source_file", "_row_number", "_loaded_at"]

ORDER_STATUS = {"paid": "paid", "completed": "paid", "complete": "paid", "已支付": "paid", "已完成": "paid",
                "cancelled": "cancelled", "canceled": "cancelled", "已取消": "cancelled",
                "refunded": "refunded", "已退款": "refunded"}
TICKET_TYPE = {"consultation": "consultation", "inquiry": "consultation", "enquiry": "consultation", "咨询": "consultation",
               "complaint": "complaint", "投诉": "complaint", "repair": "repair", "报修": "repair", "维修": "repair"}
TICKET_STATUS = {"open": "open", "new": "open", "pending": "open", "处理中": "open", "待处理": "open",
                 "resolved": "resolved", "已解决": "resolved", "closed": "closed", "已关闭": "closed"}
EVENT_TYPE = {"sent": "sent", "send": "sent", "delivered": "sent", "open": "open", "opened": "open",
              "click": "click", "clicked": "click", "convert": "convert", "converted": "convert", "conversion": "convert"}
CHANNELS = {"email": "email", "e-mail": "email", "邮件": "email", "sms": "sms", "短信": "sms", "wechat": "wechat",
            "微信": "wechat", "phone": "phone", "电话": "phone", "web": "web", "网页": "web"}


def text(column: str) -> pl.Expr:
    value = pl.col(column).cast(pl.String).str.normalize("NFKC").str.strip_chars()
    return pl.when(value.str.len_chars() > 0).then(value)


def enum(column: str, values: dict[str, str]) -> pl.Expr:
    return text(column).str.to_lowercase().replace_strict(values, default=None, return_dtype=pl.String)


def money(column: str) -> pl.Expr:
    return text(column).str.replace_all(r"[,\s¥$£€]|CNY|RMB|元", "").cast(pl.Float64, strict=False).cast(MONEY)


def integer(column: str) -> pl.Expr:
    number = text(column).cast(pl.Float64, strict=False)
    return pl.when(number == number.floor()).then(number).cast(pl.Int64)


def utc(column: str, frame: pl.DataFrame) -> pl.Expr:
    """A timestamp column in UTC, whether it arrived typed (Parquet) or as text."""
    dtype = frame.schema[column]
    if isinstance(dtype, pl.Datetime):
        col = pl.col(column)
        return (col.dt.replace_time_zone("UTC") if dtype.time_zone is None else col.dt.convert_time_zone("UTC")).dt.cast_time_unit("us")
    return standardize_timestamp(pl.col(column).cast(pl.String)).struct.field("value")


def _lineage(frame: pl.DataFrame) -> list[str]:
    return [c for c in LINEAGE if c in frame.columns]


def stage_orders(raw: pl.DataFrame) -> Staged:
    table = raw.select(
        text("order_id").alias("order_id"),
        pl.lit("erp_customers").alias("customer_source"),
        text("cust_no").alias("customer_record_id"),
        utc("order_date", raw).alias("ordered_at"),
        enum("status", ORDER_STATUS).alias("status"),
        text("currency").str.to_uppercase().alias("currency"),
        money("total_amount").alias("total_amount"),
        text("channel").str.to_lowercase().alias("channel") if "channel" in raw.columns else pl.lit(None, dtype=pl.String).alias("channel"),
        *_lineage(raw),
    )
    reason = first_reason(
        (pl.col("order_id").is_null(), "missing_order_id"),
        (pl.col("customer_record_id").is_null(), "missing_customer"),
        (pl.col("ordered_at").is_null(), "unparseable_order_date"),
        (pl.col("total_amount").is_null(), "amount_not_a_number"),
        (pl.col("status").is_null(), "unknown_order_status"),
        (~pl.col("currency").str.contains(r"^[A-Z]{3}$").fill_null(False), "unknown_currency"),
    )
    return split_quarantine(raw, table, reason, "erp_orders")


def stage_order_items(raw: pl.DataFrame) -> Staged:
    table = raw.select(
        text("order_id").alias("order_id"), integer("line_no").alias("line_no"), text("product_id").alias("product_id"),
        integer("quantity").alias("quantity"), money("unit_price").alias("unit_price"), money("amount").alias("amount"),
        *_lineage(raw),
    )
    reason = first_reason(
        (pl.col("order_id").is_null() | pl.col("line_no").is_null(), "missing_order_line_id"),
        (pl.col("quantity").is_null(), "quantity_not_a_whole_number"),
        (pl.col("amount").is_null(), "amount_not_a_number"),
    )
    return split_quarantine(raw, table, reason, "erp_order_items")


def stage_products(raw: pl.DataFrame) -> Staged:
    table = raw.select(
        text("product_id").alias("product_id"), text("sku").alias("sku"), text("name").alias("name"),
        text("category").alias("category"), money("unit_price").alias("unit_price"), *_lineage(raw),
    )
    return split_quarantine(raw, table, first_reason((pl.col("product_id").is_null(), "missing_product_id")), "erp_products")


def stage_service_tickets(raw: pl.DataFrame) -> Staged:
    table = raw.select(
        text("ticket_id").alias("ticket_id"),
        text("cust_no").alias("erp_customer_record_id"),
        enum("type", TICKET_TYPE).alias("ticket_type"),
        enum("channel", CHANNELS).alias("channel"),
        enum("status", TICKET_STATUS).alias("status"),
        text("priority").str.to_lowercase().alias("priority"),
        utc("opened_at", raw).alias("opened_at"),
        utc("resolved_at", raw).alias("resolved_at"),
        *_lineage(raw),
    ).with_columns(
        pl.when(pl.col("resolved_at") >= pl.col("opened_at"))
        .then((pl.col("resolved_at") - pl.col("opened_at")).dt.total_seconds() / 3600).alias("hours_to_resolve"),
    )
    reason = first_reason(
        (pl.col("ticket_id").is_null(), "missing_ticket_id"),
        (pl.col("ticket_type").is_null(), "unknown_ticket_type"),
        (pl.col("opened_at").is_null(), "unparseable_opened_at"),
        (pl.col("resolved_at") < pl.col("opened_at"), "resolved_before_opened"),
    )
    return split_quarantine(raw, table, reason, "service_tickets")


def _score(column: str, low: int, high: int) -> pl.Expr:
    value = integer(column)
    return pl.when(value.is_between(low, high)).then(value).cast(pl.Int8)


def stage_survey_responses(raw: pl.DataFrame, default_region: str = "CN") -> Staged:
    table = raw.select(
        text("response_id").alias("response_id"),
        standardize_email(pl.col("respondent_email")).struct.field("value").alias("email"),
        standardize_phone(pl.col("respondent_phone"), default_region=default_region).struct.field("value").alias("phone"),
        text("ticket_id").alias("ticket_id"),
        text("order_id").alias("order_id"),
        standardize_date(pl.col("survey_date")).struct.field("value").alias("survey_date"),
        _score("csat", 1, 5).alias("csat"),
        _score("nps", 0, 10).alias("nps"),
        text("comment").alias("comment") if "comment" in raw.columns else pl.lit(None, dtype=pl.String).alias("comment"),
        *_lineage(raw),
    )
    reason = first_reason(
        (pl.col("response_id").is_null(), "missing_response_id"),
        (pl.col("csat").is_null() & pl.col("nps").is_null(), "no_valid_score: csat not 1-5 and nps not 0-10"),
        (pl.col("survey_date").is_null(), "unparseable_survey_date"),
        (pl.all_horizontal(pl.col("email", "phone", "ticket_id", "order_id").is_null()), "no_respondent_link"),
    )
    return split_quarantine(raw, table, reason, "surveys")


def stage_campaign_events(raw: pl.DataFrame, default_region: str = "CN") -> Staged:
    table = raw.select(
        text("event_id").alias("event_id"),
        text("campaign_id").alias("campaign_id"),
        text("campaign_name").alias("campaign_name"),
        enum("channel", CHANNELS).alias("channel"),
        standardize_email(pl.col("email")).struct.field("value").alias("email"),
        standardize_phone(pl.col("phone"), default_region=default_region).struct.field("value").alias("phone"),
        enum("event_type", EVENT_TYPE).alias("event_type"),
        utc("event_time", raw).alias("event_time"),
        *_lineage(raw),
    )
    reason = first_reason(
        (pl.col("event_id").is_null(), "missing_event_id"),
        (pl.col("event_type").is_null(), "unknown_event_type"),
        (pl.col("event_time").is_null(), "unparseable_event_time"),
        (pl.col("email").is_null() & pl.col("phone").is_null(), "no_recipient"),
    )
    return split_quarantine(raw, table, reason, "campaign_events")

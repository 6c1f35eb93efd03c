"""The staging tables: which raw tables feed each, how it is built, and what it promises."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import polars as pl

from assets.standardize import activity
from assets.standardize.customers import standardize_customers
from assets.standardize.mapping import check_columns, load_mappings, to_canonical
from assets.standardize.quarantine import Staged
from assets.standardize.staging import StagingBuild, StagingTable, staging_asset
from quality import staging_schemas as schemas

MAPPINGS = load_mappings()


def build_customer_records(inputs: dict[str, pl.DataFrame], as_of: date) -> StagingBuild:
    canonical = []
    for mapping in MAPPINGS:
        frame = inputs[mapping.raw_table]
        check_columns(mapping, frame.columns, f"raw.{mapping.raw_table}")
        canonical.append(to_canonical(frame, mapping))
    result = standardize_customers(pl.concat(canonical, how="diagonal_relaxed"), as_of)
    return StagingBuild(Staged(result.staged, result.quarantined), {"customer_field_issues": result.issues})


def single(stage: Callable[[pl.DataFrame], Staged]) -> Callable[[dict[str, pl.DataFrame], date], StagingBuild]:
    def build(inputs: dict[str, pl.DataFrame], as_of: date) -> StagingBuild:
        return StagingBuild(stage(next(iter(inputs.values()))))
    return build


def incremental(spec: StagingTable) -> StagingTable:
    """``spec`` built incrementally: its single raw table's rows standardize one by one, so a day's new and
    changed records are staged alone and merged with the rest."""
    return dataclasses.replace(spec, incremental={spec.raw_tables[0]: spec.raw_tables[0]}, definition=spec.name,
                               description=spec.description + " Built incrementally from the raw records loaded "
                                                              "since the last build (--full: all).")


CUSTOMER_RECORDS = StagingTable(
    name="customer_records",
    raw_tables=tuple(dict.fromkeys(m.raw_table for m in MAPPINGS)),
    build=build_customer_records,
    schema=schemas.CustomerRecords,
    key_columns=("source", "record_id"),
    source_column="source",
    description="Customer records of every customer-bearing source on the canonical fields, standardized: "
                "E.164 phones, lower-case emails, ISO dates, split names with pinyin keys, unified company names. Built "
                "incrementally: a run standardizes only the records loaded since the last build (--full: all).",
    columns={
        "source": "Source name (mapping file).", "record_id": "Record id within the source.",
        "record_kind": "person or company.", "full_name": "Person's name, canonical form.",
        "given_name": "Given name.", "family_name": "Family name.", "name_script": "zh, latin or mixed.",
        "name_key": "Order-independent name key (pinyin tokens for Chinese).", "pinyin_key": "Pinyin of a Chinese name.",
        "family_key": "Family name key (letters only; pinyin for Chinese).", "given_key": "Given name key (letters only; pinyin for Chinese).",
        "phonetic_key": "Phonetic key of a Latin name.", "company_name": "Company name, legal suffix unified.",
        "company_legal_form": "Legal form.", "company_key": "Company name key for matching.",
        "email": "Primary email, lower-cased, typos corrected.", "email_key": "Email key for matching.",
        "email_domain": "Email domain.", "emails": "All valid emails.", "phone": "Primary phone, E.164.",
        "phone_line_type": "mobile, fixed, ...", "phone_extension": "Extension.", "phones": "All valid phones, E.164.",
        "address_line1": "Street address.", "address_line2": "Address line 2 / district.", "address_key": "Address key.",
        "city": "City.", "province": "Province or state.", "province_code": "Province code.", "postcode": "Postcode.",
        "country": "ISO 3166 alpha-2.", "birth_date": "Birth date.", "gender": "F or M.",
        "id_number": "Valid resident id or unified social credit code.", "id_kind": "resident_id or uscc.",
        "identifiers": "Every valid identifier as {scheme, value}, normalized: the id number (cn_resident or cn_uscc) "
                       "and the mapping's identifier columns (a python-stdnum module such as us.ssn, or opaque).",
        "industry": "Industry (GB/T 4754 section).", "industry_code": "Section letter.", "company_size": "micro, small, medium, large.",
        "job_title": "Job title.", "created_at": "Created (UTC).", "updated_at": "Updated (UTC).",
        "attributes": "Further source columns named in the mapping, as JSON.",
        "linked_records": "Records of other sources this record names as the same customer (source:record_id).", "issue_count": "Fields changed or nulled.",
    },
    extra_descriptions={"customer_field_issues": "Every field value staging changed or nulled: field, original, new value, reason."},
    # a day's new and changed records only; a record is standardized as of the run that staged it
    incremental={m.raw_table: m.source for m in MAPPINGS} if len({m.raw_table for m in MAPPINGS}) == len(MAPPINGS) else None,
    definition=repr(MAPPINGS),
)

ORDERS = StagingTable("orders", ("erp_orders",), single(activity.stage_orders), schemas.Orders, ("order_id",),
                      "ERP orders: UTC order time, decimal amount with currency, status paid/cancelled/refunded.",
                      {"order_id": "Order id.", "customer_source": "Source of the customer record.",
                       "customer_record_id": "Customer record id (ERP cust_no).", "ordered_at": "Order time (UTC).",
                       "status": "paid, cancelled or refunded.", "currency": "ISO 4217.", "total_amount": "Order total.",
                       "channel": "Sales channel."})
ORDER_ITEMS = StagingTable("order_items", ("erp_order_items",), single(activity.stage_order_items), schemas.OrderItems,
                           ("order_id", "line_no"), "ERP order lines.",
                           {"order_id": "Order id.", "line_no": "Line number.", "product_id": "Product id.",
                            "quantity": "Quantity.", "unit_price": "Unit price.", "amount": "Line amount."})
PRODUCTS = StagingTable("products", ("erp_products",), single(activity.stage_products), schemas.Products, ("product_id",),
                        "ERP products.", {"product_id": "Product id.", "sku": "SKU.", "name": "Name.",
                                          "category": "Category.", "unit_price": "List price."})
SERVICE_TICKETS = StagingTable("service_tickets", ("service_tickets",), single(activity.stage_service_tickets),
                               schemas.ServiceTickets, ("ticket_id",),
                               "Service tickets: type, status, UTC open and resolve times, hours to resolve.",
                               {"ticket_id": "Ticket id.", "erp_customer_record_id": "ERP cust_no if the agent found it.",
                                "ticket_type": "consultation, complaint or repair.", "channel": "Channel.",
                                "status": "open, resolved or closed.", "priority": "Priority.", "opened_at": "Opened (UTC).",
                                "resolved_at": "Resolved (UTC).", "hours_to_resolve": "Hours from open to resolve."})
SURVEY_RESPONSES = StagingTable("survey_responses", ("surveys",), single(activity.stage_survey_responses),
                                schemas.SurveyResponses, ("response_id",),
                                "Survey responses: CSAT 1-5, NPS 0-10, respondent email/phone standardized.",
                                {"response_id": "Response id.", "email": "Respondent email.", "phone": "Respondent phone (E.164).",
                                 "ticket_id": "Ticket surveyed.", "order_id": "Order surveyed.", "survey_date": "Date answered.",
                                 "csat": "CSAT 1-5.", "nps": "NPS 0-10.", "comment": "Comment."})
CAMPAIGN_EVENTS = StagingTable("campaign_events", ("campaign_events",), single(activity.stage_campaign_events),
                               schemas.CampaignEvents, ("event_id",),
                               "Campaign events: sent, open, click, convert, with UTC time and standardized recipient.",
                               {"event_id": "Event id.", "campaign_id": "Campaign id.", "campaign_name": "Campaign name.",
                                "channel": "email, sms or wechat.", "email": "Recipient email.", "phone": "Recipient phone.",
                                "event_type": "sent, open, click or convert.", "event_time": "Event time (UTC)."})

ORDERS, ORDER_ITEMS, SERVICE_TICKETS, SURVEY_RESPONSES, CAMPAIGN_EVENTS = map(
    incremental, (ORDERS, ORDER_ITEMS, SERVICE_TICKETS, SURVEY_RESPONSES, CAMPAIGN_EVENTS))
STAGING_TABLES = [CUSTOMER_RECORDS, ORDERS, ORDER_ITEMS, PRODUCTS, SERVICE_TICKETS, SURVEY_RESPONSES, CAMPAIGN_EVENTS]
staging_assets = [staging_asset(spec) for spec in STAGING_TABLES]

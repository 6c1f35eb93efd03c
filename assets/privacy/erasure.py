"""Erase one customer from a warehouse: every layer, in one transaction, recorded without the data.

The customer is found by golden id, email or phone; its records, the identifiers they hold and its
activity (orders, lines, tickets, survey answers, campaign touches) are collected first, then every
base table loses the rows that name any of them, by the columns it has (a table added later is covered
by the same rules). Keyed hashes of the record keys and identifiers go to ``quality.suppression`` so ingest
keeps them out of later deliveries; ``quality.erasure_log`` records the erasure.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import polars as pl

from assets.ingest import campaign_events, company_registry, crm_contacts, erp, service_tickets, surveys
from assets.privacy.identifiers import hashed, record_hashes, value_keys
from assets.standardize.emails import standardize_email
from assets.standardize.phones import standardize_phone
from pipelines import builds
from pipelines import warehouse as wh
from pipelines.hashing import hash_key_id, keyed_hash

KEY_KINDS = ("golden_id", "email", "phone")
SPECS = {s.name: s for s in (crm_contacts.SOURCE, service_tickets.SOURCE, surveys.SOURCE, campaign_events.SOURCE,
                             company_registry.SOURCE, erp.CUSTOMERS, erp.ORDERS, erp.ORDER_ITEMS, erp.PRODUCTS)}
KEEP = {("quality", "erasure_log"), ("quality", "suppression"), ("quality", "ingested_files"),
        ("quality", "check_results")}
# (source column, record id column) pairs that name a record; staging activity tables by their own id.
RECORD_COLUMNS = (("_source", "_record_id"), ("source", "record_id"), ("source_l", "record_id_l"),
                  ("source_r", "record_id_r"), ("customer_source", "customer_record_id"))
GOLDEN_COLUMNS = ("golden_id", "related_golden_id")
STAGING_IDS = {"orders": (("order_id", "erp_orders"),), "order_items": (("order_id", "erp_orders"),),
               "survey_responses": (("response_id", "surveys"),), "campaign_events": (("event_id", "campaign_events"),),
               "service_tickets": (("ticket_id", "service_tickets"),)}
ACTIVITY_TABLES = ("orders", "order_items", "service_tickets", "survey_responses", "campaign_events")


class CustomerNotFound(LookupError):
    pass


@dataclass
class Erasure:
    erasure_id: str
    key_kind: str
    golden_ids: list[str] = field(default_factory=list)
    records: int = 0
    rows_removed: dict[str, int] = field(default_factory=dict)  # table -> rows
    identifier_hashes: list[str] = field(default_factory=list)
    suppression: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"hash": pl.String, "kind": pl.String}))

    @property
    def total_rows(self) -> int:
        return sum(self.rows_removed.values())


def request_values(kind: str, value: str) -> pl.DataFrame:
    """The key as given and standardized, as (kind, value): an email lower-cased and validated, a phone in E.164."""
    if kind not in KEY_KINDS:
        raise ValueError(f"erase by one of {', '.join(KEY_KINDS)}, not {kind!r}")
    given = pl.DataFrame({"raw": [value.strip()]})
    values = [value.strip()]
    if kind == "email":
        values += [value.strip().lower(), given.select(standardize_email(pl.col("raw")).struct.field("value")).item()]
    elif kind == "phone":
        values.append(given.select(standardize_phone(pl.col("raw"), "CN").struct.field("value")).item())
    return pl.DataFrame({"kind": kind, "value": [v for v in dict.fromkeys(values) if v]})


def _exists(con, schema: str, table: str) -> bool:
    return wh.table_exists(con, wh.TableRef(schema, table))


def _frame(con, name: str, schema: dict[str, pl.DataType], needs: tuple[tuple[str, str], ...]) -> pl.DataFrame:
    if not all(_exists(con, s, t) for s, t in needs):
        return pl.DataFrame(schema=schema)
    return wh.fetch_frame(con, wh.load_sql(name)).cast(schema)


RECORDS = {"source": pl.String, "record_id": pl.String}
VALUES = {"kind": pl.String, "value": pl.String}


def find_target(con: duckdb.DuckDBPyConnection, request: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(golden ids, records with their activity, identifier values) of the requested customer."""
    resolved = (("core", "golden_customer"), ("core", "customer_xref"), ("staging", "customer_records"))
    with wh.registered(con, erase_request=request):
        golden = _frame(con, "erase_find_customers", {"golden_id": pl.String}, resolved)
        with wh.registered(con, erase_golden=golden):
            records = _frame(con, "erase_customer_records", RECORDS, resolved)
    with wh.registered(con, erase_records=records, erase_golden=golden):
        values = _frame(con, "erase_identifiers", VALUES, resolved)
    values = pl.concat([values, request.filter(pl.col("kind") != "golden_id")]).unique()
    with wh.registered(con, erase_records=records, erase_values=values):
        activity = _frame(con, "erase_activity_records", RECORDS, tuple(("staging", t) for t in ACTIVITY_TABLES))
    return golden, pl.concat([records, activity, raw_rows_holding(con, values)]).unique(), values


def raw_rows_holding(con: duckdb.DuckDBPyConnection, values: pl.DataFrame) -> pl.DataFrame:
    """Raw records of any source holding one of ``values`` in a personal column, however it was written
    (a survey answer that was quarantined and never staged, say). A cheap text filter first, then the
    standardizers on the few rows it lets through."""
    found = [pl.DataFrame(schema=RECORDS)]
    tails = [v[-7:] if k == "phone" else v.lower() for k, v in values.iter_rows()]
    if not tails:
        return found[0]
    for spec in SPECS.values():
        table = wh.TableRef("raw", spec.name)
        if not spec.personal or not _exists(con, "raw", spec.name):
            continue
        have = {name for name, _ in wh.table_columns(con, table)}
        columns = [c for c in spec.personal if c in have]
        if not columns:
            continue
        rows = wh.fetch_frame(con, wh.load_sql("raw_personal_columns").format(
            target=table.sql, columns=", ".join(wh.quote_ident(c) for c in columns)))
        text = pl.concat_str([pl.col(c).cast(pl.String).str.normalize("NFKC").str.to_lowercase()
                              .str.replace_all(r"[\s\-()]", "") for c in columns], separator="|", ignore_nulls=True)
        candidates = rows.filter(text.str.contains_any(tails))
        keys = value_keys(candidates, {c: spec.personal[c] for c in columns}).join(values, on=["kind", "value"])
        found.append(candidates[keys["row"].unique().sort()].select(
            pl.col("_source").alias("source"), pl.col("_record_id").cast(pl.String).alias("record_id")))
    return pl.concat(found)


def _delete(con, name: str, table: wh.TableRef, params: dict | None = None, **columns: str) -> int:
    text = wh.load_sql(name).format(target=table.sql, **{k: wh.quote_ident(v) for k, v in columns.items()})
    return int(wh.fetch_value(con, text, params) or 0)


def _raw_value_hashes(con, table: wh.TableRef, values: pl.DataFrame, key: bytes) -> list[str]:
    """Hashes of the personal values of the raw rows about to go, as written and standardized, for the
    values that identify this customer alone (``values``): a shared switchboard is left alone."""
    spec = SPECS.get(table.table)
    if spec is None or not spec.personal:
        return []
    rows = wh.fetch_frame(con, wh.load_sql("erase_raw_rows").format(target=table.sql))
    keys = value_keys(rows, spec.personal)
    own = keys.join(values, on=["kind", "value"], how="semi").select("row", "column").unique()
    keys = keys.join(own, on=["row", "column"], how="semi")
    return hashed(keys, key).to_list() if keys.height else []


def erase_in_warehouse(con: duckdb.DuckDBPyConnection, kind: str, value: str, key: bytes, *,
                       requested_by: str | None = None, erasure_id: str | None = None,
                       also_suppress: pl.DataFrame | None = None) -> Erasure:
    """Remove the customer named by ``kind``/``value`` from every table of ``con``'s warehouse.

    ``also_suppress`` (hash, kind) adds keys found elsewhere: a snapshot erased after the warehouse gets
    the warehouse's keys too, so restoring it cannot bring the customer back. Without it, a customer
    not found is an error."""
    request = request_values(kind, value)
    golden, records, values = find_target(con, request)
    if golden.height == 0 and records.height == 0 and also_suppress is None:
        raise CustomerNotFound(f"no customer with {kind} {value!r} in the warehouse")
    result = Erasure(erasure_id or uuid.uuid4().hex[:16], kind, sorted(golden["golden_id"].to_list()),
                     records.height)
    suppression = {"record": [h for source, part in records.group_by("source")
                              for h in record_hashes(source[0], part["record_id"], key).to_list()],
                   "value": hashed(values, key).to_list() if values.height else []}
    result.identifier_hashes = sorted(set(suppression["value"]))
    needles = pl.DataFrame({"needle": [*golden["golden_id"], *values["value"],
                                       *records.filter(~pl.col("source").is_in(["erp_order_items"]))["record_id"]]},
                           schema={"needle": pl.String}).filter(pl.col("needle").str.len_chars() >= 4).unique()
    wh.execute(con, "BEGIN TRANSACTION")
    try:
        with wh.registered(con, erase_golden=golden, erase_records=records, erase_values=values, erase_needles=needles):
            for schema, name, columns in wh.fetch_rows(con, wh.load_sql("base_tables")):
                if schema not in wh.LAYERS or (schema, name) in KEEP or name.endswith(wh.SCRATCH_SUFFIX):
                    continue
                table, have = wh.TableRef(schema, name), set(columns)
                if schema == "raw" and {"_source", "_record_id"} <= have:
                    suppression["value"] += _raw_value_hashes(con, table, values, key)
                    for source, file_hash, n in wh.fetch_rows(con, wh.load_sql("erased_rows_per_file").format(target=table.sql)):
                        wh.execute(con, wh.load_sql("erase_ledger"), {"n": n, "source": source, "file_hash": file_hash})
                removed = sum(_delete(con, "erase_by_golden_id", table, column=c) for c in GOLDEN_COLUMNS if c in have)
                removed += sum(_delete(con, "erase_by_record", table, source=s, record_id=r)
                               for s, r in RECORD_COLUMNS if {s, r} <= have)
                if schema == "staging":
                    removed += sum(_delete(con, "erase_by_source_id", table, {"source": source}, column=c)
                                   for c, source in STAGING_IDS.get(name, ()) if c in have)
                if removed:
                    result.rows_removed[str(table)] = removed
            wh.execute(con, wh.load_sql("erase_check_samples"))
            result.suppression = pl.concat([
                pl.DataFrame({"hash": suppression["record"] + suppression["value"],
                              "kind": ["record"] * len(suppression["record"]) + ["value"] * len(suppression["value"])},
                             schema={"hash": pl.String, "kind": pl.String}),
                *([also_suppress] if also_suppress is not None else [])]).unique("hash", maintain_order=True)
            with wh.registered(con, erase_suppression=result.suppression):
                wh.execute(con, wh.load_sql("record_suppression"), {"erasure_id": result.erasure_id})
            wh.execute(con, wh.load_sql("record_erasure"), {
                "erasure_id": result.erasure_id, "erased_at": datetime.now(timezone.utc),
                "requested_by": requested_by, "key_kind": kind, "key_hash": keyed_hash(f"{kind}:{value.strip()}", key),
                "golden_ids": result.golden_ids, "records": result.records,
                "identifier_hashes": result.identifier_hashes,
                "rows_removed": json.dumps(result.rows_removed), "hash_key_id": hash_key_id(key)})
            builds.forget_builds(con)  # tables changed outside a run: the next run rebuilds every asset
        wh.execute(con, "COMMIT")
    except BaseException:
        con.rollback()
        raise
    return result

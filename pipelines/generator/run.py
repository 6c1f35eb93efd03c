"""`generate`: build the landing folder and its ground truth, stage by stage.

Each stage draws from its own random stream derived from (seed, stage), so
the output depends only on (customers, seed, as_of, days) and a change inside one
stage does not reshuffle the others. The stages of daily deliveries (days > 1) draw
from streams of their own, so one day (the default) is the output it always was.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from . import campaigns, consent, crm, days as dl, erp, interactions, purchases, registry, shards, truth, writers
from .entities import EntityParams, build_entities
from .noise import NoiseLog, NoiseRates
from .plan import PresenceParams, presence

GENERATOR_VERSION = "1.2.0"  # 1.1: marketing consent statements (CRM 同意时间, ERP mkt_consent/_at); 1.2: shards
CUSTOMER_RECORD_FILES = ("erp.sqlite:customers", "crm_contacts.csv", "service_tickets.jsonl", "company_registry.json")
SHARD_CUSTOMERS = 1_000_000  # more customers (with one day) are built this many at a time, then merged
_STAGES = {"entities": 1, "presence": 2, "erp": 3, "products": 4, "purchases": 5, "orders": 6, "crm": 7,
           "tickets": 8, "surveys": 9, "campaigns": 10, "registry": 11, "consent": 12,
           "days_new": 13, "days_contacts": 14, "days_erp": 15, "days_crm": 16, "days_sends": 17, "days_thin": 18}


@dataclass(frozen=True)
class GenerateSummary:
    out: Path
    entities: int                  # true customers, with those new on the delivery days
    customer_records: int          # ERP customers + CRM contacts + tickets + registry rows (of all deliveries)
    rows_per_file: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    seed: int = 42
    as_of: date = date(2026, 11, 1)
    days: int = 1                  # deliveries: the history (top level) and days - 1 dated folders
    rows_per_delivery: dict[str, dict[str, int]] = field(default_factory=dict)  # delivery date -> file -> rows
    next_ids: IdStarts | None = None  # where a next shard's record numbers start


@dataclass(frozen=True)
class IdStarts:
    """Where a shard's record numbers start: each shard numbers on from the one before it."""
    entity: int = 0
    household: int = 0
    erp_customer: int = 0
    crm_contact: int = 0
    ticket: int = 0
    survey: int = 0
    order: int = 0
    event: int = 0


def _rng(seed: int, stage: str, shard: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, _STAGES[stage], *([shard] if shard else [])])


def generate(out: Path, customers: int = 20_000, seed: int = 42, as_of: date = date(2026, 11, 1),
             progress: Callable[[str], None] | None = None, *, noise: NoiseRates | None = None,
             days: int = 1, daily: dl.DailyParams | None = None,
             shard_customers: int = SHARD_CUSTOMERS) -> GenerateSummary:
    """Write a messy multi-source landing folder for `customers` true entities into `out`.

    With ``days`` > 1 the top level is the history before ``as_of`` and dated folders
    ``as_of + 1 ... as_of + days - 1`` hold each later day's delivery (see days.py). One day of
    more than ``shard_customers`` customers is built in shards of at most that many, each from
    random streams of its own, and merged file by file (see shards.py): memory follows the shard."""
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    rates = noise or NoiseRates()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stage_dir = writers.staging_dir(out)
    jobs: list[writers.SqliteJob] = []
    try:
        if days == 1 and customers > shard_customers:
            summary = _generate_sharded(out, stage_dir, jobs, customers, seed, as_of, say, rates, started,
                                        shard_customers)
        else:
            summary = _generate(out, stage_dir, jobs, customers, seed, as_of, say, rates, started, days,
                                daily or dl.DailyParams())
    except BaseException:
        for job in jobs:
            job.cancel()
        shutil.rmtree(stage_dir, ignore_errors=True)
        raise
    return summary


def _generate_sharded(out: Path, stage_dir: Path, jobs: list, customers: int, seed: int, as_of: date,
                      say: Callable[[str], None], rates: NoiseRates, started: float,
                      shard_customers: int) -> GenerateSummary:
    count = -(-customers // shard_customers)
    sizes = [customers // count + (1 if k < customers % count else 0) for k in range(count)]
    first, parts = IdStarts(), []
    for k, size in enumerate(sizes):
        folder = stage_dir / "shards" / f"{k:03d}"
        folder.mkdir(parents=True)
        part = _generate(folder, writers.staging_dir(folder), jobs, size, seed, as_of,
                         lambda msg, k=k: say(f"shard {k + 1}/{count}: {msg}"), rates, started, shard=k, first=first)
        first = part.next_ids
        parts.append(folder)
    say(f"merging {count} shards")
    rows = shards.merge(parts, stage_dir, {"customers": customers, "shards": sizes})
    shutil.rmtree(stage_dir / "shards")
    writers.clear_deliveries(out)
    writers.publish(stage_dir, out)
    customer_records = sum(rows[name] for name in CUSTOMER_RECORD_FILES)
    seconds = time.perf_counter() - started
    say(f"done: {customer_records:,} customer records in {seconds:.1f}s ({count} shards)")
    first_delivery = {k: v for k, v in rows.items() if not k.startswith("truth/")}
    return GenerateSummary(out=out, entities=customers, customer_records=customer_records, rows_per_file=rows,
                           seconds=seconds, seed=seed, as_of=as_of, days=1,
                           rows_per_delivery={as_of.isoformat(): first_delivery})


def _generate(out: Path, stage_dir: Path, jobs: list, customers: int, seed: int, as_of: date,
              say: Callable[[str], None], rates: NoiseRates, started: float, days: int = 1,
              daily: dl.DailyParams = dl.DailyParams(), *, shard: int = 0,
              first: IdStarts = IdStarts()) -> GenerateSummary:
    ent_params, presence_params, purchase_params = EntityParams(), PresenceParams(), purchases.PurchaseParams()
    consent_params = consent.ConsentParams()
    # one world through the last delivery day; with days > 1 it is split at as_of into deliveries
    end = as_of + timedelta(days=days - 1)
    split = days > 1
    as_of_ms = np.datetime64(end, "ms")
    split_ms = np.datetime64(as_of, "ms") if split else None
    n_new = int(round(daily.new_customers * customers * (days - 1))) if split else 0
    log = NoiseLog()

    say(f"entities: {customers:,} true customers" + (f" (+{n_new:,} new over {days - 1} days)" if split else ""))
    ent, extra = build_entities(customers + n_new, _rng(seed, "entities", shard), as_of, ent_params)
    if shard:
        ent = _numbered_from(ent, first)
    not_before, is_new = None, np.zeros(ent.height, dtype=bool)
    if split:
        ent, not_before, is_new = dl.new_customers(ent, n_new, _rng(seed, "days_new", shard), split_ms, days)
    n_ent = ent.height
    n_erp, n_crm = presence(_rng(seed, "presence", shard), n_ent, presence_params)
    tenure = None
    if split:
        tenure = dl.tenure_share(ent, is_new, split_ms, as_of_ms)
        thin = _rng(seed, "days_thin", shard)
        n_erp, n_crm = dl.thin_duplicates(thin, n_erp, tenure), dl.thin_duplicates(thin, n_crm, tenure)
    consent_rng = consent.consent_streams(_rng(seed, "consent", shard))
    changed_mind = consent.changed_mind(consent_rng.changed, n_erp, n_crm, consent_params)

    say("ERP customer master")
    customers_tbl, erp_index = erp.customer_rows(ent, n_erp, _rng(seed, "erp", shard), as_of_ms, rates, log,
                                                 consent_rng=consent_rng.erp, changed_mind=changed_mind,
                                                 consent_params=consent_params, split_ms=split_ms,
                                                 not_before=not_before, first_id=first.erp_customer)
    erp_top, erp_up = customers_tbl, None
    if split:
        say("ERP customer updates")
        erp_top, customers_tbl, erp_up = dl.erp_updates(_rng(seed, "days_erp", shard), customers_tbl, erp_index, ent, log,
                                                        rates, split_ms, days, daily)
        erp_day = dl.day_index(erp_index["created_ts"].to_numpy(), split_ms)
        erp_top = erp_top.filter(pl.Series(erp_day < 0))
    # erp.sqlite is the slowest file to write: a child process writes each table as it is final
    sqlite_job = writers.SqliteJob(stage_dir / "erp.sqlite", ["customers", "products", "orders", "order_items"])
    jobs.append(sqlite_job)
    sqlite_job.send("customers", erp_top)

    say("purchase histories (BG/NBD, Gamma-Gamma)")
    catalog = purchases.products(_rng(seed, "products"), purchase_params.n_products)
    buyers = ent.filter(pl.Series(n_erp > 0)).select("eid", "created_at", "lam", "p_drop", "cc", "is_company")
    raw_orders, raw_items, churn_b = purchases.simulate(_rng(seed, "purchases", shard), buyers, end, catalog,
                                                        purchase_params)
    orders_tbl, items_tbl, order_index = erp.order_tables(raw_orders, raw_items, erp_index, _rng(seed, "orders", shard),
                                                            first.order)
    order_day = dl.day_index(raw_orders["order_ts"].to_numpy(), split_ms) if split else None
    orders_top, items_top = orders_tbl, items_tbl
    if split:
        orders_top = orders_tbl.filter(pl.Series(order_day < 0))
        items_top = items_tbl.filter(pl.col("order_id").is_in(orders_top["order_id"].implode()))
    sqlite_job.send("products", catalog.select(erp.PRODUCT_COLUMNS))
    sqlite_job.send("orders", orders_top)
    sqlite_job.send("order_items", items_top)
    churned = np.zeros(n_ent, dtype=bool)
    churn_ts = np.full(n_ent, np.datetime64("NaT"), dtype="datetime64[ms]")
    b_eid = churn_b["eid"].to_numpy()
    churned[b_eid] = churn_b["churned"].to_numpy()
    churn_ts[b_eid] = churn_b["churn_ts"].to_numpy()
    churn = pl.DataFrame({"churned": churned, "churn_ts": churn_ts})

    say("CRM contacts")
    stage = crm.lifecycle_stage(_purchase_summary(raw_orders, n_ent, churned), as_of_ms)
    extra_contacts = (dl.known_contacts(_rng(seed, "days_contacts", shard), is_new, split_ms, days, daily)
                      if split else None)
    crm_tbl, crm_index = crm.contact_rows(ent, n_crm, stage, _rng(seed, "crm", shard), as_of_ms, rates, log,
                                          consent_rng=consent_rng.crm, consent_params=consent_params,
                                          split_ms=split_ms, not_before=not_before, extra=extra_contacts,
                                          first_id=first.crm_contact)
    crm_top, crm_up = crm_tbl, None
    if split:
        say("CRM contact changes")
        crm_top, crm_tbl, crm_up = dl.crm_updates(_rng(seed, "days_crm", shard), crm_tbl, crm_index, ent, log, rates,
                                                  split_ms, days, daily)

    say("service tickets")
    tickets_tbl, ticket_index = interactions.tickets(ent, churn, erp_index, _rng(seed, "tickets", shard), as_of_ms, rates,
                                                     log, split_ms=split_ms, scale=tenure,
                                                     first_id=first.ticket)
    say("surveys")
    surveys_tbl, survey_index = interactions.surveys(ent, ticket_index, raw_orders, order_index,
                                                     _rng(seed, "surveys", shard), as_of_ms, rates, log,
                                                     first_id=first.survey)
    say("campaign events")
    sends = dl.daily_sends(_rng(seed, "days_sends", shard), split_ms, days, daily) if split else None
    events_tbl, event_index = campaigns.events(ent, _rng(seed, "campaigns", shard), end, ent_params.history_years,
                                               rates, log, extra_sends=sends,
                                               first_id=first.event,
                                               list_rng=_rng(seed, "campaigns") if shard else None)
    say("company registry")
    registry_tbl, registry_index = registry.registry_rows(ent, extra, _rng(seed, "registry", shard))

    files = {"crm_contacts.csv": crm_top, "service_tickets.jsonl": tickets_tbl, "surveys.csv": surveys_tbl,
             "campaign_events.parquet": events_tbl}
    placed: dict[str, pl.DataFrame] = {}
    deliveries: dict[str, dict[str, int]] = {}
    if split:
        placed = {
            "erp_customers": erp_index.select("eid", pl.col("cust_no").alias("record_id"), pl.Series("day", erp_day)),
            "crm_contacts": crm_index.select("eid", "record_id", pl.Series(
                "day", dl.day_index(crm_index["created_ts"].to_numpy(), split_ms))),
            "service_tickets": ticket_index.select("eid", pl.col("ticket_id").alias("record_id"), pl.Series(
                "day", dl.day_index(ticket_index["opened_ts"].to_numpy(), split_ms))),
            "surveys": survey_index.select("eid", "record_id", pl.Series("day", dl.day_index(
                surveys_tbl["survey_date"].str.to_date().to_numpy().astype("datetime64[ms]"), split_ms))),
            "campaign_events": event_index.select("eid", "record_id", pl.Series(
                "day", dl.day_index(event_index["ts"].to_numpy(), split_ms))),
            "erp_orders": order_index.select("eid", pl.col("order_id").cast(pl.String).alias("record_id"),
                                             pl.Series("day", order_day)),
        }
        top = {"crm_contacts.csv": "crm_contacts", "service_tickets.jsonl": "service_tickets",
               "surveys.csv": "surveys", "campaign_events.parquet": "campaign_events"}
        files = {name: tbl.filter(pl.Series(placed[top[name]]["day"] < 0)) for name, tbl in
                 (("crm_contacts.csv", crm_top), ("service_tickets.jsonl", tickets_tbl),
                  ("surveys.csv", surveys_tbl), ("campaign_events.parquet", events_tbl))}
        deliveries = _write_days(stage_dir, as_of, days, say, placed, customers_tbl, erp_up, orders_tbl, items_tbl,
                                 crm_tbl, crm_up, tickets_tbl, surveys_tbl, events_tbl)

    say("writing files")
    writers.write_csv(stage_dir / "crm_contacts.csv", files["crm_contacts.csv"], encoding="gbk")
    writers.write_jsonl(stage_dir / "service_tickets.jsonl", files["service_tickets.jsonl"])
    writers.write_csv(stage_dir / "surveys.csv", files["surveys.csv"])
    writers.write_parquet(stage_dir / "campaign_events.parquet", files["campaign_events.parquet"])
    writers.write_json_array(stage_dir / "company_registry.json", registry_tbl)

    say("writing truth")
    indexes = {
        "erp_customers": erp_index.select("eid", pl.col("cust_no").alias("record_id")),
        "crm_contacts": crm_index.select("eid", "record_id"),
        "service_tickets": ticket_index.select("eid", pl.col("ticket_id").alias("record_id")),
        "surveys": survey_index,
        "campaign_events": event_index.select("eid", "record_id"),
        "company_registry": registry_index,
        "erp_orders": order_index.select("eid", pl.col("order_id").alias("record_id")),
    }
    records = truth.records_table(ent, indexes)
    entities = truth.entities_table(ent, churned, churn_ts,
                                    consent.current_consent(n_ent, [erp_index, crm_index]))
    noise_tbl = log.frame()
    rows = {
        "erp.sqlite:customers": erp_top.height,
        "erp.sqlite:products": catalog.height,
        "erp.sqlite:orders": orders_top.height,
        "erp.sqlite:order_items": items_top.height,
        "crm_contacts.csv": files["crm_contacts.csv"].height,
        "service_tickets.jsonl": files["service_tickets.jsonl"].height,
        "surveys.csv": files["surveys.csv"].height,
        "campaign_events.parquet": files["campaign_events.parquet"].height,
        "company_registry.json": registry_tbl.height,
        "truth/entities.parquet": entities.height,
        "truth/records.parquet": records.height,
        "truth/noise.parquet": noise_tbl.height,
    }
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "customers": customers,
        "as_of": as_of.isoformat(),
        "noise_rates": rates.as_dict(),
        "noise_counts": {k: {"eligible": int(log.eligible[k]), "applied": int(log.applied[k])}
                         for k in sorted(log.eligible)},
        "parameters": {"entities": asdict(ent_params), "presence": asdict(presence_params),
                       "purchases": asdict(purchase_params), "consent": asdict(consent_params)},
        "rows_per_file": rows,
        "clock": "ERP/CRM timestamps are naive China Standard Time (UTC+8); tickets carry offsets; "
                 "campaign event_time is UTC",
    }
    first_delivery = {k: v for k, v in rows.items() if not k.startswith("truth/")}
    if split:
        delivery_truth = dl.deliveries_table(
            as_of, placed, {"erp_customers": (customers_tbl["cust_no"], erp_up),
                            "crm_contacts": (crm_tbl["联系人编号"], crm_up)},
            ent["entity_id"], dl.CUSTOMER_SOURCES)
        writers.write_parquet(stage_dir / "truth" / "deliveries.parquet", delivery_truth)
        rows["truth/deliveries.parquet"] = delivery_truth.height
        manifest["days"] = days
        manifest["last_day"] = (end - timedelta(days=1)).isoformat()
        manifest["entities"] = n_ent
        manifest["new_customers"] = n_new
        manifest["parameters"]["daily"] = asdict(daily)
        manifest["rows_per_delivery"] = {as_of.isoformat(): first_delivery, **deliveries}
        manifest["deliveries"] = ("top level: the history before as_of (erp.sqlite as of then); DIR/<D>/ for "
                                  "D = as_of+1 ... as_of+days-1: what happened on day D-1 (crm/ticket/survey/"
                                  "campaign files, erp_changes/<table>.parquet: full rows to upsert by primary key)")
    truth.write_truth(stage_dir / "truth", entities, records, noise_tbl, manifest)
    say("waiting for erp.sqlite")
    sqlite_job.result()
    writers.clear_deliveries(out)
    writers.publish(stage_dir, out)
    customer_records = customers_tbl.height + crm_tbl.height + tickets_tbl.height + registry_tbl.height
    seconds = time.perf_counter() - started
    say(f"done: {customer_records:,} customer records in {seconds:.1f}s")
    next_ids = IdStarts(
        entity=first.entity + n_ent, household=first.household + int(ent["household_no"].max() or -1) + 1,
        erp_customer=first.erp_customer + erp_index.height, crm_contact=first.crm_contact + crm_index.height,
        ticket=first.ticket + ticket_index.height, survey=first.survey + survey_index.height,
        order=first.order + order_index.height, event=first.event + event_index.height)
    return GenerateSummary(out=out, entities=n_ent, customer_records=customer_records, rows_per_file=rows,
                           seconds=seconds, seed=seed, as_of=as_of, days=days,
                           rows_per_delivery={as_of.isoformat(): first_delivery, **deliveries}, next_ids=next_ids)


def _numbered_from(ent: pl.DataFrame, first: IdStarts) -> pl.DataFrame:
    """A shard's entities and households numbered on from the shards before it."""
    return ent.with_columns(
        pl.concat_str([pl.lit("E"), pl.int_range(first.entity + 1, first.entity + pl.len() + 1)
                       .cast(pl.String).str.zfill(7)]).alias("entity_id"),
        pl.when(pl.col("household_no") >= 0)
        .then(pl.concat_str([pl.lit("H"), (pl.col("household_no") + first.household).cast(pl.String).str.zfill(6)]))
        .alias("household_id"))


def _write_days(stage_dir: Path, as_of: date, days: int, say: Callable[[str], None],
                placed: dict[str, pl.DataFrame], customers_tbl: pl.DataFrame, erp_up: dl.Updates,
                orders_tbl: pl.DataFrame, items_tbl: pl.DataFrame, crm_tbl: pl.DataFrame, crm_up: dl.Updates,
                tickets_tbl: pl.DataFrame, surveys_tbl: pl.DataFrame, events_tbl: pl.DataFrame
                ) -> dict[str, dict[str, int]]:
    """Write each delivery day's folder; rows per file per delivery date (files with no rows are omitted)."""
    def day_of(source: str, updates: dl.Updates | None = None) -> np.ndarray:
        day = placed[source]["day"].to_numpy().copy()
        if updates is not None:  # only rows of the first delivery are updated: each row has one later day
            day[updates.rows] = updates.day
        return day

    order_day = placed["erp_orders"]["day"].to_numpy()
    tables = {  # file: (table, delivery day per row (-1: none), writer)
        "erp_changes/customers.parquet": (customers_tbl, day_of("erp_customers", erp_up), writers.write_parquet),
        "erp_changes/orders.parquet": (orders_tbl, order_day, writers.write_parquet),
        "erp_changes/order_items.parquet": (items_tbl, order_day[items_tbl["order_id"].to_numpy() - 1],
                                            writers.write_parquet),  # order ids are 1..n in table order
        "crm_contacts.csv": (crm_tbl, day_of("crm_contacts", crm_up),
                             lambda path, df: writers.write_csv(path, df, encoding="gbk")),
        "service_tickets.jsonl": (tickets_tbl, day_of("service_tickets"), writers.write_jsonl),
        "surveys.csv": (surveys_tbl, day_of("surveys"), writers.write_csv),
        "campaign_events.parquet": (events_tbl, day_of("campaign_events"), writers.write_parquet),
    }
    by_day: dict[str, dict[int, pl.DataFrame]] = {}
    for name, (table, day, _) in tables.items():  # one pass per table, however many days
        rows = np.flatnonzero(day >= 0)
        part = table[rows].with_columns(pl.Series("_day", day[rows]))
        by_day[name] = {key[0]: frame.drop("_day") for key, frame in
                        part.partition_by("_day", as_dict=True, maintain_order=True).items()}
    out: dict[str, dict[str, int]] = {}
    for j, when in enumerate(dl.delivery_dates(as_of, days)):
        folder = stage_dir / when.isoformat()
        counts = {}
        for name, (_, _, write) in tables.items():
            frame = by_day[name].get(j)
            if frame is not None and frame.height:
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                write(folder / name, frame)
                counts[name] = frame.height
        out[when.isoformat()] = counts
        say(f"delivery {when}: " + (", ".join(f"{n.removeprefix('erp_changes/').split('.')[0]} {c:,}"
                                               for n, c in counts.items()) or "nothing new"))
    return out


def _purchase_summary(orders: pl.DataFrame, n: int, churned: np.ndarray) -> pl.DataFrame:
    """Per entity: paid orders, first order time, last paid order time, churned."""
    eid = orders["eid"].to_numpy()
    ts = orders["order_ts"].to_numpy().astype("datetime64[ms]").astype(np.int64)
    paid = (orders["status"] == "paid").to_numpy()
    n_paid = np.bincount(eid[paid], minlength=n)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, eid[paid], ts[paid])
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, eid, ts)
    last = np.where(n_paid > 0, last, 0).astype("datetime64[ms]")
    first = np.where(first == np.iinfo(np.int64).max, 0, first).astype("datetime64[ms]")
    return pl.DataFrame({"n_paid": n_paid, "last_paid": last, "first_ts": first, "churned": churned})

"""`generate`: build the landing folder and its ground truth, stage by stage.

Each stage draws from its own random stream derived from (seed, stage), so
the output depends only on (customers, seed, as_of) and a change inside one
stage does not reshuffle the others.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from . import campaigns, consent, crm, erp, interactions, purchases, registry, truth, writers
from .entities import EntityParams, build_entities
from .noise import NoiseLog, NoiseRates
from .plan import PresenceParams, presence

GENERATOR_VERSION = "1.1.0"  # 1.1: marketing consent statements (CRM 同意时间, ERP mkt_consent/_at)
_STAGES = {"entities": 1, "presence": 2, "erp": 3, "products": 4, "purchases": 5, "orders": 6, "crm": 7,
           "tickets": 8, "surveys": 9, "campaigns": 10, "registry": 11, "consent": 12}


@dataclass(frozen=True)
class GenerateSummary:
    out: Path
    entities: int
    customer_records: int          # ERP customers + CRM contacts + tickets + registry rows
    rows_per_file: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    seed: int = 42
    as_of: date = date(2026, 11, 1)


def _rng(seed: int, stage: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STAGES[stage]])


def generate(out: Path, customers: int = 20_000, seed: int = 42, as_of: date = date(2026, 11, 1),
             progress: Callable[[str], None] | None = None, *, noise: NoiseRates | None = None) -> GenerateSummary:
    """Write a messy multi-source landing folder for `customers` true entities into `out`."""
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    rates = noise or NoiseRates()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stage_dir = writers.staging_dir(out)
    jobs: list[writers.SqliteJob] = []
    try:
        summary = _generate(out, stage_dir, jobs, customers, seed, as_of, say, rates, started)
    except BaseException:
        for job in jobs:
            job.cancel()
        shutil.rmtree(stage_dir, ignore_errors=True)
        raise
    return summary


def _generate(out: Path, stage_dir: Path, jobs: list, customers: int, seed: int, as_of: date,
              say: Callable[[str], None], rates: NoiseRates, started: float) -> GenerateSummary:
    ent_params, presence_params, purchase_params = EntityParams(), PresenceParams(), purchases.PurchaseParams()
    consent_params = consent.ConsentParams()
    as_of_ms = np.datetime64(as_of, "ms")
    log = NoiseLog()

    say(f"entities: {customers:,} true customers")
    ent, extra = build_entities(customers, _rng(seed, "entities"), as_of, ent_params)
    n_erp, n_crm = presence(_rng(seed, "presence"), customers, presence_params)
    consent_rng = consent.consent_streams(_rng(seed, "consent"))
    changed_mind = consent.changed_mind(consent_rng.changed, n_erp, n_crm, consent_params)

    say("ERP customer master")
    customers_tbl, erp_index = erp.customer_rows(ent, n_erp, _rng(seed, "erp"), as_of_ms, rates, log,
                                                 consent_rng=consent_rng.erp, changed_mind=changed_mind,
                                                 consent_params=consent_params)
    # erp.sqlite is the slowest file to write: a child process writes each table as it is final
    sqlite_job = writers.SqliteJob(stage_dir / "erp.sqlite", ["customers", "products", "orders", "order_items"])
    jobs.append(sqlite_job)
    sqlite_job.send("customers", customers_tbl)

    say("purchase histories (BG/NBD, Gamma-Gamma)")
    catalog = purchases.products(_rng(seed, "products"), purchase_params.n_products)
    buyers = ent.filter(pl.Series(n_erp > 0)).select("eid", "created_at", "lam", "p_drop", "cc", "is_company")
    raw_orders, raw_items, churn_b = purchases.simulate(_rng(seed, "purchases"), buyers, as_of, catalog,
                                                        purchase_params)
    orders_tbl, items_tbl, order_index = erp.order_tables(raw_orders, raw_items, erp_index, _rng(seed, "orders"))
    sqlite_job.send("products", catalog.select(erp.PRODUCT_COLUMNS))
    sqlite_job.send("orders", orders_tbl)
    sqlite_job.send("order_items", items_tbl)
    churned = np.zeros(customers, dtype=bool)
    churn_ts = np.full(customers, np.datetime64("NaT"), dtype="datetime64[ms]")
    b_eid = churn_b["eid"].to_numpy()
    churned[b_eid] = churn_b["churned"].to_numpy()
    churn_ts[b_eid] = churn_b["churn_ts"].to_numpy()
    churn = pl.DataFrame({"churned": churned, "churn_ts": churn_ts})

    say("CRM contacts")
    stage = crm.lifecycle_stage(_purchase_summary(raw_orders, customers, churned), as_of_ms)
    crm_tbl, crm_index = crm.contact_rows(ent, n_crm, stage, _rng(seed, "crm"), as_of_ms, rates, log,
                                          consent_rng=consent_rng.crm, consent_params=consent_params)

    say("service tickets")
    tickets_tbl, ticket_index = interactions.tickets(ent, churn, erp_index, _rng(seed, "tickets"), as_of_ms, rates, log)
    say("surveys")
    surveys_tbl, survey_index = interactions.surveys(ent, ticket_index, raw_orders, order_index,
                                                     _rng(seed, "surveys"), as_of_ms, rates, log)
    say("campaign events")
    events_tbl, event_index = campaigns.events(ent, _rng(seed, "campaigns"), as_of, ent_params.history_years,
                                               rates, log)
    say("company registry")
    registry_tbl, registry_index = registry.registry_rows(ent, extra, _rng(seed, "registry"))

    say("writing files")
    writers.write_csv(stage_dir / "crm_contacts.csv", crm_tbl, encoding="gbk")
    writers.write_jsonl(stage_dir / "service_tickets.jsonl", tickets_tbl)
    writers.write_csv(stage_dir / "surveys.csv", surveys_tbl)
    writers.write_parquet(stage_dir / "campaign_events.parquet", events_tbl)
    writers.write_json_array(stage_dir / "company_registry.json", registry_tbl)

    say("writing truth")
    indexes = {
        "erp_customers": erp_index.select("eid", pl.col("cust_no").alias("record_id")),
        "crm_contacts": crm_index.select("eid", "record_id"),
        "service_tickets": ticket_index.select("eid", pl.col("ticket_id").alias("record_id")),
        "surveys": survey_index,
        "campaign_events": event_index,
        "company_registry": registry_index,
        "erp_orders": order_index.select("eid", pl.col("order_id").alias("record_id")),
    }
    records = truth.records_table(ent, indexes)
    entities = truth.entities_table(ent, churned, churn_ts,
                                    consent.current_consent(customers, [erp_index, crm_index]))
    noise_tbl = log.frame()
    rows = {
        "erp.sqlite:customers": customers_tbl.height,
        "erp.sqlite:products": catalog.height,
        "erp.sqlite:orders": orders_tbl.height,
        "erp.sqlite:order_items": items_tbl.height,
        "crm_contacts.csv": crm_tbl.height,
        "service_tickets.jsonl": tickets_tbl.height,
        "surveys.csv": surveys_tbl.height,
        "campaign_events.parquet": events_tbl.height,
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
    truth.write_truth(stage_dir / "truth", entities, records, noise_tbl, manifest)
    say("waiting for erp.sqlite")
    sqlite_job.result()
    writers.publish(stage_dir, out)
    customer_records = customers_tbl.height + crm_tbl.height + tickets_tbl.height + registry_tbl.height
    seconds = time.perf_counter() - started
    say(f"done: {customer_records:,} customer records in {seconds:.1f}s")
    return GenerateSummary(out=out, entities=customers, customer_records=customer_records, rows_per_file=rows,
                           seconds=seconds, seed=seed, as_of=as_of)


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

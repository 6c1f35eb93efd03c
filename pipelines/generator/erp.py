"""The old ERP: customer master rows, catalogue, orders and order lines.

Customer numbers are handed out in creation order, as an ERP sequence would,
so they reveal nothing about which rows belong together. An entity entered
twice gets its second row later; orders placed after that may be booked on
either row.
"""

from __future__ import annotations


import numpy as np
import polars as pl

from . import consent as cs
from . import noise as nz
from .places import COUNTRY_ZH
from .render import between, copies, fmt_ts, make_ids, mobile_and_tel, random_offsets, version_end
from .textops import take

CUSTOMER_COLUMNS = ("cust_no", "cust_type", "name", "gender", "birthday", "id_number", "mobile", "tel", "email",
                    "country", "province", "city", "district", "street", "street_number", "zip", "company",
                    "industry", "company_size", "job_title", "created_at", "updated_at", "mkt_consent", "mkt_consent_at")
ORDER_COLUMNS = ("order_id", "cust_no", "order_date", "status", "currency", "total_amount", "channel")
ITEM_COLUMNS = ("order_id", "line_no", "product_id", "quantity", "unit_price", "amount")
PRODUCT_COLUMNS = ("product_id", "sku", "name", "category", "unit_price")


def customer_rows(ent: pl.DataFrame, n_erp: np.ndarray, rng: np.random.Generator, as_of_ms: np.datetime64,
                  rates: nz.NoiseRates, log: nz.NoiseLog, *, first_id: int = 0,
                  consent_rng: np.random.Generator | None = None,
                  changed_mind: np.ndarray | None = None,
                  consent_params: cs.ConsentParams = cs.ConsentParams(),
                  split_ms: np.datetime64 | None = None,
                  not_before: np.ndarray | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(customers table, index[eid, cust_no, first, created_ts, consent, consent_ts]).

    ``changed_mind`` (per entity) flips the row's consent statement against the entity's; the
    consent columns draw from ``consent_rng`` (default: a stream spawned from ``rng``).
    With daily deliveries (``split_ms``: the first delivery's date), a row's last update falls
    within the delivery it is created in; ``not_before`` (per entity) is the earliest time its
    rows may be keyed in (a new customer of a delivery day has no row before that day)."""
    consent_rng = consent_rng if consent_rng is not None else rng.spawn(1)[0]
    eidx = np.repeat(np.arange(ent.height), n_erp)
    first = np.concatenate([[True], eidx[1:] != eidx[:-1]]) if len(eidx) else np.zeros(0, dtype=bool)
    since = ent["created_at"].to_numpy()[eidx].astype("datetime64[ms]")
    span = (as_of_ms - since).astype(np.int64)
    # the first row is keyed in just before the first order; a duplicate, some time later
    created = np.where(first, since - random_offsets(rng, len(eidx), 60, 7200),
                       since + (rng.random(len(eidx)) * span).astype(np.int64).astype("timedelta64[ms]"))
    if not_before is not None:
        created = np.maximum(created, not_before[eidx])
    order = np.lexsort((eidx, created))
    eidx, first, created = eidx[order], first[order], created[order]
    ids = make_ids("KH", len(eidx), 7, first_id)
    c = copies("erp_customers", ent, eidx, ids, rng, rates, log)
    d = c.df
    company = c.col("is_company")
    person_name = nz.person_names(c)
    comp_name = nz.company_names(c)
    name = pl.select(pl.when(pl.Series(company)).then(comp_name).otherwise(person_name)).to_series()
    employer = c.missing(pl.select(pl.when(pl.Series(company)).then(None).otherwise(d["employer"])).to_series()
                         .alias("company"), "company_name")
    mobile, tel = mobile_and_tel(c)
    addr = nz.addresses(c)
    updated = between(rng, created, version_end(created, split_ms, as_of_ms))
    changed = (np.zeros(len(eidx), dtype=bool) if changed_mind is None
               else np.asarray(changed_mind, dtype=bool)[eidx])
    stated, value = cs.erp_statements(consent_rng, c.col("consent"), changed, created, updated, as_of_ms,
                                      consent_params)
    stated_ts = cs.stated_at(consent_rng, created, updated, cs.ERP_PRECISION, consent_params)
    statement = cs.statement_columns(stated, value, stated_ts)
    table = pl.DataFrame({
        "cust_no": ids,
        "cust_type": take(("P", "C"), company.astype(np.int64)),
        "name": name,
        "gender": _gender(c),
        "birthday": nz.dates(c, d["birth_date"]),
        "id_number": nz.id_numbers(c, d["id_number"]),
        "mobile": mobile,
        "tel": tel,
        "email": nz.emails(c),
        "country": d["country"].replace_strict(COUNTRY_ZH, return_dtype=pl.String),
        **{k: addr[k] for k in ("province", "city", "district", "street")},
        "street_number": addr["street_no"],
        "zip": addr["postcode"],
        "company": pl.select(pl.when(pl.Series(company)).then(name).otherwise(employer)).to_series(),
        "industry": d["industry"],
        "company_size": d["company_size"],
        "job_title": c.missing(d["job_title"], "job_title"),
        "created_at": fmt_ts(pl.Series(created)),
        "updated_at": fmt_ts(pl.Series(updated)),
        "mkt_consent": statement["consent"].replace_strict({True: "Y", False: "N"}, return_dtype=pl.String),
        "mkt_consent_at": fmt_ts(statement["consent_ts"]),
    }).select(CUSTOMER_COLUMNS)
    index = pl.DataFrame({"eid": d["eid"], "cust_no": ids, "first": first, "created_ts": created, **statement})
    return table, index


def _gender(c: nz.Copies) -> pl.Series:
    """The Chinese desk keys 男/女, the overseas desk M/F."""
    g = nz.genders(c, ("女", "男"))
    latin = pl.Series(c.col("latin"))
    return pl.select(pl.when(latin).then(g.str.replace("女", "F").str.replace("男", "M")).otherwise(g)).to_series()


def order_tables(orders: pl.DataFrame, items: pl.DataFrame, index: pl.DataFrame,
                 rng: np.random.Generator, first_id: int = 0) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Book simulated orders onto customer numbers; (orders, order_items, order index[eid, order_id])."""
    n_ent = int(max(orders["eid"].max() or 0, index["eid"].max() or 0)) + 1
    eid_i = index["eid"].to_numpy()
    first = index["first"].to_numpy()
    main_no = np.full(n_ent, -1, dtype=np.int64)
    dup_no = np.full(n_ent, -1, dtype=np.int64)
    dup_ts = np.full(n_ent, np.datetime64("NaT"), dtype="datetime64[ms]")
    rows = np.arange(index.height)
    main_no[eid_i[first]] = rows[first]
    dup_no[eid_i[~first]] = rows[~first]
    dup_ts[eid_i[~first]] = index["created_ts"].to_numpy()[~first]
    oe = orders["eid"].to_numpy()
    ots = orders["order_ts"].to_numpy()
    use_dup = (dup_no[oe] >= 0) & (ots >= dup_ts[oe]) & (rng.random(len(oe)) < 0.5)
    row = np.where(use_dup, dup_no[oe], main_no[oe])
    order_id = np.arange(first_id + 1, first_id + len(oe) + 1)
    out_orders = pl.DataFrame({
        "order_id": order_id,
        "cust_no": index["cust_no"].gather(row),
        "order_date": fmt_ts(orders["order_ts"]),
        "status": orders["status"],
        "currency": orders["currency"],
        "total_amount": orders["total_cents"].to_numpy() / 100.0,  # true division: 419.9, not 419.90000000000003
        "channel": orders["channel"],
    }).select(ORDER_COLUMNS)
    keys = items.select((pl.col("order_key") + first_id + 1).alias("order_id"), "line_no", "product_id", "quantity")
    out_items = keys.with_columns(
        pl.Series("unit_price", items["unit_cents"].to_numpy() / 100.0),
        pl.Series("amount", items["amount_cents"].to_numpy() / 100.0),
    ).select(ITEM_COLUMNS)
    return out_orders, out_items, pl.DataFrame({"eid": oe, "order_id": order_id})

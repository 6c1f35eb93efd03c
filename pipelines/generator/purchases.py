"""Purchase histories from the BG/NBD and Gamma-Gamma generative stories.

Each buyer's first order is at their customer-since time. Repeat purchases
follow a Poisson process with the buyer's rate lambda; after each repeat
purchase the buyer drops out with probability p. Counts come from
min(Poisson(lambda*T), Geometric(p)) and the purchase times from uniform order
statistics (via exponential spacings), so no loop runs per purchase. Order
values follow Gamma-Gamma; they are then filled with real catalogue lines
whose amounts add up to the order total exactly (integer cents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import polars as pl

from .names import PRODUCT_CATALOG, PRODUCT_VARIANTS
from .textops import take

CURRENCIES = ("CNY", "USD", "GBP", "AUD")      # indexed by country code CN, US, GB, AU
CNY_PER_UNIT = np.array([1.0, 7.1, 9.0, 4.7])
CHANNELS = ("online", "app", "store", "sales_rep", "phone")
_CHANNEL_P_PERSON = (0.45, 0.25, 0.20, 0.05, 0.05)
_CHANNEL_P_COMPANY = (0.25, 0.05, 0.10, 0.50, 0.10)


@dataclass(frozen=True)
class PurchaseParams:
    gg_p: float = 6.0          # shape of order value around the customer's mean
    gg_q: float = 4.0          # shape of customers' mean-spend heterogeneity
    gg_gamma: float = 150.0    # scale in CNY: mean order value = p*gamma/(q-1) = 300 CNY
    company_spend: float = 3.0 # companies order in bulk
    refund_rate: float = 0.02
    cancel_rate: float = 0.03  # extra cancelled orders placed shortly before a real one
    n_products: int = 200


def products(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """The catalogue: name, category and list price (CNY)."""
    rows = [(cat, median, item, suffix, mult)
            for cat, median, items in PRODUCT_CATALOG for item in items for suffix, mult in PRODUCT_VARIANTS]
    pick = np.sort(rng.choice(len(rows), size=min(n, len(rows)), replace=False))
    chosen = [rows[i] for i in pick]
    base = np.array([r[1] * r[4] for r in chosen]) * rng.lognormal(0.0, 0.6, size=len(chosen))
    price = np.maximum(np.round(base) - np.where(rng.random(len(chosen)) < 0.5, 0.1, 0.0), 1.9)
    return pl.DataFrame({
        "product_id": np.arange(1, len(chosen) + 1),
        "sku": [f"SKU-{10000 + 37 * i:05d}" for i in range(len(chosen))],
        "name": [r[2] + r[3] for r in chosen],
        "category": [r[0] for r in chosen],
        "unit_price": np.round(price, 2),
    })


def simulate(rng: np.random.Generator, buyers: pl.DataFrame, as_of: date,
             catalog: pl.DataFrame, params: PurchaseParams = PurchaseParams()
             ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Orders, order lines and per-buyer churn for the given buyers.

    buyers: eid, created_at, lam, p_drop, cc (country code), is_company.
    Returns (orders[eid, order_ts, status, currency, total_cents, channel],
             items[order_key, line_no, product_id, quantity, unit_cents, amount_cents],
             churn[eid, churned, churn_date]); order_key is the row number in orders.
    """
    end = np.datetime64(datetime(as_of.year, as_of.month, as_of.day), "ms")
    eid = buyers["eid"].to_numpy()
    created = buyers["created_at"].to_numpy().astype("datetime64[ms]")
    lam = buyers["lam"].to_numpy()
    p = buyers["p_drop"].to_numpy()
    cc = buyers["cc"].to_numpy()
    company = buyers["is_company"].to_numpy()
    nb = len(eid)

    t_days = (end - created).astype(np.int64) / 86_400_000.0
    n_poisson = rng.poisson(lam * t_days)
    k_death = rng.geometric(np.clip(p, 1e-6, 1.0))
    x = np.minimum(n_poisson, k_death)          # repeat purchases seen before as_of
    churned = (k_death <= n_poisson) & (x > 0)

    # repeat purchase times: first x of N sorted uniforms on (0, T)
    total = int(x.sum())
    owner = np.repeat(np.arange(nb), x)
    spacing = rng.exponential(1.0, size=total)
    csum = np.cumsum(spacing)
    starts = np.concatenate([[0], np.cumsum(x)[:-1]]).astype(np.int64)
    has = x > 0
    before = np.zeros(nb)
    before[has] = np.where(starts[has] > 0, csum[np.maximum(starts[has] - 1, 0)], 0.0)
    local = csum - before[owner]
    last = np.zeros(nb)
    last[has] = local[starts[has] + x[has] - 1]
    rest = rng.gamma(np.maximum(n_poisson - x + 1, 1).astype(float), 1.0)
    frac = local / (last[owner] + rest[owner])
    repeat_ms = created[owner] + (frac * t_days[owner] * 86_400_000).astype(np.int64).astype("timedelta64[ms]")
    churn_date = np.full(nb, np.datetime64("NaT"), dtype="datetime64[ms]")
    churn_date[has] = repeat_ms[starts[has] + x[has] - 1]
    churn_date = np.where(churned, churn_date, np.datetime64("NaT"))

    # all real orders: the first at customer-since, then the repeats
    o_buyer = np.concatenate([np.arange(nb), owner])
    o_time = np.concatenate([created, repeat_ms])
    # cancelled attempts shortly before some real orders
    n_real = len(o_buyer)
    cancel_src = np.flatnonzero(rng.random(n_real) < params.cancel_rate)
    c_time = o_time[cancel_src] - rng.integers(60_000, 7_200_000, size=len(cancel_src)).astype("timedelta64[ms]")
    c_time = np.maximum(c_time, created[o_buyer[cancel_src]])
    o_buyer = np.concatenate([o_buyer, o_buyer[cancel_src]])
    o_time = np.concatenate([o_time, c_time])
    status = np.concatenate([
        np.where(rng.random(n_real) < params.refund_rate, 2, 0),
        np.ones(len(cancel_src), dtype=np.int64),
    ])
    # Gamma-Gamma order values, in CNY
    nu = rng.gamma(params.gg_q, 1.0 / params.gg_gamma, size=nb)
    value = rng.gamma(params.gg_p, 1.0 / nu[o_buyer]) * np.where(company[o_buyer], params.company_spend, 1.0)

    order = np.lexsort((o_buyer, o_time))
    o_buyer, o_time, status, value = o_buyer[order], o_time[order], status[order], value[order]
    m = len(o_buyer)
    o_cc = cc[o_buyer]
    chan = np.where(company[o_buyer],
                    rng.choice(len(CHANNELS), size=m, p=_CHANNEL_P_COMPANY),
                    rng.choice(len(CHANNELS), size=m, p=_CHANNEL_P_PERSON))

    items = _lines(rng, value, o_cc, catalog)
    totals = items.group_by("order_key").agg(pl.col("amount_cents").sum()).sort("order_key")
    orders = pl.DataFrame({
        "eid": eid[o_buyer],
        "order_ts": o_time,
        "status": take(("paid", "cancelled", "refunded"), status),
        "currency": take(CURRENCIES, o_cc),
        "total_cents": totals["amount_cents"],
        "channel": take(CHANNELS, chan),
    })
    churn = pl.DataFrame({"eid": eid, "churned": churned, "churn_ts": churn_date})
    return orders, items, churn


def _lines(rng: np.random.Generator, value: np.ndarray, cc: np.ndarray, catalog: pl.DataFrame) -> pl.DataFrame:
    """Catalogue lines whose amounts roughly make up each order value."""
    m = len(value)
    n_lines = rng.choice([1, 2, 3, 4], size=m, p=[0.55, 0.28, 0.12, 0.05])
    key = np.repeat(np.arange(m), n_lines)
    starts = np.concatenate([[0], np.cumsum(n_lines)[:-1]]).astype(np.int64)
    line_no = np.arange(len(key)) - starts[key] + 1
    qty = rng.choice([1, 2, 3, 4, 5, 6], size=len(key), p=[0.70, 0.18, 0.05, 0.03, 0.02, 0.02])
    target = value[key] / n_lines[key] / qty
    price = catalog["unit_price"].to_numpy()
    by_price = np.argsort(price, kind="stable")
    pos = np.searchsorted(price[by_price], target) + rng.integers(-4, 5, size=len(key))
    prod = by_price[np.clip(pos, 0, len(price) - 1)]
    discount = np.where(rng.random(m) < 0.15, rng.choice([0.8, 0.85, 0.9, 0.95], size=m), 1.0)[key]
    unit_cents = np.maximum(np.round(price[prod] * 100 / CNY_PER_UNIT[cc[key]] * discount), 1).astype(np.int64)
    return pl.DataFrame({
        "order_key": key,
        "line_no": line_no,
        "product_id": catalog["product_id"].to_numpy()[prod],
        "quantity": qty,
        "unit_cents": unit_cents,
        "amount_cents": unit_cents * qty,
    })

"""Service tickets and satisfaction surveys.

Both are driven by the latent dropout propensity p: customers who are about
to leave open more tickets, more of them complaints (clustered before they
stop buying), and rate the service lower. That is the signal a churn model
and a satisfaction mart should be able to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import noise as nz
from .names import SURVEY_COMMENTS, TICKET_SUBJECTS
from .render import RECORD_COLUMNS, copies, make_ids, primary_phone, version_end
from .textops import flatten, take

TICKET_COLUMNS = ("ticket_id", "customer_name", "phone", "email", "cust_no", "type", "channel", "subject",
                  "status", "priority", "opened_at", "resolved_at")
SURVEY_COLUMNS = ("response_id", "respondent_email", "respondent_phone", "ticket_id", "order_id", "survey_date",
                  "csat", "nps", "comment")
TYPES = ("consultation", "complaint", "repair")
CHANNELS = ("phone", "email", "wechat", "web")
PRIORITIES = ("low", "medium", "high", "urgent")
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class InteractionParams:
    tickets_base: float = 0.28        # scales the mean number of tickets per entity
    survey_after_ticket: float = 0.35
    survey_after_order: float = 0.03
    lookup_cust_no: float = 0.45      # agent found the ERP customer number


def _ms(delta_ms: np.ndarray) -> np.ndarray:
    return np.asarray(delta_ms, dtype=np.int64).astype("timedelta64[ms]")


def _iso(ts: pl.Series, utc: np.ndarray) -> pl.Series:
    """ISO 8601 with the offset the system stores: +08:00 locally, Z for overseas desks."""
    frame = pl.DataFrame({"t": ts, "u": utc})
    return frame.select(
        pl.when(pl.col("t").is_null()).then(None)
        .when("u").then((pl.col("t") - pl.duration(hours=8)).dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        .otherwise(pl.col("t").dt.strftime("%Y-%m-%dT%H:%M:%S+08:00"))
    ).to_series()


def tickets(ent: pl.DataFrame, churn: pl.DataFrame, erp_index: pl.DataFrame, rng: np.random.Generator,
            as_of_ms: np.datetime64, rates: nz.NoiseRates, log: nz.NoiseLog,
            params: InteractionParams = InteractionParams(),
            split_ms: np.datetime64 | None = None,
            scale: np.ndarray | None = None, first_id: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(tickets table, index[eid, ticket_id, type, resolved_ts, opened_ts]).

    A ticket's status is what its delivery shows (with daily deliveries from ``split_ms`` on, a
    ticket opened before the split is seen at the split, one opened later at its day's end);
    resolved_ts is its resolution time if that came before ``as_of_ms``. ``scale`` (per entity)
    multiplies the mean number of tickets (a customer of a few days has had time for few)."""
    n_ent = ent.height
    p = ent["p_drop"].to_numpy()
    churned = churn["churned"].to_numpy()
    churn_ts = churn["churn_ts"].to_numpy().astype("datetime64[ms]")
    has_erp = np.zeros(n_ent, dtype=bool)
    has_erp[erp_index["eid"].to_numpy()] = True
    mu = params.tickets_base * (0.4 + 2.0 * p) * np.where(has_erp, 1.6, 0.6) * np.where(churned, 1.5, 1.0)
    if scale is not None:
        mu = mu * scale
    counts = rng.poisson(mu)
    eidx = np.repeat(np.arange(n_ent), counts)
    m = len(eidx)

    pe = p[eidx]
    ch = churned[eidx]
    u = rng.random(m)
    kind = np.where(u < 0.12 + 0.5 * pe + 0.15 * ch, 1, np.where(u < 0.37 + 0.5 * pe + 0.15 * ch, 2, 0))
    since = ent["created_at"].to_numpy()[eidx].astype("datetime64[ms]")
    span = (as_of_ms - since).astype(np.int64)
    anywhere = since + _ms(rng.random(m) * span)
    # leavers' tickets cluster in the weeks before they stop buying
    before_churn = churn_ts[eidx] - _ms(rng.exponential(60 * DAY_MS, size=m))
    early = since + _ms(rng.random(m) * np.maximum((churn_ts[eidx] - since).astype(np.int64), 0))
    before_churn = np.where(before_churn < since, early, before_churn)
    opened = np.where(ch & (rng.random(m) < 0.7), before_churn, anywhere)
    opened = np.minimum(opened, as_of_ms - np.timedelta64(60_000, "ms"))
    median_h = np.array([4.0, 120.0, 72.0])[kind]
    sigma = np.array([1.0, 0.9, 0.8])[kind]
    duration = _ms(rng.lognormal(np.log(median_h), sigma) * HOUR_MS)
    resolved = opened + duration
    seen = version_end(opened, split_ms, as_of_ms)
    still_open = resolved >= seen
    unresolved = resolved >= as_of_ms
    status = np.where(still_open, 0, np.where((seen - resolved) < np.timedelta64(3 * DAY_MS, "ms"), 1,
                                              np.where(rng.random(m) < 0.85, 2, 1)))
    order = np.lexsort((eidx, opened))
    eidx, kind, opened, resolved, still_open, unresolved, status = (
        a[order] for a in (eidx, kind, opened, resolved, still_open, unresolved, status))
    ids = make_ids("T", m, 7, first_id)
    c = copies("service_tickets", ent, eidx, ids, rng, rates, log)
    d = c.df
    company = pl.Series(c.col("is_company"))
    name = pl.select(pl.when(company).then(nz.company_names(c)).otherwise(nz.person_names(c))).to_series()

    # cust_no when the agent looked the customer up
    first_no = pl.DataFrame({"eid": erp_index["eid"], "cust_no": erp_index["cust_no"]}) \
        .unique(subset="eid", keep="first", maintain_order=True)
    lut = pl.Series([None] * n_ent, dtype=pl.String).scatter(first_no["eid"].to_numpy(), first_no["cust_no"])
    cust_no = lut.gather(eidx)
    cust_no = pl.select(pl.when(pl.Series(rng.random(m) < params.lookup_cust_no)).then(cust_no)).to_series()

    latin = c.col("latin")
    subj_keys = [(s, t) for s in ("zh", "latin") for t in TYPES]
    subj_flat, subj_off, subj_cnt = flatten([TICKET_SUBJECTS[k] for k in subj_keys])
    grp = latin.astype(np.int64) * 3 + kind
    subject = take(subj_flat, subj_off[grp] + np.floor(rng.random(m) * subj_cnt[grp]).astype(np.int64))
    prio = np.where(kind == 1, rng.choice(4, size=m, p=[0.10, 0.40, 0.35, 0.15]),
                    rng.choice(4, size=m, p=[0.35, 0.45, 0.15, 0.05]))
    table = pl.DataFrame({
        "ticket_id": ids,
        "customer_name": name,
        "phone": primary_phone(c),
        "email": nz.emails(c),
        "cust_no": cust_no,
        "type": take(TYPES, kind),
        "channel": take(CHANNELS, rng.choice(4, size=m, p=[0.40, 0.20, 0.25, 0.15])),
        "subject": subject,
        "status": take(("open", "resolved", "closed"), status),
        "priority": take(PRIORITIES, prio),
        "opened_at": _iso(pl.Series(opened), latin),
        "resolved_at": _iso(pl.select(pl.when(pl.Series(still_open)).then(None)
                                      .otherwise(pl.Series(resolved))).to_series(), latin),
    }).select(TICKET_COLUMNS)
    index = pl.DataFrame({"eid": d["eid"], "ticket_id": ids, "type": kind,
                          "resolved_ts": pl.select(pl.when(pl.Series(unresolved)).then(None)
                                                   .otherwise(pl.Series(resolved))).to_series(),
                          "opened_ts": pl.Series(opened.astype("datetime64[ms]"))})
    return table, index


def surveys(ent: pl.DataFrame, ticket_index: pl.DataFrame, orders: pl.DataFrame, order_index: pl.DataFrame,
            rng: np.random.Generator, as_of_ms: np.datetime64, rates: nz.NoiseRates, log: nz.NoiseLog,
            params: InteractionParams = InteractionParams(), first_id: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(surveys table, index[eid, response_id]); satisfaction falls with dropout propensity."""
    t_ok = ticket_index.filter(pl.col("resolved_ts").is_not_null())
    t_pick = t_ok.filter(pl.Series(rng.random(t_ok.height) < params.survey_after_ticket))
    paid = orders.with_columns(order_index["order_id"]).filter(pl.col("status") == "paid")
    o_pick = paid.filter(pl.Series(rng.random(paid.height) < params.survey_after_order))
    nt, no = t_pick.height, o_pick.height
    eidx = np.concatenate([t_pick["eid"].to_numpy(), o_pick["eid"].to_numpy()]).astype(np.int64)
    base = np.concatenate([t_pick["resolved_ts"].to_numpy().astype("datetime64[ms]"),
                           o_pick["order_ts"].to_numpy().astype("datetime64[ms]")])
    delay = np.concatenate([rng.random(nt) * 3 * DAY_MS, (1 + rng.random(no) * 9) * DAY_MS])
    when = base + _ms(delay)
    keep = when < as_of_ms
    kind = np.concatenate([t_pick["type"].to_numpy(), np.full(no, -1)])
    ticket_id = pl.concat([t_pick["ticket_id"], pl.Series([None] * no, dtype=pl.String)])
    order_id = pl.concat([pl.Series([None] * nt, dtype=pl.Int64), o_pick["order_id"].cast(pl.Int64)])
    eidx, when, kind = eidx[keep], when[keep], kind[keep]
    ticket_id, order_id = ticket_id.filter(pl.Series(keep)), order_id.filter(pl.Series(keep))
    order = np.lexsort((eidx, when))
    eidx, when, kind = eidx[order], when[order], kind[order]
    ticket_id, order_id = ticket_id.gather(order), order_id.gather(order)
    m = len(eidx)

    p = ent["p_drop"].to_numpy()[eidx]
    sat = 4.4 - 2.5 * p - np.where(kind == 1, 1.0, 0.0) - np.where(kind == 2, 0.3, 0.0) + rng.normal(0, 0.7, size=m)
    csat = np.clip(np.round(sat), 1, 5).astype(np.int64)
    nps = np.clip(np.round(2.3 * sat - 1.5 + rng.normal(0, 1.3, size=m)), 0, 10).astype(np.int64)
    csat_null = rng.random(m) < 0.08
    nps_null = rng.random(m) < 0.20
    band = np.where(csat <= 2, 0, np.where(csat == 3, 1, 2))
    # respondents give an e-mail, a phone or both; only what they gave is rendered (and noised)
    has_email = ent["email"].is_not_null().to_numpy()[eidx]
    give = rng.random(m)
    show_email = has_email & (give < 0.8)
    show_phone = ~show_email | (give > 0.6)
    ids = make_ids("R", m, 7, first_id)
    rows = ent.select(RECORD_COLUMNS)[eidx].with_columns(
        pl.when(pl.Series(show_email)).then(pl.col("email")).alias("email"),
        pl.when(pl.Series(show_phone)).then(pl.col("ph_nsn")).alias("ph_nsn"))
    c = nz.Copies("surveys", rows, ids, rng, rates, log)
    latin = c.col("latin")
    keys = [(s, b) for s in ("zh", "latin") for b in (0, 1, 2)]
    flat, off, cnt = flatten([SURVEY_COMMENTS[k] for k in keys])
    grp = latin.astype(np.int64) * 3 + band
    comment = take(flat, off[grp] + np.floor(rng.random(m) * cnt[grp]).astype(np.int64))
    table = pl.DataFrame({
        "response_id": ids,
        "respondent_email": nz.emails(c, optional=False),
        "respondent_phone": primary_phone(c, optional=False),
        "ticket_id": ticket_id,
        "order_id": order_id,
        "survey_date": pl.Series(when.astype("datetime64[D]")).dt.strftime("%Y-%m-%d"),
        "csat": pl.select(pl.when(pl.Series(csat_null)).then(None).otherwise(pl.Series(csat))).to_series(),
        "nps": pl.select(pl.when(pl.Series(nps_null)).then(None).otherwise(pl.Series(nps))).to_series(),
        "comment": pl.select(pl.when(pl.Series(rng.random(m) < 0.55)).then(None).otherwise(comment)).to_series(),
    }).select(SURVEY_COLUMNS)
    return table, pl.DataFrame({"eid": c.df["eid"], "record_id": ids})

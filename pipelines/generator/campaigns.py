"""Marketing campaign events: sent, then maybe open, click, convert.

The marketing platform holds one contact per customer (an e-mail or phone as
once entered, with its own quirks) and reuses it for every send, so all
events of a customer carry the same spelling. Customers who consented get
most sends; engagement falls with the latent dropout propensity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from . import noise as nz
from .names import CAMPAIGNS_LATIN, CAMPAIGNS_ZH
from .render import UTC_OFFSET
from .textops import take

COLUMNS = ("event_id", "campaign_id", "campaign_name", "channel", "email", "phone", "event_type", "event_time")
EVENT_TYPES = ("sent", "open", "click", "convert")
CHANNELS = ("email", "sms", "wechat")
MIN_MS = 60_000


@dataclass(frozen=True)
class CampaignParams:
    per_year_cn: int = 8
    per_year_intl: int = 4
    reach_consent: float = 0.35
    reach_no_consent: float = 0.02
    open_rate: float = 0.25
    click_rate: float = 0.15
    convert_rate: float = 0.07


def campaign_list(rng: np.random.Generator, as_of: date, years: int, params: CampaignParams,
                  extra: list[tuple] | None = None) -> pl.DataFrame:
    """Campaign id, name, market, channel, send time and reach (a factor on the params' reach):
    seasonal campaigns over the history, plus ``extra`` sends (send_ts, market, name, channel, reach)."""
    rows = []
    start = np.datetime64(as_of, "ms") - np.timedelta64(int(round(years * 365.25)) * 86_400_000, "ms")
    for market, per_year, pool in (("zh", params.per_year_cn, CAMPAIGNS_ZH),
                                   ("latin", params.per_year_intl, CAMPAIGNS_LATIN)):
        for year in range(as_of.year - years, as_of.year + 1):
            picks = np.sort(rng.choice(len(pool), size=min(per_year, len(pool)), replace=False))
            for i in picks:
                month, name = pool[i]
                month = month or int(rng.integers(1, 13))
                day = int(rng.integers(1, 29))
                send = np.datetime64(f"{year}-{month:02d}-{day:02d}T{int(rng.integers(8, 20)):02d}:00", "ms")
                ch = rng.choice(3, p=[0.35, 0.35, 0.30] if market == "zh" else [0.8, 0.2, 0.0])
                if start <= send < np.datetime64(as_of, "ms"):
                    rows.append((send, market, name, CHANNELS[ch], 1.0))
    rows.extend(extra or [])
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    frame = pl.DataFrame({"send_ts": np.array([r[0] for r in rows], dtype="datetime64[ms]"),
                          "market": [r[1] for r in rows], "campaign_name": [r[2] for r in rows],
                          "channel": [r[3] for r in rows],
                          "reach": np.array([r[4] for r in rows], dtype=np.float64)})
    month = frame["send_ts"].dt.strftime("%Y%m")
    seq = frame.select(pl.int_range(pl.len()).over(month).alias("s"))["s"] + 1
    return frame.with_columns(
        pl.concat_str([pl.lit("CMP-"), month, pl.lit("-"), seq.cast(pl.String).str.zfill(2)]).alias("campaign_id"))


def events(ent: pl.DataFrame, rng: np.random.Generator, as_of: date, years: int,
           rates: nz.NoiseRates, log: nz.NoiseLog, params: CampaignParams = CampaignParams(),
           extra_sends: list[tuple] | None = None, *, first_id: int = 0,
           list_rng: np.random.Generator | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(events table, index[eid, record_id, ts]); ``extra_sends``: see campaign_list. Event ids follow
    ``first_id``; ``list_rng`` draws the campaigns (shards of one generation share them)."""
    as_of_ms = np.datetime64(as_of, "ms")
    camps = campaign_list(list_rng or rng, as_of, years, params, extra_sends)

    # one marketing contact per entity, noised once and reused by every event
    contact_log = nz.NoiseLog()
    eids = ent["eid"]
    c = nz.Copies("campaign_contacts", ent, eids, rng, rates, contact_log)
    email = nz.emails(c, optional=False)
    # texts go to mobiles: a person's own, a company's contact person's
    person = ~c.col("is_company")
    phone = nz.phone_numbers(
        c, "phone", np.where(person, c.col("ph_kind"), c.col("cmob_kind")),
        pl.select(pl.when(pl.Series(person)).then(ent["ph_nsn"]).otherwise(ent["cmob_nsn"])).to_series(),
        old_kind=c.col("old_kind"), old_nsn=ent["old_nsn"], changed_ok=person, optional=False)
    has_phone = phone.is_not_null().to_numpy()

    created = ent["created_at"].to_numpy().astype("datetime64[ms]")
    latin = ent["latin"].to_numpy()
    consent = ent["consent"].to_numpy()
    has_email = email.is_not_null().to_numpy()
    p = ent["p_drop"].to_numpy()
    engage = np.clip(1.25 - 1.2 * p, 0.2, 1.5) * np.where(consent, 1.0, 0.5)
    parts = []
    for row in camps.iter_rows(named=True):
        send = np.datetime64(row["send_ts"], "ms")
        ok = (latin == (row["market"] == "latin")) & (created < send)
        ok &= has_email if row["channel"] == "email" else has_phone
        reach = np.where(consent, params.reach_consent, params.reach_no_consent) * row["reach"]
        target = np.flatnonzero(ok & (rng.random(len(ok)) < reach))
        k = len(target)
        sent = send + (rng.random(k) * 3 * 3_600_000).astype(np.int64).astype("timedelta64[ms]")
        opened = rng.random(k) < params.open_rate * engage[target]
        clicked = opened & (rng.random(k) < params.click_rate * engage[target])
        converted = clicked & (rng.random(k) < params.convert_rate * engage[target] * 1.2)
        t_open = sent + (rng.exponential(6 * 60, size=k) * MIN_MS + MIN_MS).astype(np.int64).astype("timedelta64[ms]")
        t_click = t_open + (rng.exponential(20, size=k) * MIN_MS + MIN_MS).astype(np.int64).astype("timedelta64[ms]")
        t_conv = t_click + (rng.exponential(120, size=k) * MIN_MS + MIN_MS).astype(np.int64).astype("timedelta64[ms]")
        for etype, mask, ts in ((0, np.ones(k, dtype=bool), sent), (1, opened, t_open), (2, clicked, t_click),
                                (3, converted, t_conv)):
            sel = mask & (ts < as_of_ms)
            parts.append(pl.DataFrame({
                "eid": target[sel], "etype": np.full(int(sel.sum()), etype, dtype=np.int8),
                "ts": ts[sel], "camp": np.full(int(sel.sum()), row["campaign_id"]),
            }))
    ev = pl.concat(parts).sort("ts", "eid", "etype", "camp")
    ev = ev.with_columns(pl.int_range(first_id + 1, first_id + pl.len() + 1, dtype=pl.Int64).alias("event_id"))
    ev = ev.join(camps.select("campaign_id", "campaign_name", "channel"), left_on="camp", right_on="campaign_id",
                 how="left", maintain_order="left")
    eidx = ev["eid"].to_numpy()
    is_email = (ev["channel"] == "email").to_numpy()
    table = pl.DataFrame({
        "event_id": ev["event_id"],
        "campaign_id": ev["camp"],
        "campaign_name": ev["campaign_name"],
        "channel": ev["channel"],
        "email": pl.select(pl.when(pl.Series(is_email)).then(email.gather(eidx))).to_series(),
        "phone": pl.select(pl.when(pl.Series(~is_email)).then(phone.gather(eidx))).to_series(),
        "event_type": take(EVENT_TYPES, ev["etype"].to_numpy().astype(np.int64)),
        # internal clock is UTC+8; the platform stores UTC
        "event_time": pl.Series(ev["ts"].to_numpy() - UTC_OFFSET.astype("timedelta64[ms]"))
        .dt.replace_time_zone("UTC").dt.cast_time_unit("us"),
    }).select(COLUMNS)

    # expand the contact-level noise to every event that shows that field
    noise = contact_log.frame().select(pl.col("record_id").cast(pl.Int64).alias("eid"), "field", "noise")
    ev_fields = pl.DataFrame({"eid": eidx, "event_id": ev["event_id"],
                              "field": np.where(is_email, "email", "phone")})
    expanded = ev_fields.join(noise, on=["eid", "field"], how="inner", maintain_order="left") \
        .select(pl.col("event_id").cast(pl.String).alias("record_id"), "field", "noise")
    counts = {}
    applied = expanded.group_by("field", "noise").len()
    shown = ev_fields.group_by("field").len()
    for fld, n_shown in shown.iter_rows():
        for (f2, kind, n_hit) in applied.iter_rows():
            if f2 == fld:
                counts[f"campaign_events|{fld}|{kind}"] = (int(n_shown), int(n_hit))
    log.extend(expanded, "campaign_events", counts)
    return table, pl.DataFrame({"eid": eidx, "record_id": ev["event_id"].cast(pl.String), "ts": ev["ts"]})

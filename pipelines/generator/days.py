"""Daily deliveries: the history up to ``as_of``, then one dated folder per later day.

With ``days`` K > 1 the generator simulates one world through ``as_of + K - 1`` and splits it by
the time each record was keyed in (or, for an updated record, last changed):

- the top-level files are the first delivery, everything before ``as_of`` (the ERP as of then);
- folder ``DIR/D/`` (D = as_of + 1 ... as_of + K - 1) holds what happened on day D - 1: new CRM
  contacts and changed contacts (the full row under the same id), tickets, survey answers,
  campaign events, and ``erp_changes/<table>.parquet`` with the full ERP rows to upsert that day.

On top of what the simulation brings by itself (repeat orders, tickets, surveys, duplicate
entries), `DailyParams` sets how many new customers arrive, how many known customers are keyed
into the CRM again, how many ERP and CRM customer rows are updated (a new mobile, a move, a new
e-mail) and a small triggered campaign each day. An updated row is delivered first as it was
before the change (the older value, updated_at before ``as_of``) and then, on its day, as it is.

Day boundaries are midnights of the internal clock (naive China Standard Time); ticket and
campaign timestamps written in UTC belong to the day of their local time.

`apply_erp_delivery` moves the landing folder's ERP on by one day's changes, as the ERP would.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from . import noise as nz
from .names import EMAIL_DOMAINS
from .places import COUNTRIES
from .render import RECORD_COLUMNS, fmt_ts
from .textops import take

DAY = np.timedelta64(86_400_000, "ms")
ERP_TABLES = ("customers", "products", "orders", "order_items")
ERP_KEYS = {"customers": ("cust_no",), "products": ("product_id",), "orders": ("order_id",),
            "order_items": ("order_id", "line_no")}
DAILY_FILES = ("crm_contacts.csv", "service_tickets.jsonl", "surveys.csv", "campaign_events.parquet")
UPDATE_KINDS = ("phone", "address", "email")
CUSTOMER_SOURCES = ("erp_customers", "crm_contacts", "service_tickets")  # records entity resolution matches
KINDS = ("new_customer", "new_record_of_known_customer", "update", "activity")
_ROLE_LOCALS = ("info", "sales", "contact", "service", "office", "admin")
_CRM_TS = "%Y/%m/%d %H:%M"


@dataclass(frozen=True)
class DailyParams:
    """What each delivery day brings besides what the simulation itself does. Shares are per day."""

    new_customers: float = 0.005    # new customers, as a share of the history's customers
    new_contacts: float = 0.004     # known customers keyed into the CRM again (new contact), share of them
    erp_updates: float = 0.006      # ERP customer rows updated, share of the rows before as_of
    crm_updates: float = 0.006      # CRM contacts changed, share of the contacts before as_of
    update_phone: float = 0.4       # what an update changes: a new mobile (persons) ...
    update_address: float = 0.4     # ... a move ...
    update_email: float = 0.2       # ... or a new e-mail address
    campaign_reach: float = 0.1     # a daily triggered send reaches this share of a seasonal campaign's audience


def delivery_dates(as_of: date, days: int) -> list[date]:
    """The dated folders' dates: as_of + 1 ... as_of + days - 1."""
    return [as_of + timedelta(days=j) for j in range(1, days)]


def day_index(ts: np.ndarray, split_ms: np.datetime64) -> np.ndarray:
    """-1 for a time before the split (the first delivery), else the delivery day j (folder as_of + j + 1)."""
    ts = np.asarray(ts).astype("datetime64[ms]")
    return np.where(ts < split_ms, -1, (ts - split_ms) // DAY).astype(np.int64)


def _in_day(rng: np.random.Generator, split_ms: np.datetime64, day: np.ndarray) -> np.ndarray:
    """A uniform instant within each row's delivery day."""
    return split_ms + np.asarray(day, dtype=np.int64) * DAY + (rng.random(len(day)) * 86_400_000).astype(
        np.int64).astype("timedelta64[ms]")


# --- who arrives ------------------------------------------------------------------------------

def new_customers(ent: pl.DataFrame, n_new: int, rng: np.random.Generator, split_ms: np.datetime64,
                  days: int) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Make ``n_new`` random entities customers of the delivery days, spread evenly over them.

    Returns (entities with their created_at moved into their day, not_before per entity (its
    day's start, or a time long ago), is_new per entity)."""
    n = ent.height
    rows = np.sort(rng.choice(n, size=n_new, replace=False)) if n_new else np.zeros(0, dtype=np.int64)
    day = rng.permutation(n_new) % max(days - 1, 1)
    created = ent["created_at"].to_numpy().astype("datetime64[ms]").copy()
    created[rows] = _in_day(rng, split_ms, day)
    not_before = np.full(n, np.datetime64("1900-01-01", "ms"))
    not_before[rows] = split_ms + day * DAY
    is_new = np.zeros(n, dtype=bool)
    is_new[rows] = True
    return ent.with_columns(pl.Series("created_at", created)), not_before, is_new


def tenure_share(ent: pl.DataFrame, is_new: np.ndarray, split_ms: np.datetime64, end_ms: np.datetime64) -> np.ndarray:
    """Per entity: 1, or for a new customer its days until the end against the history's mean tenure.

    Per-customer counts that do not grow with tenure (tickets, a second ERP or CRM entry) would
    otherwise all fall into a new customer's first few days."""
    created = ent["created_at"].to_numpy().astype("datetime64[ms]")
    tenure = (end_ms - created).astype(np.float64)
    ref = float(np.mean((split_ms - created[~is_new]).astype(np.float64))) if (~is_new).any() else 1.0
    return np.where(is_new, np.clip(tenure / max(ref, 1.0), 0.0, 1.0), 1.0)


def thin_duplicates(rng: np.random.Generator, counts: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Keep an entity's second entry with probability ``share`` (see tenure_share)."""
    keep = rng.random(len(counts)) < share
    return np.where((counts > 1) & ~keep, 1, counts)


def known_contacts(rng: np.random.Generator, is_new: np.ndarray, split_ms: np.datetime64, days: int,
                   params: DailyParams) -> tuple[np.ndarray, np.ndarray]:
    """(entity rows, created times) of new CRM contacts of customers known before each day."""
    known = np.flatnonzero(~is_new)
    eids, created = [], []
    for j in range(days - 1):  # one draw per day, not per row
        k = int(rng.binomial(len(known), min(params.new_contacts, 1.0)))
        pick = np.sort(rng.choice(known, size=k, replace=False))
        eids.append(pick)
        created.append(_in_day(rng, split_ms, np.full(k, j)))
    if not eids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[ms]")
    return np.concatenate(eids), np.concatenate(created)


def daily_sends(rng: np.random.Generator, split_ms: np.datetime64, days: int, params: DailyParams) -> list[tuple]:
    """A small triggered campaign each delivery day per market (send_ts, market, name, channel, reach)."""
    sends = []
    for j in range(days - 1):
        for market, name in (("zh", "每日精选推荐"), ("latin", "Daily Picks")):
            hour = int(rng.integers(9, 20))
            channel = ("sms", "wechat")[int(rng.integers(0, 2))] if market == "zh" else "email"
            sends.append((split_ms + j * DAY + np.timedelta64(hour, "h"), market, name, channel,
                          float(params.campaign_reach)))
    return sends


# --- updates of existing customer rows ---------------------------------------------------------

def noised_ids(log: nz.NoiseLog, source: str, fields: set[str], kinds: set[str]) -> pl.Series:
    """Record ids of ``source`` that got one of ``kinds`` of noise on one of ``fields``."""
    parts = [p["record_id"] for p in log.parts
             if p.height and "source" in p.columns and p["source"][0] == source
             and p["field"][0] in fields and p["noise"][0] in kinds]
    return pl.concat(parts).unique() if parts else pl.Series("record_id", [], dtype=pl.String)


def _flagged(ids: pl.Series, log: nz.NoiseLog, source: str, fld: str, kinds: set[str]) -> np.ndarray:
    return ids.is_in(noised_ids(log, source, {fld}, kinds).implode()).to_numpy()


@dataclass
class Updates:
    """Rows (positions in their table) changed on a delivery day: the day, the update time and what changed."""

    rows: np.ndarray
    day: np.ndarray
    ts: np.ndarray
    kind: np.ndarray  # index into UPDATE_KINDS

    def changed(self) -> pl.Series:
        return take(UPDATE_KINDS, self.kind, "changed")


def pick_updates(rng: np.random.Generator, created: np.ndarray, split_ms: np.datetime64, days: int, share: float,
                 eligible: np.ndarray, params: DailyParams) -> Updates:
    """Rows keyed in before the split, each updated on one random day with probability share * (days - 1);
    the change is drawn by the params' weights among the kinds the row allows (eligible: rows x kinds)."""
    n = len(created)
    chosen = (np.asarray(created).astype("datetime64[ms]") < split_ms) & (rng.random(n) < min(share * (days - 1), 1.0))
    w = np.array([params.update_phone, params.update_address, params.update_email], dtype=np.float64)
    pref = rng.choice(3, size=n, p=w / w.sum())
    kind = np.full(n, -1, dtype=np.int64)
    for step in (2, 1, 0):  # the preferred kind if allowed, else the next allowed one
        k = (pref + step) % 3
        kind = np.where(eligible[np.arange(n), k], k, kind)
    rows = np.flatnonzero(chosen & (kind >= 0))
    day = rng.integers(0, days - 1, size=len(rows))
    return Updates(rows, day, _in_day(rng, split_ms, day), kind[rows])


def _old_values(ent: pl.DataFrame, eidx: np.ndarray, ids: pl.Series, source: str, rng: np.random.Generator,
                rates: nz.NoiseRates) -> dict[str, pl.Series]:
    """What a record showed before its update, spelled with the source's usual noise: the previous
    mobile, the previous address, an older e-mail (a person's at another provider, a company's
    other role mailbox). Noise drawn here is not logged: truth/noise.parquet describes the current
    version of each record and truth/deliveries.parquet what changed."""
    scratch = nz.NoiseLog()
    base = ent.select(RECORD_COLUMNS)[np.asarray(eidx, dtype=np.int64)]
    no_gaps = replace(rates, missing=0.0, moved_address=0.0, changed_phone=0.0, landline=0.0)
    c = nz.Copies(source, base, ids, rng, no_gaps, scratch)
    phone = nz.phone_numbers(c, "phone", c.col("old_kind"), base["old_nsn"], optional=False)
    moved = base.with_columns(pl.col(f"old_{col}").alias(col)
                              for col in ("place", "district", "street", "street_no", "postcode"))
    addr = nz.addresses(nz.Copies(source, moved, ids, rng, no_gaps, scratch))
    n = base.height
    cc = base["country"].replace_strict({c_: i for i, c_ in enumerate(COUNTRIES)}, return_dtype=pl.Int64).to_numpy()
    doms, off = [], []
    for code in COUNTRIES:
        off.append(len(doms))
        doms.extend(EMAIL_DOMAINS[code][0])
    cnt = np.array([len(EMAIL_DOMAINS[code][0]) for code in COUNTRIES])
    pick = np.array(off)[cc] + (rng.random(n) * cnt[cc]).astype(np.int64)
    nxt = np.array(off)[cc] + (pick - np.array(off)[cc] + 1) % cnt[cc]
    frame = pl.DataFrame({"e": base["email"], "d1": take(doms, pick), "d2": take(doms, nxt),
                          "r1": take(_ROLE_LOCALS, rng.integers(0, len(_ROLE_LOCALS), size=n)),
                          "co": base["is_company"]}).with_columns(
        pl.col("e").str.splitn("@", 2).struct.field("field_0").alias("l"),
        pl.col("e").str.splitn("@", 2).struct.field("field_1").alias("d"))
    old_email = frame.select(
        pl.when(pl.col("co")).then(pl.concat_str([
            pl.when(pl.col("r1") == pl.col("l")).then(pl.lit("hr")).otherwise("r1"), pl.lit("@"), "d"]))
        .otherwise(pl.concat_str(["l", pl.lit("@"), pl.when(pl.col("d1") == pl.col("d")).then("d2").otherwise("d1")]))
    ).to_series()
    email = nz.emails(c, values=old_email.alias("email"), optional=False)
    return {"phone": phone, "email": email, **{k: addr[k] for k in addr.columns}}


def _apply_old(table: pl.DataFrame, rows: np.ndarray, kind: np.ndarray,
               columns: dict[str, tuple[int, pl.Series]]) -> pl.DataFrame:
    """``table`` with ``rows`` showing the old values; ``columns`` maps a table column to
    (the update kind that changes it, the old value per row)."""
    if not len(rows):
        return table
    out = {}
    for col, (k, old) in columns.items():
        current = table[col].gather(rows)
        out[col] = table[col].scatter(rows, pl.select(pl.when(pl.Series(kind == k)).then(old).otherwise(current))
                                      .to_series())
    return table.with_columns(*out.values())


def _updatable(table: pl.DataFrame, ids: pl.Series, log: nz.NoiseLog, source: str, person: np.ndarray,
               columns: tuple[str, str, str]) -> np.ndarray:
    """Per row, whether its phone, address and email (``columns``, in that order) can change today: a person's
    mobile or any address not already written stale by the noise, any email that is there."""
    phone, address, email = columns
    stale_phone = _flagged(ids, log, source, "phone", {"changed_phone", "landline"})
    moved = _flagged(ids, log, source, "address_line1", {"moved_address"})
    return np.column_stack([person & table[phone].is_not_null().to_numpy() & ~stale_phone,
                            table[address].is_not_null().to_numpy() & ~moved,
                            table[email].is_not_null().to_numpy()])


def erp_updates(rng: np.random.Generator, table: pl.DataFrame, index: pl.DataFrame, ent: pl.DataFrame,
                log: nz.NoiseLog, rates: nz.NoiseRates, split_ms: np.datetime64, days: int,
                params: DailyParams) -> tuple[pl.DataFrame, pl.DataFrame, Updates]:
    """(customers as they stood before the updates, customers as they stand after, the updates)."""
    ids = table["cust_no"]
    person = (table["cust_type"] == "P").to_numpy()
    eligible = _updatable(table, ids, log, "erp_customers", person, ("mobile", "street", "email"))
    up = pick_updates(rng, index["created_ts"].to_numpy(), split_ms, days, params.erp_updates, eligible, params)
    old = _old_values(ent, index["eid"].to_numpy()[up.rows], ids.gather(up.rows), "erp_customers", rng, rates)
    before = _apply_old(table, up.rows, up.kind, {
        "mobile": (0, old["phone"]), "email": (2, old["email"]),
        "province": (1, old["province"]), "city": (1, old["city"]), "district": (1, old["district"]),
        "street": (1, old["street"]), "street_number": (1, old["street_no"]), "zip": (1, old["postcode"])})
    after = table.with_columns(table["updated_at"].scatter(up.rows, fmt_ts(pl.Series(up.ts))))
    return before, after, up


def crm_updates(rng: np.random.Generator, table: pl.DataFrame, index: pl.DataFrame, ent: pl.DataFrame,
                log: nz.NoiseLog, rates: nz.NoiseRates, split_ms: np.datetime64, days: int,
                params: DailyParams) -> tuple[pl.DataFrame, pl.DataFrame, Updates]:
    """(contacts before the changes, contacts after, the changes); a company contact's mobile is its
    contact person's, so only persons change their mobile."""
    ids = table["联系人编号"]
    eidx = index["eid"].to_numpy()
    person = ~ent["is_company"].to_numpy()[eidx]
    eligible = _updatable(table, ids, log, "crm_contacts", person, ("手机", "地址", "邮箱"))
    up = pick_updates(rng, index["created_ts"].to_numpy(), split_ms, days, params.crm_updates, eligible, params)
    old = _old_values(ent, eidx[up.rows], ids.gather(up.rows), "crm_contacts", rng, rates)
    latin = ent["latin"].to_numpy()[eidx[up.rows]]
    line = pl.DataFrame({"c": old["city_plain"], "d": old["district"], "s": old["street"], "no": old["street_no"],
                         "lat": latin}).select(
        pl.when("lat").then(pl.concat_str(["no", pl.lit(" "), "s"]))
        .otherwise(pl.concat_str(["c", pl.col("d").fill_null(""), "s", "no"]))).to_series()
    before = _apply_old(table, up.rows, up.kind, {
        "手机": (0, old["phone"]), "邮箱": (2, old["email"]), "省份": (1, old["province"]),
        "城市": (1, old["city"]), "地址": (1, line), "邮编": (1, old["postcode"])})
    after = table.with_columns(table["更新时间"].scatter(up.rows, fmt_ts(pl.Series(up.ts), _CRM_TS)))
    return before, after, up


# --- truth of the deliveries --------------------------------------------------------------------

def deliveries_table(as_of: date, placed: dict[str, pl.DataFrame], updates: dict[str, tuple[pl.Series, Updates]],
                     entity_id: pl.Series, customer_sources: tuple[str, ...]) -> pl.DataFrame:
    """One row per record of each dated delivery: delivery_date, source, record_id, entity_id, kind, changed.

    ``placed``: per source, eid, record_id and day (-1 for the first delivery) of every record;
    ``updates``: per source, the table's record ids and its updates. A customer record is a
    new_customer's when its entity had no record (of any source but the bought registry) before
    that day, else a new record of a known customer; orders, surveys and campaign events are activity.
    The first delivery (the top level) is not listed: it is every record of truth/records.parquet
    that is not listed here other than as an update."""
    # an entity's first record is always a customer record (activity comes after its ERP or CRM entry)
    every = pl.concat([p.select(pl.col("eid").cast(pl.Int64), pl.col("day").cast(pl.Int64))
                       for source, p in placed.items() if source in customer_sources])
    first = every.drop_nulls("eid").group_by("eid").agg(pl.col("day").min().alias("first_day"))
    parts = []
    for source, p in placed.items():
        rows = p.filter(pl.col("day") >= 0).select(pl.col("eid").cast(pl.Int64), pl.col("record_id").cast(pl.String),
                                                   pl.col("day").cast(pl.Int64))
        if source in customer_sources:
            kind = (pl.when(pl.col("first_day") == pl.col("day")).then(pl.lit("new_customer"))
                    .otherwise(pl.lit("new_record_of_known_customer")))
        else:
            kind = pl.lit("activity")
        rows = rows.join(first, on="eid", how="left", maintain_order="left").with_columns(
            pl.lit(source).alias("source"), kind.alias("kind"), pl.lit(None, dtype=pl.String).alias("changed"))
        parts.append(rows.select("day", "source", "record_id", "eid", "kind", "changed"))
    for source, (ids, up) in updates.items():
        eids = placed[source]["eid"].cast(pl.Int64).gather(up.rows)
        parts.append(pl.DataFrame({"day": up.day.astype(np.int64), "source": pl.Series([source] * len(up.rows),
                                                                                        dtype=pl.String),
                                   "record_id": ids.gather(up.rows).cast(pl.String), "eid": eids,
                                   "kind": pl.Series(["update"] * len(up.rows), dtype=pl.String),
                                   "changed": up.changed()}))
    out = pl.concat(parts)
    return out.select(
        (pl.lit(as_of) + pl.duration(days=pl.col("day") + 1)).cast(pl.Date).alias("delivery_date"),
        "source", "record_id",
        pl.when(pl.col("eid").is_null()).then(None).otherwise(entity_id.gather(out["eid"].fill_null(0))).alias(
            "entity_id"),
        "kind", "changed",
    ).sort("delivery_date", "source", "record_id", "kind")


# --- the ERP moving on ------------------------------------------------------------------------

def erp_changes_dir(landing: Path, day: date) -> Path:
    return Path(landing) / day.isoformat() / "erp_changes"


def apply_erp_delivery(landing: Path, day: date) -> dict[str, int]:
    """Upsert folder ``day``'s ERP changes (``DIR/<day>/erp_changes/<table>.parquet``) into
    ``DIR/erp.sqlite`` by primary key, in one transaction; rows upserted per table.

    Applying a day twice changes nothing more; a missing folder or no changes gives zeros."""
    landing = Path(landing)
    folder = erp_changes_dir(landing, day)
    counts = dict.fromkeys(ERP_TABLES, 0)
    frames = {t: pl.read_parquet(folder / f"{t}.parquet") for t in ERP_TABLES if (folder / f"{t}.parquet").is_file()}
    if not frames:
        return counts
    db = landing / "erp.sqlite"
    if not db.is_file():
        raise FileNotFoundError(f"ERP database {db} not found (generate the landing folder first)")
    con = sqlite3.connect(db)
    try:
        with con:  # one transaction: all of the day's changes or none
            for table, frame in frames.items():
                columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
                missing = [c for c in columns if c not in frame.columns]
                if not columns or missing:
                    raise ValueError(f"{folder / (table + '.parquet')}: does not match ERP table {table}"
                                     + (f" (missing {', '.join(missing)})" if missing else ""))
                frame = frame.select(columns)
                marks = ",".join("?" * len(columns))
                con.executemany(f"INSERT OR REPLACE INTO {table} ({','.join(columns)}) VALUES ({marks})",
                                frame.iter_rows())
                counts[table] = frame.height
    finally:
        con.close()
    return counts

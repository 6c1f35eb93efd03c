"""Shared pieces for turning entities into source records.

Record copies are entity rows gathered by index; the helpers here render the
contact fields that several sources hold the same way (mobile plus landline,
or a single phone) and format ids and timestamps.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .noise import Copies, NoiseLog, NoiseRates, phone_numbers

# internal clock: naive timestamps in China Standard Time (UTC+8)
UTC_OFFSET = np.timedelta64(8, "h")


def make_ids(prefix: str, n: int, width: int, start: int = 0) -> pl.Series:
    """``prefix`` and the numbers start+1 ... start+n, zero-filled to ``width``."""
    number = pl.int_range(start + 1, start + n + 1).cast(pl.String).str.zfill(width)
    return pl.select(pl.concat_str([pl.lit(prefix), number])).to_series()


# entity columns record renderers read; gathering only these keeps copies cheap
RECORD_COLUMNS = (
    "eid", "is_company", "latin", "family_name", "given_name", "family_py", "given_py", "gender",
    "co_city", "co_core", "co_ind", "co_suffix", "co_loose", "industry", "company_size",
    "ph_kind", "ph_nsn", "old_kind", "old_nsn", "tel_kind", "tel_nsn", "cmob_kind", "cmob_nsn",
    "email", "birth_date", "id_number", "country", "place", "district", "street", "street_no", "postcode",
    "old_place", "old_district", "old_street", "old_street_no", "old_postcode",
    "employer", "job_title", "contact_name", "contact_title", "consent",
)


def copies(source: str, ent: pl.DataFrame, eidx: np.ndarray, ids: pl.Series, rng: np.random.Generator,
           rates: NoiseRates, log: NoiseLog) -> Copies:
    return Copies(source, ent.select(RECORD_COLUMNS)[np.asarray(eidx, dtype=np.int64)], ids, rng, rates, log)


def mobile_and_tel(c: Copies) -> tuple[pl.Series, pl.Series]:
    """(mobile, tel) columns: a person's mobile and home landline, a company's
    contact mobile and switchboard. 'Changed phone' hits whichever is primary."""
    d = c.df
    person = ~c.col("is_company")
    p = pl.Series(person)
    mob_nsn = pl.select(pl.when(p).then(d["ph_nsn"]).otherwise(d["cmob_nsn"])).to_series()
    mob_kind = np.where(person, c.col("ph_kind"), c.col("cmob_kind"))
    mobile = phone_numbers(c, "phone", mob_kind, mob_nsn, old_kind=c.col("old_kind"), old_nsn=d["old_nsn"],
                           changed_ok=person, land_kind=c.col("tel_kind"), land_nsn=d["tel_nsn"], land_ok=person)
    tel_nsn = pl.select(pl.when(p).then(d["tel_nsn"]).otherwise(d["ph_nsn"])).to_series()
    tel_kind = np.where(person, c.col("tel_kind"), c.col("ph_kind"))
    tel = phone_numbers(c, "tel", tel_kind, tel_nsn, old_kind=c.col("old_kind"), old_nsn=d["old_nsn"],
                        changed_ok=~person)
    return mobile, tel


def primary_phone(c: Copies, fld: str = "phone", optional: bool = True) -> pl.Series:
    """The one number a caller or respondent gives: own mobile, or the company switchboard."""
    d = c.df
    person = ~c.col("is_company")
    return phone_numbers(c, fld, c.col("ph_kind"), d["ph_nsn"], old_kind=c.col("old_kind"), old_nsn=d["old_nsn"],
                         changed_ok=np.ones(c.n, dtype=bool), land_kind=c.col("tel_kind"), land_nsn=d["tel_nsn"],
                         land_ok=person, optional=optional)


def fmt_ts(ts: pl.Series, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.Series:
    return ts.dt.strftime(fmt)


def between(rng: np.random.Generator, start: np.ndarray, end: np.datetime64 | np.ndarray) -> np.ndarray:
    """A uniform instant in [start, end) for each row."""
    span = (end - start).astype(np.int64)
    return start + (rng.random(len(start)) * span).astype(np.int64).astype("timedelta64[ms]")


def version_end(ts: np.ndarray, split_ms: np.datetime64 | None,
                end_ms: np.datetime64) -> np.datetime64 | np.ndarray:
    """When each row is observed: the end of the delivery it belongs to.

    Without a split (one delivery) that is ``end_ms`` for every row. With daily deliveries from
    ``split_ms`` on, a row stamped before the split belongs to the first delivery (seen at the
    split), one stamped on a later day to that day's delivery (seen at the next midnight).
    """
    if split_ms is None:
        return end_ms
    ts = np.asarray(ts).astype("datetime64[ms]")
    day = np.timedelta64(86_400_000, "ms")
    k = (ts - split_ms) // day
    return np.where(ts < split_ms, split_ms, np.minimum(split_ms + (k + 1) * day, end_ms))


def random_offsets(rng: np.random.Generator, n: int, lo_s: float, hi_s: float) -> np.ndarray:
    return (lo_s + rng.random(n) * (hi_s - lo_s)).astype(np.int64).astype("timedelta64[s]").astype("timedelta64[ms]")

"""Marketing consent: what each system's records say about it, and when it was said.

An entity's latent `consent` is what the CRM records state (营销同意 是/否, blank
for a contact nobody asked). The ERP asks too, since fewer years: its older rows
mostly never asked (NULL). People change their minds: for a few entities in both
systems the ERP statement contradicts the CRM's, and whichever of the two is
newer is the entity's current consent (a withdrawal or a late opt-in), so the
latest dated statement is what counts. The truth records that current consent,
from the same statement times the files show.

Consent draws come from a stream of their own (`consent_streams`), so adding or
changing them leaves every other column of the landing folder as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .render import between, random_offsets

# statement times are written at the precision each system keeps
CRM_PRECISION, ERP_PRECISION = "m", "s"


@dataclass(frozen=True)
class ConsentParams:
    erp_never_asked: float = 0.30  # mean share of ERP rows with no statement; older rows more often
    changed_mind: float = 0.05     # entities in both systems whose ERP statement contradicts the CRM's
    at_creation: float = 0.50      # statements taken when the record was keyed in (else some time later)


@dataclass(frozen=True)
class ConsentStreams:
    changed: np.random.Generator
    erp: np.random.Generator
    crm: np.random.Generator


def consent_streams(rng: np.random.Generator) -> ConsentStreams:
    changed, erp, crm = rng.spawn(3)
    return ConsentStreams(changed, erp, crm)


def changed_mind(rng: np.random.Generator, n_erp: np.ndarray, n_crm: np.ndarray,
                 params: ConsentParams = ConsentParams()) -> np.ndarray:
    """Per entity: does its ERP statement contradict its CRM statement (only entities in both)."""
    return (n_erp > 0) & (n_crm > 0) & (rng.random(len(n_erp)) < params.changed_mind)


def stated_at(rng: np.random.Generator, created: np.ndarray, updated: np.ndarray, precision: str,
              params: ConsentParams = ConsentParams()) -> np.ndarray:
    """When each record's consent was stated: within minutes of the record being keyed in, or at some
    time up to its last update; truncated to what the system writes (never before the created time
    as written, never after the updated time)."""
    n = len(created)
    created = created.astype("datetime64[ms]")
    updated = updated.astype("datetime64[ms]")
    soon = np.minimum(created + random_offsets(rng, n, 0, 600), updated)
    later = between(rng, created, updated)
    ts = np.where(rng.random(n) < params.at_creation, soon, later)
    return ts.astype(f"datetime64[{precision}]").astype("datetime64[ms]")


def erp_statements(rng: np.random.Generator, consent: np.ndarray, changed: np.ndarray, created: np.ndarray,
                   updated: np.ndarray, as_of_ms: np.datetime64,
                   params: ConsentParams = ConsentParams()) -> tuple[np.ndarray, np.ndarray]:
    """(stated, value) per ERP row; rows keyed in long ago were mostly never asked."""
    n = len(consent)
    age = (as_of_ms - created.astype("datetime64[ms]")).astype(np.float64)
    mean_age = age.mean() if n else 1.0
    p_never = np.clip(params.erp_never_asked * age / (mean_age or 1.0), 0.0, 0.95)
    stated = rng.random(n) >= p_never
    return stated, np.asarray(consent, dtype=bool) ^ np.asarray(changed, dtype=bool)


def statement_columns(stated: np.ndarray, value: np.ndarray, ts: np.ndarray) -> dict[str, pl.Series]:
    """The index columns the truth reads: consent (null where nothing was stated) and consent_ts."""
    stated = np.asarray(stated, dtype=bool)
    return {
        "consent": pl.select(pl.when(pl.Series(stated)).then(pl.Series(np.asarray(value, dtype=bool)))).to_series()
        .alias("consent"),
        "consent_ts": pl.select(pl.when(pl.Series(stated)).then(pl.Series(ts.astype("datetime64[ms]"))))
        .to_series().alias("consent_ts"),
    }


def current_consent(n: int, indexes: list[pl.DataFrame]) -> pl.DataFrame:
    """Per entity (row eid of the entity table): its latest statement across every record, a "no"
    winning a tie; consent and consent_at are null for an entity that never stated one."""
    stated = pl.concat([idx.select(pl.col("eid").cast(pl.Int64), "consent", "consent_ts") for idx in indexes]
                       ).drop_nulls("consent")
    latest = (stated.sort(["eid", "consent_ts", "consent"], descending=[False, True, False])
              .unique("eid", keep="first", maintain_order=True))
    return (pl.DataFrame({"eid": np.arange(n, dtype=np.int64)})
            .join(latest, on="eid", how="left", maintain_order="left")
            .select("consent", pl.col("consent_ts").alias("consent_at")))

"""Ingest leaves out delivered rows of erased customers: by their record key, by a record they refer to
(an order of an erased customer), or by an email, phone or id number of theirs, all as keyed hashes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from assets.privacy.identifiers import hashed, record_hashes, value_keys
from pipelines import warehouse as wh
from pipelines.hashing import hash_key, hash_key_id


class SuppressionKeyError(RuntimeError):
    """The erasure log was written with another hash key: erased customers would silently come back."""


@dataclass(frozen=True)
class Suppression:
    hashes: frozenset[str]
    key: bytes

    def __bool__(self) -> bool:
        return bool(self.hashes)


def load_suppression(con: duckdb.DuckDBPyConnection) -> Suppression:
    """The suppression list and the key it was hashed with (empty, and no key needed, before any erasure)."""
    hashes = frozenset(r[0] for r in wh.fetch_rows(con, wh.load_sql("suppression_hashes")))
    if not hashes:
        return Suppression(hashes, b"")
    path = wh.fetch_value(con, wh.load_sql("warehouse_path")) or "warehouse"
    key = hash_key(path)
    logged = {r[0] for r in wh.fetch_rows(con, wh.load_sql("erasure_key_ids"))}
    if logged - {hash_key_id(key)}:
        raise SuppressionKeyError(
            f"quality.erasure_log was written with hash key id {', '.join(sorted(logged))}, but the key now in use has "
            f"id {hash_key_id(key)}: set CRM360_HASH_KEY to the key the erasures were made with, or erased customers "
            "would come back")
    return Suppression(hashes, key)


def suppressed_rows(frame: pl.DataFrame, source: str, suppression: Suppression, personal: Mapping[str, str],
                    references: Mapping[str, str]) -> pl.Series:
    """A boolean per row of ``frame`` (a raw batch with lineage): true for a row of an erased customer."""
    if not suppression or frame.height == 0:
        return pl.Series("suppressed", [False] * frame.height, dtype=pl.Boolean)
    hit = pl.Series("suppressed", [False] * frame.height, dtype=pl.Boolean)
    listed = pl.Series(list(suppression.hashes), dtype=pl.String).implode()
    if "_record_id" in frame.columns:
        hit = hit | record_hashes(source, frame["_record_id"], suppression.key).is_in(listed).fill_null(False)
    for column, target in references.items():
        if column in frame.columns:
            hit = hit | record_hashes(target, frame[column], suppression.key).is_in(listed).fill_null(False)
    keys = value_keys(frame, personal)
    if keys.height:
        rows = keys.filter(hashed(keys, suppression.key).is_in(listed))["row"].unique()
        hit = hit | pl.Series(range(frame.height)).is_in(rows.cast(pl.Int64).implode())
    return hit.alias("suppressed")

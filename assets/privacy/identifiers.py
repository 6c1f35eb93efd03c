"""The keys an erased customer is recognised by in a delivered row, as keyed hashes.

Each email, phone or id number is keyed twice: as written, lightly normalized (a re-delivered row spells
it the same way), and standardized (another source or export spells it differently): an email lower-cased
and validated, a phone in E.164 (region CN when it has no country code), an id number upper-cased without
spaces. Record keys are ``record:<source>:<record id>``.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from assets.standardize.emails import standardize_email
from assets.standardize.phones import standardize_phone
from pipelines.hashing import keyed_hashes

KINDS = ("email", "phone", "id_number")
PREFIX = "suppress:"


def _light(kind: str, column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.String).str.normalize("NFKC").str.strip_chars()
    if kind == "email":
        return text.str.to_lowercase()
    if kind == "phone":
        return text.str.replace_all(r"\D", "")
    return text.str.to_uppercase().str.replace_all(r"[\s\-]", "")


def _standardized(kind: str, column: str) -> pl.Expr | None:
    if kind == "email":
        return standardize_email(pl.col(column).cast(pl.String)).struct.field("value")
    if kind == "phone":
        return standardize_phone(pl.col(column).cast(pl.String), "CN").struct.field("value")
    return None


def value_keys(frame: pl.DataFrame, personal: Mapping[str, str]) -> pl.DataFrame:
    """(row, column, kind, value) for every personal value of ``frame`` (columns named in ``personal``), in
    both spellings; ``row`` is the frame's row index."""
    parts = []
    indexed = frame.with_row_index("_row")
    for column, kind in personal.items():
        if column not in frame.columns:
            continue
        spellings = [e for e in (_light(kind, column), _standardized(kind, column)) if e is not None]
        for spelling in spellings:
            parts.append(indexed.select(pl.col("_row").alias("row"), pl.lit(column).alias("column"),
                                        pl.lit(kind).alias("kind"), spelling.alias("value")))
    if not parts:
        return pl.DataFrame(schema={"row": pl.UInt32, "column": pl.String, "kind": pl.String, "value": pl.String})
    return pl.concat(parts).filter(pl.col("value").str.len_chars() > 0).unique(maintain_order=True)


def hashed(keys: pl.DataFrame, key: bytes) -> pl.Series:
    """The keyed hash of each (kind, value). Its own prefix keeps these apart from the hashes of masked
    exports, so the erasure log cannot be joined to an export's hashed emails."""
    return keyed_hashes(keys.select(pl.concat_str([pl.col("kind"), pl.lit(":"), pl.col("value")])).to_series(), key,
                        prefix=PREFIX)


def record_hashes(source: str, record_ids: pl.Series, key: bytes) -> pl.Series:
    """Keyed hashes of ``record:<source>:<record id>``."""
    return keyed_hashes(record_ids.cast(pl.String), key, prefix=f"{PREFIX}record:{source}:")

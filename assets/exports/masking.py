"""Masking of personal data in an export, as Polars expressions: one pure function of a frame and a policy."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from assets.exports.consumers import PERSONAL_COLUMNS, Action
from pipelines.hashing import keyed_hashes


def _initial(expr: pl.Expr) -> pl.Expr:
    """J. for John; * for a Chinese given name, whose first character would often be half the name."""
    return (pl.when(expr.str.len_chars() == 0).then(None)
            .when(expr.str.contains(r"^\p{Han}")).then(pl.lit("*"))
            .otherwise(expr.str.slice(0, 1) + "."))


def _family_initial(frame: pl.DataFrame) -> pl.Expr:
    """A person's family name and given-name initial (Wilson P., 王*), from the golden record's name parts;
    a company's name is not personal data and stays; any other name (a contact's, unparsed) is dropped."""
    def text(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.String) if column in frame.columns else pl.lit(None, pl.String)

    family, given, company = text("family_name"), text("given_name"), text("company_name")
    return (pl.when(family.is_not_null())
            .then(pl.concat_str([family, pl.when(family.str.contains(r"^\p{Han}")).then(pl.lit("")).otherwise(pl.lit(" ")),
                                 _initial(given).fill_null("")]).str.strip_chars())
            .when(text("full_name") == company).then(text("full_name")))


def _hash_column(frame: pl.DataFrame, column: str, key: bytes, kind: str) -> pl.Series:
    """Keyed hashes of a column; a list column (all emails, all identifiers) becomes a list of hashes."""
    prefix = f"{kind}:"
    dtype = frame.schema[column]
    if isinstance(dtype, pl.List):
        long = frame.select(pl.int_range(pl.len()).alias("_row"), pl.col(column)).explode(column, empty_as_null=True)
        if isinstance(dtype.inner, pl.Struct):  # identifiers: {scheme, value}; the value is what identifies
            long = long.with_columns(pl.col(column).struct.field("value").alias(column))
        long = long.with_columns(keyed_hashes(long[column], key, prefix).alias(column))
        return long.group_by("_row", maintain_order=True).agg(pl.col(column).drop_nulls())[column]
    if isinstance(dtype, pl.Struct):
        return keyed_hashes(frame[column].struct.json_encode(), key, prefix).alias(column)
    return keyed_hashes(frame[column], key, prefix).alias(column)


def mask(frame: pl.DataFrame, masking: Mapping[str, Action], key: bytes) -> pl.DataFrame:
    """``frame`` with each personal column treated as ``masking`` says for its kind (unlisted: kept).

    Hashes are keyed (HMAC) and carry the kind in the message, so the same email hashes alike in every
    table and consumer of this warehouse, and a hash cannot be matched to a value without the key."""
    out = frame
    drops = []
    for column, kind in PERSONAL_COLUMNS.items():
        if column not in frame.columns:
            continue
        action = masking.get(kind, "keep")
        if action == "keep":
            continue
        if action == "drop":
            drops.append(column)
        elif action == "hash":
            out = out.with_columns(_hash_column(frame, column, key, kind))
        elif action == "year":
            out = out.with_columns(pl.col(column).cast(pl.Date, strict=False).dt.year().alias(column))
        elif action == "initial":
            out = out.with_columns(_initial(pl.col(column).cast(pl.String)).alias(column))
        elif action == "family_initial":
            out = out.with_columns(_family_initial(frame).alias(column))
    return out.drop(drops)

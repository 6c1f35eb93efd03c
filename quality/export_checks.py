"""Checks of an export set, run on the files as written and read back, before the set is moved into place."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import polars as pl

from quality.results import CheckOutcome

CHECKS: dict[str, tuple[bool, str]] = {
    "files_verified": (True, "Every file reads back with the rows and the SHA-256 the manifest records."),
    "no_personal_data": (True, "A masked set holds no golden customer's email, phone or id number in any column."),
    "consent_only": (True, "A consent-only set holds no customer without marketing consent."),
}


def _outcome(name: str, failing: int, sample: list[dict], message: str) -> CheckOutcome:
    blocking, description = CHECKS[name]
    return CheckOutcome(name, failing == 0, blocking, description, failing, sample[:5],
                        {"message": message} if failing else {})


def files_verified(tables: Mapping[str, dict], folder: Path, rows_of: Callable[[Path], int],
                   checksum: Callable[[Path], str]) -> CheckOutcome:
    """Each file, read back, has the rows written and the SHA-256 the manifest records."""
    wrong = []
    for table, entry in tables.items():
        for file in entry["files"]:
            path = folder / file["file"]
            if checksum(path) != file["sha256"]:
                wrong.append({"table": table, "file": file["file"], "problem": "checksum differs"})
            elif (rows := rows_of(path)) != entry["rows"]:
                wrong.append({"table": table, "file": file["file"], "problem": f"{rows} rows read, {entry['rows']} written"})
    return _outcome("files_verified", len(wrong), wrong, "; ".join(f"{w['file']}: {w['problem']}" for w in wrong))


def _text_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Every distinct text value of every column, with its column: lists flattened, and the strings inside
    JSON text (a struct, a JSON column) pulled out, so a value is found however it is nested."""
    parts = [pl.DataFrame(schema={"column": pl.String, "value": pl.String})]
    for column, dtype in frame.schema.items():
        values = frame.get_column(column)
        if isinstance(dtype, pl.List):
            values = values.explode()
        if isinstance(values.dtype, pl.Struct):
            values = values.struct.json_encode()
        if values.dtype not in (pl.String, pl.Categorical) and not isinstance(values.dtype, pl.Enum):
            continue
        text = values.cast(pl.String).drop_nulls().unique()
        inside = text.filter(text.str.starts_with("{") | text.str.starts_with("[")) \
            .str.extract_all(r'"((?:[^"\\]|\\.)*)"').explode().str.strip_chars('"').drop_nulls()
        parts.append(pl.DataFrame({"value": pl.concat([text, inside]).unique()})
                     .select(pl.lit(column, pl.String).alias("column"), "value"))
    return pl.concat(parts)


def personal_found(table: str, frame: pl.DataFrame, personal: pl.DataFrame, masking: Mapping[str, str]) -> pl.DataFrame:
    """(table, column, kind) wherever ``frame`` holds a value the consumer must not see (kinds masked other
    than ``keep``), as a whole value or inside lists, structs and JSON text."""
    hidden = personal.cast({"kind": pl.String, "value": pl.String}).filter(
        pl.col("kind").is_in([k for k, a in masking.items() if a != "keep"]))
    return (_text_values(frame).join(hidden, on="value", how="inner")
            .select(pl.lit(table, pl.String).alias("table"), "column", "kind").unique())


def no_personal_data(found: list[pl.DataFrame]) -> CheckOutcome:
    """A masked set holds none of the values its policy hides (``found``: personal_found of every batch written)."""
    rows = pl.concat([pl.DataFrame(schema={"table": pl.String, "column": pl.String, "kind": pl.String}), *found]) \
        .unique().sort("table", "column", "kind").to_dicts()
    return _outcome("no_personal_data", len(rows), rows,
                    "; ".join(f"{f['table']}.{f['column']} holds {f['kind']} values" for f in rows))


def consent_only(outside: list[pl.DataFrame]) -> CheckOutcome:
    """A consent-only set holds no customer without consent (``outside``: (table, golden_id) written anyway)."""
    rows = pl.concat([pl.DataFrame(schema={"table": pl.String, "golden_id": pl.String}), *outside])
    per_table = rows.group_by("table", maintain_order=True).agg(pl.len().alias("customers_without_consent"),
                                                                 pl.col("golden_id").first())
    return _outcome("consent_only", rows.height, per_table.to_dicts(),
                    "; ".join(f"{r['table']}: {r['customers_without_consent']} customers without consent"
                              for r in per_table.to_dicts()))

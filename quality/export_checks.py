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


def files_verified(tables: Mapping[str, dict], back: Mapping[str, pl.DataFrame], folder: Path,
                   checksum: Callable[[Path], str]) -> CheckOutcome:
    wrong = []
    for table, entry in tables.items():
        if back[table].height != entry["rows"]:
            wrong.append({"table": table, "rows_written": entry["rows"], "rows_read": back[table].height})
        for file in entry["files"]:
            if checksum(folder / file["file"]) != file["sha256"]:
                wrong.append({"table": table, "file": file["file"], "problem": "checksum differs"})
    return _outcome("files_verified", len(wrong), wrong,
                    "; ".join(f"{w['table']}: {w.get('problem', 'row count differs')}" for w in wrong))


def _text_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text value of every column (lists flattened), with its column: what a reader could see."""
    parts = []
    for column, dtype in frame.schema.items():
        values = frame.get_column(column)
        if isinstance(dtype, pl.List):
            values = values.explode()
            if isinstance(values.dtype, pl.Struct):
                values = values.struct.json_encode()
        elif isinstance(dtype, pl.Struct):
            values = values.struct.json_encode()
        if values.dtype in (pl.String, pl.Categorical) or isinstance(values.dtype, pl.Enum):
            parts.append(pl.DataFrame({"column": pl.Series([column] * len(values), dtype=pl.String),
                                       "value": values.cast(pl.String)}).drop_nulls().unique())
    schema = {"column": pl.String, "value": pl.String}
    return pl.concat([pl.DataFrame(schema=schema), *parts]).cast(schema)


def no_personal_data(back: Mapping[str, pl.DataFrame], personal: pl.DataFrame,
                     masking: Mapping[str, str]) -> CheckOutcome:
    """Values the consumer must not see (kinds masked other than ``keep``), looked for as whole values and
    inside JSON text, in every column of every table read back."""
    hidden = personal.cast({"kind": pl.String, "value": pl.String}).filter(
        pl.col("kind").is_in([k for k, a in masking.items() if a != "keep"]))
    found = []
    for table, frame in back.items():
        seen = _text_values(frame)
        exact = seen.join(hidden, on="value", how="inner")
        found += [{"table": table, **row} for row in exact.select("column", "kind").unique().to_dicts()]
        nested = seen.filter(pl.col("value").str.starts_with("{") | pl.col("value").str.starts_with("["))
        if nested.height and hidden.height:
            inside = nested.filter(pl.col("value").str.contains_any(hidden["value"].to_list()))
            found += [{"table": table, "column": c, "kind": "inside JSON"} for c in inside["column"].unique()]
    return _outcome("no_personal_data", len(found), found,
                    "; ".join(f"{f['table']}.{f['column']} holds {f['kind']} values" for f in found))


def consent_only(back: Mapping[str, pl.DataFrame], allowed: pl.Series) -> CheckOutcome:
    found = []
    for table, frame in back.items():
        if "golden_id" in frame.columns:
            extra = frame.filter(~pl.col("golden_id").is_in(allowed.implode()))
            if extra.height:
                found.append({"table": table, "customers_without_consent": extra.height,
                              "golden_id": extra["golden_id"][0]})
    return _outcome("consent_only", sum(f["customers_without_consent"] for f in found), found,
                    "; ".join(f"{f['table']}: {f['customers_without_consent']} customers without consent" for f in found))

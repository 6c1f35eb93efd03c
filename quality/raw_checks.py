"""Checks on a raw batch before it is published: files readable, columns as the source delivered
them before, nothing lost, ids present."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
from rapidfuzz import fuzz, process

from quality.results import CheckOutcome, outcome, sample_rows

WHERE = ["_source_file", "_row_number", "_record_id"]
# A record id is missing when null or nothing but whitespace (Unicode White_Space, as Polars'
# strip_chars sees it). One pattern for both engines: Rust's regex (Polars) and RE2 (DuckDB) read it alike.
BLANK_RECORD_ID = r"^[\t\n\x0B\f\r\x{85}\p{Z}]*$"
# The order of the repeated-id sample (nulls first); sql/raw_recheck_repeated_ids.sql sorts the same way.
REPEATED_ORDER = ["_record_id", "_row_number", "_source_file", "_file_hash"]

RAW_CHECKS: dict[str, tuple[bool, str]] = {
    "files_readable": (True, "Every new file can be read in its source's format and encoding."),
    "schema_drift": (True, "Every new file or ERP snapshot has the columns its source must have and delivered before: "
                           "none missing or renamed, none of another type (typed formats)."),
    "rows_reconcile": (True, "Every row read from the source is in the staged batch, and no more."),
    "record_id_present": (False, "Every row carries its source record id."),
    "record_id_unique": (False, "No record id repeats within one file or snapshot."),
    "columns_stable": (False, "The batch has the columns the published table has (new or vanished columns are reported)."),
}


def _outcome(name: str, passed: bool, failing_rows: int = 0, sample=None, **metadata) -> CheckOutcome:
    return outcome(RAW_CHECKS, name, passed, failing_rows, sample, **metadata)


def _kind(dtype: pl.DataType) -> str:
    if dtype.is_numeric():
        return "number"
    if dtype.is_temporal():
        return "date/time"
    return {pl.String: "text", pl.Boolean: "boolean", pl.Null: "null"}.get(dtype.base_type(), str(dtype.base_type()))


def column_drift(file: str, arrived: Mapping[str, pl.DataType], expected: Sequence[str],
                 known_types: Mapping[str, pl.DataType] | None = None) -> list[dict]:
    """How the columns of ``file`` differ from ``expected``: each finding names the file, the expected
    column, what arrived instead, and the change (missing, renamed, retyped). A missing column is
    called renamed when an unexpected column of a close name arrived (手机 -> 手机号码, mobile -> mobile_no)."""
    findings = []
    unexpected = [c for c in arrived if c not in expected and c not in (known_types or {})]
    for column in (c for c in expected if c not in arrived):
        close = process.extractOne(column, unexpected, scorer=fuzz.WRatio, score_cutoff=80) if unexpected else None
        if close:
            unexpected.remove(close[0])
            findings.append({"source_file": file, "expected_column": column, "arrived": close[0], "change": "renamed"})
        else:
            findings.append({"source_file": file, "expected_column": column, "arrived": None, "change": "missing"})
    for column, dtype in (known_types or {}).items():
        if column in arrived:
            was, now = _kind(dtype), _kind(arrived[column])
            if "null" not in (was, now) and was != now:
                findings.append({"source_file": file, "expected_column": column, "arrived": f"{now} (was {was})",
                                 "change": "retyped"})
    return findings


def _finding_text(f: dict) -> str:
    if f["change"] == "missing":
        return f"{f['source_file']}: column {f['expected_column']!r} missing"
    if f["change"] == "renamed":
        return f"{f['source_file']}: column {f['expected_column']!r} missing, {f['arrived']!r} arrived instead"
    return f"{f['source_file']}: column {f['expected_column']!r} is {f['arrived']}"


def schema_drift(findings: list[dict]) -> CheckOutcome:
    message = "; ".join(_finding_text(f) for f in findings[:3]) + (f"; and {len(findings) - 3} more" if len(findings) > 3 else "")
    return _outcome("schema_drift", not findings, len(findings), findings[:20], message=message or None,
                    changes={f["change"]: sum(g["change"] == f["change"] for g in findings) for f in findings})


def files_readable(unreadable: list[dict]) -> CheckOutcome:
    """``unreadable``: {source_file, row_number, column, error} per file that could not be read; the
    error names the file, row and column already."""
    message = "; ".join(u["error"] for u in unreadable[:3]) or None
    return _outcome("files_readable", not unreadable, len(unreadable), unreadable[:20], message=message)


def rows_reconcile(rows_read: int, rows_staged: int) -> CheckOutcome:
    return _outcome("rows_reconcile", rows_read == rows_staged, abs(rows_read - rows_staged),
                    rows_read=rows_read, rows_staged=rows_staged)


def record_id_present_outcome(missing_rows: int, sample: list[dict]) -> CheckOutcome:
    """``record_id_present`` from the rows without a record id, however counted (a batch in Polars,
    a published table in SQL)."""
    return _outcome("record_id_present", missing_rows == 0, missing_rows, sample)


def record_id_unique_outcome(repeated_rows: int, sample: list[dict]) -> CheckOutcome:
    """``record_id_unique`` from the rows whose record id repeats within their file or snapshot
    (same ``_file_hash``), every occurrence counted."""
    return _outcome("record_id_unique", repeated_rows == 0, repeated_rows, sample)


def record_id_present(batch: pl.DataFrame) -> CheckOutcome:
    missing = batch.filter(pl.col("_record_id").is_null() | pl.col("_record_id").str.contains(BLANK_RECORD_ID))
    return record_id_present_outcome(missing.height, sample_rows(missing, WHERE))


def record_id_unique(batch: pl.DataFrame) -> CheckOutcome:
    repeated = batch.filter(
        pl.col("_record_id").is_not_null() & pl.len().over("_file_hash", "_record_id").gt(1)
    )
    order = [c for c in REPEATED_ORDER if c in repeated.columns]
    return record_id_unique_outcome(repeated.height, sample_rows(repeated.sort(order), WHERE))


def columns_stable(batch_columns: list[str], published_columns: list[str] | None) -> CheckOutcome:
    if published_columns is None:
        return _outcome("columns_stable", True, first_load=True)
    added = [c for c in batch_columns if c not in published_columns]
    vanished = [c for c in published_columns if c not in batch_columns]
    return _outcome("columns_stable", not added and not vanished, 0, added=added, vanished=vanished)


def raw_check_outcomes(present: CheckOutcome, unique: CheckOutcome, rows_read: int, rows_staged: int,
                       source_columns: list[str], published_columns: list[str] | None,
                       drift: list[dict] | None = None, unreadable: list[dict] | None = None) -> list[CheckOutcome]:
    """Every raw check, in order, given the record-id checks counted by either engine."""
    return [
        files_readable(unreadable or []),
        schema_drift(drift or []),
        rows_reconcile(rows_read, rows_staged),
        present,
        unique,
        columns_stable(source_columns, published_columns),
    ]


def raw_batch_checks(batch: pl.DataFrame, rows_read: int, rows_staged: int, source_columns: list[str],
                     published_columns: list[str] | None, drift: list[dict] | None = None,
                     unreadable: list[dict] | None = None) -> list[CheckOutcome]:
    return raw_check_outcomes(record_id_present(batch), record_id_unique(batch), rows_read, rows_staged,
                              source_columns, published_columns, drift, unreadable)

"""Checks on a raw batch before it is published: nothing lost, ids present, columns as before."""

from __future__ import annotations

import polars as pl

from quality.results import CheckOutcome, sample_rows

WHERE = ["_source_file", "_row_number", "_record_id"]

RAW_CHECKS: dict[str, tuple[bool, str]] = {
    "rows_reconcile": (True, "Every row read from the source is in the staged batch, and no more."),
    "record_id_present": (False, "Every row carries its source record id."),
    "record_id_unique": (False, "No record id repeats within one file or snapshot."),
    "columns_stable": (False, "The batch has the columns the published table has (new or vanished columns are reported)."),
}


def _outcome(name: str, passed: bool, failing_rows: int = 0, sample=None, **metadata) -> CheckOutcome:
    blocking, description = RAW_CHECKS[name]
    return CheckOutcome(name, passed, blocking, description, failing_rows, sample or [], metadata)


def rows_reconcile(rows_read: int, rows_staged: int) -> CheckOutcome:
    return _outcome("rows_reconcile", rows_read == rows_staged, abs(rows_read - rows_staged),
                    rows_read=rows_read, rows_staged=rows_staged)


def record_id_present(batch: pl.DataFrame) -> CheckOutcome:
    missing = batch.filter(pl.col("_record_id").is_null() | (pl.col("_record_id").str.strip_chars() == ""))
    return _outcome("record_id_present", missing.is_empty(), missing.height, sample_rows(missing, WHERE))


def record_id_unique(batch: pl.DataFrame) -> CheckOutcome:
    repeated = batch.filter(
        pl.col("_record_id").is_not_null() & pl.len().over("_file_hash", "_record_id").gt(1)
    )
    return _outcome("record_id_unique", repeated.is_empty(), repeated.height,
                    sample_rows(repeated.sort("_record_id", "_row_number"), WHERE))


def columns_stable(batch_columns: list[str], published_columns: list[str] | None) -> CheckOutcome:
    if published_columns is None:
        return _outcome("columns_stable", True, first_load=True)
    added = [c for c in batch_columns if c not in published_columns]
    vanished = [c for c in published_columns if c not in batch_columns]
    return _outcome("columns_stable", not added and not vanished, 0, added=added, vanished=vanished)


def raw_batch_checks(batch: pl.DataFrame, rows_read: int, rows_staged: int, source_columns: list[str],
                     published_columns: list[str] | None) -> list[CheckOutcome]:
    return [
        rows_reconcile(rows_read, rows_staged),
        record_id_present(batch),
        record_id_unique(batch),
        columns_stable(source_columns, published_columns),
    ]

"""Standardize one customer file with its mapping: the function behind `crm360 standardize`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from assets.ingest.errors import IngestError
from assets.ingest.readers import read_source_file
from assets.standardize.customers import standardize_customers
from assets.standardize.mapping import SourceMapping, check_columns, to_canonical

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}


@dataclass(frozen=True)
class FileResult:
    rows_in: int
    staged: int
    rejected: int
    issues: int
    seconds: float
    output: Path
    rejected_path: Path
    issues_path: Path
    top_issues: list[tuple[str, str, int]]


def read_any(path: Path, encoding: str = "auto") -> pl.DataFrame:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(str(path), f"unsupported file type {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    return read_source_file(path, fmt, encoding)


def sibling(output: Path, tag: str) -> Path:
    return output.with_name(f"{output.stem}.{tag}{output.suffix}")


def write_any(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".parquet", ".pq"):
        frame.write_parquet(path)
    elif path.suffix.lower() == ".csv":
        # a CSV cell holds no list: join values with ";", a {scheme, value} struct as scheme:value
        flat = frame.with_columns(
            (pl.col(c).list.eval(pl.element().struct.field("scheme") + ":" + pl.element().struct.field("value"))
             if isinstance(t.inner, pl.Struct) else pl.col(c)).list.join(";")
            for c, t in frame.schema.items() if isinstance(t, pl.List))
        flat.write_csv(path)
    else:
        raise IngestError(str(path), "output must be .csv or .parquet")


def standardize_file(input_path: Path, mapping: SourceMapping, output: Path, *, as_of: date | None = None,
                     encoding: str = "auto") -> FileResult:
    started = time.perf_counter()
    frame = read_any(input_path, encoding)
    check_columns(mapping, frame.columns, str(input_path))
    frame = frame.with_columns(
        pl.lit(input_path.name).alias("_source_file"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row_number"),
    )
    result = standardize_customers(to_canonical(frame, mapping), as_of or date.today())
    rejected_path, issues_path = sibling(output, "rejected"), sibling(output, "issues")
    write_any(result.staged, output)
    write_any(result.quarantined.drop("_loaded_at", strict=False), rejected_path)
    write_any(result.issues, issues_path)
    top = (result.issues.group_by("field", "reason").len().sort("len", descending=True).head(8).rows()
           if result.issues.height else [])
    return FileResult(frame.height, result.staged.height, result.quarantined.height, result.issues.height,
                      time.perf_counter() - started, output, rejected_path, issues_path, top)

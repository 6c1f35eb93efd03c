"""Incremental staging: standardize only the raw records loaded since the last build.

A staging table built incrementally remembers, per raw input, the newest load it has standardized and
the definition it was built with (``quality.staging_watermarks``). The next run reads only the records
whose current version was loaded after that, standardizes them, and publishes them together with the
published rows of every other record; the quarantine of the unchanged records is recorded again under
the run, so ``quality.quarantine_latest`` stays complete. A changed definition (mappings, code), a
missing watermark or a full run rebuilds the table whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines import warehouse as wh

WATERMARKS = wh.TableRef("quality", "staging_watermarks")


@dataclass(frozen=True)
class Watermarks:
    loaded_at: dict[str, datetime | None]  # raw table -> newest load standardized
    run_id: str | None  # the run that built the table last


def definition_hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(repr, parts)).encode()).hexdigest()[:16]


def newest_loads(con: duckdb.DuckDBPyConnection, raw_tables: tuple[str, ...]) -> dict[str, datetime | None]:
    return {name: wh.fetch_value(con, wh.load_sql("raw_newest_load").format(raw=wh.TableRef("raw", name).sql))
            for name in raw_tables}


def last_watermarks(con: duckdb.DuckDBPyConnection, table: str, raw_tables: tuple[str, ...],
                    definition: str) -> Watermarks | None:
    """Where the last build of ``table`` stopped, if it can be built on: same definition, every input marked."""
    if not wh.table_exists(con, wh.TableRef("staging", table)) or not wh.table_exists(con, WATERMARKS):
        return None
    rows = wh.fetch_rows(con, wh.load_sql("staging_watermarks"), {"staging_table": table})
    marks = {raw: (loaded_at, defined, run) for raw, loaded_at, defined, run in rows}
    if set(marks) != set(raw_tables) or any(defined != definition for _, defined, _ in marks.values()):
        return None
    return Watermarks({raw: loaded_at for raw, (loaded_at, _, _) in marks.items()}, next(iter(marks.values()))[2])


def watermark_statements(table: str, loads: dict[str, datetime | None], definition: str,
                         run_id: str | None) -> list[tuple[str, dict]]:
    """The statements that record this build's watermarks, committed with its publish."""
    return [("record_staging_watermark", {"staging_table": table, "raw_table": raw, "loaded_at": loaded_at,
                                          "definition": definition, "run_id": run_id})
            for raw, loaded_at in loads.items()]


def changed_keys(inputs: dict[str, pl.DataFrame], sources: dict[str, str]) -> pl.DataFrame:
    """source, record_id of every record read: those whose staged rows and quarantine are replaced."""
    return pl.concat([frame.select(pl.lit(sources[name], dtype=pl.String).alias("source"),
                                   pl.col("_record_id").cast(pl.String).alias("record_id")).drop_nulls("record_id")
                      for name, frame in inputs.items()]
                     or [pl.DataFrame(schema={"source": pl.String, "record_id": pl.String})]).unique()


def like_published(con: duckdb.DuckDBPyConnection, ref: wh.TableRef, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the published table's columns and types (a batch's all-null column has none)."""
    schema = wh.fetch_frame(con, wh.load_sql("select_none").format(target=ref.sql)).schema
    return frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c)
                         for c, t in schema.items()])


def replaced_versions(con: duckdb.DuckDBPyConnection, marks: Watermarks) -> pl.DataFrame:
    """The lineage (_loaded_at, _source_file, _row_number) of the raw rows a newer version replaced since
    the watermarks: the staged rows they became are replaced by the new versions."""
    frames = [wh.fetch_frame(con, wh.load_sql("raw_replaced_versions").format(raw=wh.TableRef("raw", raw).sql),
                             {"since": since})
              for raw, since in marks.loaded_at.items() if since is not None]
    return pl.concat(frames) if frames else pl.DataFrame(
        schema={"_loaded_at": pl.Datetime("us", "UTC"), "_source_file": pl.String, "_row_number": pl.Int64})


def stage_merged(con: duckdb.DuckDBPyConnection, ref: wh.TableRef, changed_rows: pl.DataFrame,
                 by_record: bool = False) -> wh.TableRef:
    """Stage the changed records' new rows plus the published rows of all other records: by the lineage
    of their raw row (``_staging_replaced``), or for a table without lineage by record (``_staging_changed``)."""
    scratch = wh.stage(con, ref, like_published(con, ref, changed_rows))
    wh.run_sql(con, "staging_keep_unchanged_records" if by_record else "staging_keep_unchanged", scratch=scratch,
               target=ref)
    return scratch


def stage_quarantine(con: duckdb.DuckDBPyConnection, scratch: wh.TableRef, run_id: str | None,
                     last_run: str | None, asset: str) -> pl.DataFrame:
    """Add the last build's quarantine of unchanged records to the staged quarantine; returns it all."""
    wh.run_sql(con, "quarantine_keep_unchanged", {"run_id": run_id, "last_run": last_run, "asset": asset},
               scratch=scratch)
    return wh.fetch_frame(con, wh.load_sql("select_all").format(target=scratch.sql)).rename(
        {"source_file": "_source_file", "row_number": "_row_number"})

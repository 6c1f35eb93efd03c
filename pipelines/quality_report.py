"""The warehouse's check results, read without disturbing a run, and the HTML quality report
written beside the warehouse after every run."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from pipelines import warehouse as wh
from pipelines.crypto import encryption_key
from pipelines.vault import warehouse_readable
from quality.report_html import render

CHECK_RESULTS = wh.TableRef("quality", "check_results")


class QualityError(Exception):
    """A request `crm360 quality` cannot answer (no warehouse, a run writing, an unknown check)."""


HEALTH_HISTORY = wh.TableRef("quality", "data_health_history")


def read_tables(warehouse: Path, *refs: wh.TableRef) -> list[pl.DataFrame]:
    """Each table whole (empty when it does not exist yet), on one read-only connection: it works
    beside a reader but not while a run writes."""
    if not warehouse.is_file():
        raise QualityError(f"warehouse {warehouse} not found; run `crm360 run` first")
    with warehouse_readable(warehouse) as readable:
        try:
            con = wh.connect(readable, read_only=True)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            raise QualityError(f"warehouse {warehouse} is held by a running job; try again when it finishes "
                               f"({str(exc).splitlines()[0]})") from exc
        try:
            return [wh.fetch_frame(con, wh.load_sql("select_all").format(target=ref.sql))
                    if wh.table_exists(con, ref) else pl.DataFrame() for ref in refs]
        finally:
            con.close()


def read_results(warehouse: Path) -> pl.DataFrame:
    """Every recorded check evaluation."""
    return read_tables(warehouse, CHECK_RESULTS)[0]


def report_path(warehouse: Path) -> Path:
    """Beside the warehouse file: data/warehouse.duckdb -> data/warehouse.quality.html."""
    return warehouse.with_name(f"{warehouse.stem}.quality.html")


def write_quality_report(warehouse: Path, run_id: str | None = None) -> Path:
    """Render the report of ``run_id`` (default the latest) and replace the old one in one rename."""
    path = report_path(warehouse)
    results, health = read_tables(warehouse, CHECK_RESULTS, HEALTH_HISTORY)
    if encryption_key() is not None and results.height:
        # the page is not encrypted: with the warehouse encrypted, it must not quote customer values
        results = results.with_columns(pl.lit("[]").alias("sample"))
    page = render(results, str(warehouse), run_id, health.sort("recorded_at") if health.height else health)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(page, encoding="utf-8")
    os.replace(scratch, path)
    return path

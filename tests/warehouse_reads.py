"""Reading a test's warehouse: one query, and where in it any of some values still appears."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines import warehouse as wh


def read(warehouse: Path, sql: str, params=None) -> pl.DataFrame:
    con = wh.connect(warehouse, read_only=True)
    try:
        return wh.fetch_frame(con, sql, params)
    finally:
        con.close()


def tables_holding(warehouse: Path, needles: list[str]) -> list[tuple[str, str, str]]:
    """(schema, table, needle) for every base table whose rows, as text, contain a needle (any case)."""
    con = wh.connect(warehouse, read_only=True)
    try:
        hits = []
        for schema, table, _ in wh.fetch_rows(con, wh.load_sql("base_tables")):
            for needle in needles:
                n = wh.fetch_value(con, f"SELECT count(*) FROM {wh.quote_ident(schema)}.{wh.quote_ident(table)} t "
                                        "WHERE contains(lower(CAST(t AS VARCHAR)), lower($n))", {"n": needle})
                if n:
                    hits.append((schema, table, needle))
        return hits
    finally:
        con.close()

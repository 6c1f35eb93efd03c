"""Atomic publish: readers see the old table or the new one, never a half-built or failed one."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import polars as pl
import pytest

from pipelines import warehouse as wh

TABLE = wh.TableRef("core", "golden_customer")


def publish_version(con, version: int, rows: int = 1000) -> None:
    wh.stage(con, TABLE, pl.DataFrame({"id": range(rows), "version": [version] * rows}))
    wh.publish(con, [TABLE], comments={TABLE: ("Golden customers.", {"id": "Golden id."})})


def published(con) -> pl.DataFrame:
    return wh.fetch_frame(con, f"SELECT * FROM {TABLE.sql} ORDER BY id")


def test_publish_replaces_and_documents_the_table(con):
    publish_version(con, 1)
    publish_version(con, 2, rows=10)
    table = published(con)
    assert table.height == 10 and table["version"].unique().to_list() == [2]
    assert wh.fetch_value(con, "SELECT comment FROM duckdb_tables() WHERE table_name = 'golden_customer'") == "Golden customers."
    assert not wh.table_exists(con, TABLE.scratch)


def test_failure_inside_publish_rolls_back_everything(con):
    publish_version(con, 1)
    other = wh.TableRef("core", "customer_xref")
    wh.stage(con, other, pl.DataFrame({"x": [1]}))
    wh.stage(con, TABLE, pl.DataFrame({"id": [0], "version": [2]}))
    with pytest.raises(Exception):
        # The ledger statement fails after both swaps ran: nothing of it may stay.
        wh.publish(con, [other, TABLE], also=[("record_ingested_file", {"source": None})])
    assert published(con)["version"].unique().to_list() == [1] and published(con).height == 1000
    assert not wh.table_exists(con, other)


def test_discarded_build_leaves_published_table(con):
    publish_version(con, 1)
    wh.stage(con, TABLE, pl.DataFrame({"id": [0], "version": [2]}))
    wh.discard(con, TABLE)
    assert published(con)["version"].unique().to_list() == [1]


def test_killed_publish_leaves_last_good_table(warehouse_file, con):
    publish_version(con, 1)
    con.close()
    # A writer that dies between the swap and the commit, as a killed run would.
    script = textwrap.dedent(f"""
        import os, polars as pl
        from pipelines import warehouse as wh
        con = wh.connect({str(warehouse_file)!r})
        ref = wh.TableRef("core", "golden_customer")
        wh.stage(con, ref, pl.DataFrame({{"id": [0], "version": [2]}}))
        wh.execute(con, "BEGIN TRANSACTION")
        wh.run_sql(con, "publish_replace", target=ref, scratch=ref.scratch, target_name=ref.table)
        os._exit(9)
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert killed.returncode == 9, killed.stderr
    reopened = wh.connect(warehouse_file)
    try:
        table = wh.fetch_frame(reopened, f"SELECT * FROM {TABLE.sql}")
        assert table.height == 1000 and table["version"].unique().to_list() == [1]
        assert wh.drop_leftover_scratch(reopened) == ["core.golden_customer__next"]
    finally:
        reopened.close()


def test_append_adds_columns_a_new_batch_brings(con):
    ref = wh.TableRef("raw", "surveys")
    wh.stage(con, ref, pl.DataFrame({"id": ["1"]}))
    wh.publish(con, [ref], mode="append")
    wh.stage(con, ref, pl.DataFrame({"id": ["2"], "nps": ["9"]}))
    wh.publish(con, [ref], mode="append")
    assert wh.fetch_rows(con, "SELECT id, nps FROM raw.surveys ORDER BY id") == [("1", None), ("2", "9")]


def test_identifiers_are_quoted_not_interpolated(con):
    odd = wh.TableRef("raw", 'weird"; DROP SCHEMA raw; --')
    wh.stage(con, odd, pl.DataFrame({"x": [1]}))
    wh.publish(con, [odd])
    assert wh.table_exists(con, odd)


def test_unknown_schema_is_refused():
    with pytest.raises(ValueError, match="unknown warehouse schema"):
        wh.TableRef("public", "x")


@pytest.mark.parametrize("batches", [
    [{"a": [1, 2], "b": [None, None]}, {"a": [3], "b": ["x"]}],  # a column NULL so far takes its first values' type
    [{"a": [1, 2]}, {"a": [2.5]}],  # integers meeting a float become DOUBLE
    [{"a": [1]}, {"a": [2], "c": [True]}],  # a column first seen later is added
    [{"a": [1], "b": [None]}, {"a": [2], "b": [None]}],  # NULL throughout: text, as stage gives it
])
def test_batches_are_written_with_the_types_of_one_frame(con, batches):
    frames = [pl.DataFrame(b) for b in batches]
    scratch = wh.stage_batches(con, TABLE, iter(frames))
    whole = wh.stage(con, wh.TableRef("core", "other"), pl.concat(frames, how="diagonal_relaxed"))
    got, expected = (wh.fetch_frame(con, f"SELECT * FROM {t.sql}") for t in (scratch, whole))
    assert got.schema == expected.schema and got.equals(expected)

"""An ERP in which nothing can have changed is not read again: its fingerprint (pipelines.erp.source_stamp)
is recorded with each good load, and while it is unchanged the raw table is only re-checked."""

from __future__ import annotations

import os
import sqlite3
from datetime import date

import polars as pl
import pytest

from assets.ingest import erp
from assets.ingest.erp_load import ingest_erp_snapshot, ingest_unchanged_erp
from pipelines import builds
from pipelines import warehouse as wh
from pipelines.erp import read_erp_table, source_stamp
from quality.results import Policy

DAY = date(2026, 11, 20)


def _erp(path, mode: str = "delete"):
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA journal_mode={mode}")
    db.execute("CREATE TABLE products (product_id INTEGER PRIMARY KEY, sku TEXT, name TEXT, category TEXT, "
               "unit_price REAL)")
    db.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)",
                   [(i, f"S{i}", f"p{i}", "c", 1.0 + i) for i in range(1, 51)])
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def _write(path, sql: str, keep_mtime: bool = False) -> None:
    stat = path.stat()
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()
    if keep_mtime:  # a change that leaves the size and the modification time as they were
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize("mode", ["delete", "wal"])
def test_the_stamp_changes_with_every_commit_and_only_then(tmp_path, mode):
    path = tmp_path / "erp.sqlite"
    url = _erp(path, mode)
    read_erp_table(url, "products")  # in WAL mode the last connection to close may checkpoint: a new stamp
    first = source_stamp(url)
    assert first is not None and first == source_stamp(url)
    read_erp_table(url, "products")  # then reading changes nothing
    assert source_stamp(url) == first
    # rollback-journal mode bumps the header's change counter, seen even when the time is put back;
    # WAL mode does not, and its log is gone after the last connection's checkpoint: the time tells
    _write(path, "UPDATE products SET unit_price = 9.5 WHERE product_id = 3", keep_mtime=mode == "delete")
    second = source_stamp(url)
    assert second != first
    _write(path, "DELETE FROM products WHERE product_id = 4")
    assert source_stamp(url) not in (first, second)


def test_the_stamp_changes_when_the_file_is_replaced_or_touched(tmp_path):
    path = tmp_path / "erp.sqlite"
    url = _erp(path)
    first = source_stamp(url)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert source_stamp(url) != first
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)  # the same bytes in a new file
    assert source_stamp(url) != first


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://crm:secret@db/erp",  # a server: always read
    "sqlite:///:memory:",
    "sqlite://",
    "not a url",
])
def test_no_stamp_where_there_is_none_to_take(url):
    assert source_stamp(url) is None


def test_no_stamp_for_a_missing_file(tmp_path):
    assert source_stamp(f"sqlite:///{tmp_path / 'missing.sqlite'}") is None


def _load(con, url, **kwargs):
    return ingest_erp_snapshot(con, erp.PRODUCTS, read_erp_table(url, "products"), "erp#products", as_of=DAY,
                               stamp=source_stamp(url), **kwargs)


def _checks(outcome) -> list[tuple[str, bool]]:
    return sorted((c.name, c.passed) for c in outcome.checks)


def test_an_unchanged_erp_is_checked_as_if_read(con, tmp_path):
    path = tmp_path / "erp.sqlite"
    url = _erp(path)
    assert ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url)) is None  # nothing loaded yet
    first = _load(con, url, run_id="r1")
    assert first.published and first.rows_added == 50
    reread = _load(con, url, run_id="r2")  # read again: the snapshot hash is known, nothing added
    unread = ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url), as_of=DAY)
    assert unread is not None and not unread.published and unread.skipped_files == ["erp#products"]
    assert _checks(unread) == _checks(reread) and all(passed for _, passed in _checks(unread))
    assert unread.total_rows == reread.total_rows == 50
    _write(path, "UPDATE products SET sku = 'T' WHERE product_id = 7")
    assert ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url)) is None
    changed = _load(con, url)
    assert changed.published and changed.rows_added == 1
    assert ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url)) is not None


def test_the_stamp_keeps_the_last_snapshots_size_and_drift(con, tmp_path):
    """A row-count drop or a missing column found when the ERP was read is found again without reading it."""
    path = tmp_path / "erp.sqlite"
    url = _erp(path)
    _load(con, url)
    _write(path, "DELETE FROM products WHERE product_id > 5")
    policy = Policy(severities={"row_count_change": "warn"})
    read = _load(con, url, policy=policy)
    (volume,) = [c for c in read.checks if c.name == "row_count_change"]
    assert not volume.passed and not read.blocked_by
    unread = ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url), policy=policy)
    assert _checks(unread) == _checks(read)


def test_a_blocked_load_records_no_stamp(con, tmp_path):
    path = tmp_path / "erp.sqlite"
    url = _erp(path)
    _load(con, url)
    _write(path, "ALTER TABLE products DROP COLUMN category")
    blocked = _load(con, url)
    assert blocked.blocked_by
    assert ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url)) is None  # read, and fail, again


def test_forgetting_builds_forgets_the_stamps(con, tmp_path):
    url = _erp(tmp_path / "erp.sqlite")
    _load(con, url)
    assert ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url)) is not None
    builds.forget_builds(con)
    assert ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url)) is None


def test_a_stamp_whose_snapshot_left_the_ledger_is_not_trusted(con, tmp_path):
    url = _erp(tmp_path / "erp.sqlite")
    _load(con, url)
    wh.execute(con, "DELETE FROM quality.ingested_files")
    assert ingest_unchanged_erp(con, erp.PRODUCTS, "erp#products", source_stamp(url)) is None

"""An ERP table read and loaded in pieces (read_erp_chunks -> ingest_erp_snapshot) gives raw exactly
what the whole table gives, the row hashes included, so change capture works across the two."""

from __future__ import annotations

import sqlite3

import polars as pl
import pytest

from assets.ingest import erp
from assets.ingest.erp_load import ingest_erp_snapshot
from pipelines import erp as erp_reader
from pipelines import warehouse as wh
from pipelines.erp import read_erp_chunks, read_erp_table

ROWS = 23


def _orders(path, rows=ROWS, late_real: bool = False, late_values: bool = False):
    """An orders table; ``late_real``: an INTEGER column holds a REAL value near the end only;
    ``late_values``: a column NULL in the first rows has values near the end only."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE orders (order_id INTEGER PRIMARY KEY, cust_no TEXT, order_date TEXT, status TEXT, "
               "currency TEXT, total_amount REAL, channel TEXT, quantity INTEGER, note TEXT)")
    for i in range(1, rows + 1):
        quantity = 2.5 if late_real and i == rows - 1 else i % 4
        note = f"n{i}" if late_values and i > rows - 3 else None
        db.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (i, f"KH{i % 7:07d}", f"2026-10-{1 + i % 28:02d} 10:00:00", "paid", "CNY", 10.0 * i, "web",
                    quantity, note))
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def _raw(con) -> pl.DataFrame:
    return wh.fetch_frame(con, "SELECT * EXCLUDE (_loaded_at) FROM raw.erp_orders ORDER BY _row_number")


@pytest.mark.parametrize("shape", [{}, {"late_real": True}, {"late_values": True},
                                   {"late_real": True, "late_values": True}])
def test_pieces_load_what_the_whole_table_loads(tmp_path, shape):
    url = _orders(tmp_path / "erp.sqlite", **shape)
    pieces = list(read_erp_chunks(url, "orders", chunk_rows=5))
    assert len(pieces) == 5 and sum(p.height for p in pieces) == ROWS
    whole_con, pieces_con = wh.connect(tmp_path / "a.duckdb"), wh.connect(tmp_path / "b.duckdb")
    try:
        whole = ingest_erp_snapshot(whole_con, erp.ORDERS, read_erp_table(url, "orders"), "erp#orders")
        chunked = ingest_erp_snapshot(pieces_con, erp.ORDERS, iter(pieces), "erp#orders")
        assert whole.published and chunked.published and whole.rows_added == chunked.rows_added == ROWS
        assert [(c.name, c.passed) for c in whole.checks] == [(c.name, c.passed) for c in chunked.checks]
        a, b = _raw(whole_con), _raw(pieces_con)
        assert a.schema == b.schema and a.equals(b)
        # the same snapshot whole, into the warehouse loaded in pieces: known, nothing added
        again = ingest_erp_snapshot(pieces_con, erp.ORDERS, read_erp_table(url, "orders"), "erp#orders")
        assert again.skipped_files == ["erp#orders"] and _raw(pieces_con).height == ROWS
    finally:
        whole_con.close()
        pieces_con.close()


def test_only_changed_rows_are_appended_from_pieces(con, tmp_path, monkeypatch):
    monkeypatch.setattr("assets.ingest.erp_load.CHANGED_BATCH_ROWS", 4)  # several spans of changed rows
    path = tmp_path / "erp.sqlite"
    url = _orders(path)
    ingest_erp_snapshot(con, erp.ORDERS, read_erp_chunks(url, "orders", chunk_rows=5), "erp#orders")
    db = sqlite3.connect(path)
    db.execute("UPDATE orders SET status = 'refunded' WHERE order_id IN (3, 17)")
    db.execute("INSERT INTO orders VALUES (24, 'KH0000001', '2026-10-30 09:00:00', 'paid', 'CNY', 5.0, 'app', 1, NULL)")
    db.commit()
    db.close()
    changed = ingest_erp_snapshot(con, erp.ORDERS, read_erp_chunks(url, "orders", chunk_rows=5), "erp#orders")
    assert changed.published and changed.rows_added == 3
    added = wh.fetch_frame(con, "SELECT _record_id, status, _row_number FROM raw.erp_orders "
                                "WHERE _file_hash = (SELECT max_by(_file_hash, _loaded_at) FROM raw.erp_orders) "
                                "ORDER BY _row_number")
    assert added.rows() == [("3", "refunded", 3), ("17", "refunded", 17), ("24", "paid", 24)]


def test_a_piece_that_mixes_storage_classes_is_declined(tmp_path):
    url = _orders(tmp_path / "erp.sqlite")
    db = sqlite3.connect(tmp_path / "erp.sqlite")
    db.execute("UPDATE orders SET quantity = 'many' WHERE order_id = 20")  # text in an INTEGER column
    db.commit()
    db.close()
    pieces = read_erp_chunks(url, "orders", chunk_rows=5)
    assert next(pieces).height > 0  # the first pieces come before the bad one is met
    with pytest.raises(erp_reader.ArrowReadDeclined, match="quantity"):
        list(pieces)
    assert read_erp_table(url, "orders")["quantity"].dtype == pl.String  # whole, through SQLAlchemy


def test_an_empty_table_is_one_empty_piece(con, tmp_path):
    url = _orders(tmp_path / "erp.sqlite", rows=0)
    pieces = list(read_erp_chunks(url, "orders", chunk_rows=5))
    assert [p.height for p in pieces] == [0]
    outcome = ingest_erp_snapshot(con, erp.ORDERS, iter(pieces), "erp#orders")
    assert outcome.rows_added == 0

"""A large Parquet file delivered alone is loaded a piece at a time: raw gets the same rows, lineage,
ledger and checks as when the file is read whole; a file unreadable part way leaves nothing of it."""

from __future__ import annotations

from datetime import datetime, timezone

import polars as pl
import pytest

import assets.ingest.load as load
from assets.ingest import campaign_events
from assets.ingest.load import ingest_files
from pipelines import warehouse as wh

LOADED_AT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
ROWS = 57


def _events(rows: int = ROWS, repeat: bool = False) -> pl.DataFrame:
    ids = list(range(1, rows + 1))
    if repeat:
        ids[40] = ids[3]  # a repeated record id far from its first
    return pl.DataFrame({
        "event_id": ids, "campaign_id": [f"CMP-{i % 3}" for i in ids], "campaign_name": ["spring"] * rows,
        "channel": ["email", "sms"] * (rows // 2) + ["email"] * (rows % 2),
        "email": [f"u{i}@example.com" if i % 5 else None for i in ids], "phone": [None] * rows,
        "event_type": ["sent"] * rows,
        "event_time": [datetime(2026, 10, 1, tzinfo=timezone.utc)] * rows,
    })


def _raw(con) -> pl.DataFrame:
    return wh.fetch_frame(con, "SELECT * FROM raw.campaign_events ORDER BY _row_number")


@pytest.mark.parametrize("repeat", [False, True])
def test_pieces_load_what_the_whole_file_loads(tmp_path, monkeypatch, repeat):
    landing = tmp_path / "landing"
    landing.mkdir()
    _events(repeat=repeat).write_parquet(landing / "campaign_events.parquet", row_group_size=10)
    whole_con, pieces_con = wh.connect(tmp_path / "a.duckdb"), wh.connect(tmp_path / "b.duckdb")
    try:
        whole = ingest_files(whole_con, campaign_events.SOURCE, landing, loaded_at=LOADED_AT)
        monkeypatch.setattr(load, "PIECE_ROWS", 8)
        messages: list[str] = []
        pieces = ingest_files(pieces_con, campaign_events.SOURCE, landing, loaded_at=LOADED_AT, progress=messages.append)
        assert any("in pieces" in m for m in messages)
        assert whole.published == pieces.published and whole.rows_added == pieces.rows_added
        assert [(c.name, c.passed, c.failing_rows, c.sample) for c in whole.checks] == \
            [(c.name, c.passed, c.failing_rows, c.sample) for c in pieces.checks]
        if whole.published:
            assert _raw(whole_con).equals(_raw(pieces_con))
        ledger = "SELECT source_file, file_hash, rows, file_size FROM quality.ingested_files"
        assert wh.fetch_rows(whole_con, ledger) == wh.fetch_rows(pieces_con, ledger)
    finally:
        whole_con.close()
        pieces_con.close()


def test_a_file_unreadable_part_way_leaves_nothing(con, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    landing.mkdir()
    _events().write_parquet(landing / "campaign_events.parquet", row_group_size=10)
    monkeypatch.setattr(load, "PIECE_ROWS", 8)
    real = load.read_parquet_pieces

    def failing(path, name, rows):
        pieces = real(path, name, rows)
        yield next(pieces)
        yield next(pieces)
        raise load.IngestError(name, "not a readable Parquet file: truncated")

    monkeypatch.setattr(load, "read_parquet_pieces", failing)
    outcome = ingest_files(con, campaign_events.SOURCE, landing, loaded_at=LOADED_AT)
    assert not outcome.published and not wh.table_exists(con, wh.TableRef("raw", "campaign_events"))
    assert not wh.table_exists(con, wh.TableRef("raw", "campaign_events").scratch)
    (readable,) = [c for c in outcome.checks if c.name == "files_readable"]
    assert not readable.passed and "truncated" in readable.metadata["message"]


def test_two_large_files_are_read_whole(con, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    (landing / "2026-11-19").mkdir(parents=True)
    _events().write_parquet(landing / "campaign_events.parquet")
    _events().with_columns(pl.col("event_id") + 1000).write_parquet(landing / "2026-11-19" / "campaign_events.parquet")
    monkeypatch.setattr(load, "PIECE_ROWS", 8)
    messages: list[str] = []
    outcome = ingest_files(con, campaign_events.SOURCE, landing, loaded_at=LOADED_AT, progress=messages.append)
    assert outcome.published and outcome.rows_added == 2 * ROWS
    assert not any("in pieces" in m for m in messages)

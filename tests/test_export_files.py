"""Export files: Parquet keeps types, CSV turns lists and structs into JSON text, encrypted files read back
with the key; the latest pointer moves in one rename and old sets go."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from assets.exports.build import move_pointer, pointer, remove_old_sets
from assets.exports.files import read_table, write_table
from pipelines.crypto import CryptoError, MAGIC

FRAME = pl.DataFrame({"golden_id": ["G1", "G2"], "tags": [["vip", "展会"], []],
                      "identifiers": [[{"scheme": "cn_uscc", "value": "91350100M000100Y43"}], None],
                      "clv": [12.5, None]})


def test_parquet_round_trip_keeps_types(tmp_path):
    path = write_table(FRAME, tmp_path, "t", "parquet", None)
    assert path.name == "t.parquet" and read_table(path).equals(FRAME)


def test_csv_holds_nested_values_as_json_text(tmp_path):
    back = read_table(write_table(FRAME, tmp_path, "t", "csv", None))
    assert json.loads(back["tags"][0]) == ["vip", "展会"] and json.loads(back["tags"][1]) == []
    assert json.loads(back["identifiers"][0]) == [{"scheme": "cn_uscc", "value": "91350100M000100Y43"}]
    assert back["identifiers"][1] is None and back["clv"].to_list() == ["12.5", None]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_encrypted_files_hold_no_plain_value_and_read_back_with_the_key(tmp_path, fmt):
    key = bytes(range(32))
    path = write_table(FRAME, tmp_path, "t", fmt, key)
    assert path.name == f"t.{fmt}.enc" and not (tmp_path / f"t.{fmt}").exists()
    data = path.read_bytes()
    assert data.startswith(MAGIC) and b"91350100M000100Y43" not in data and "展会".encode() not in data
    assert read_table(path, key).height == 2
    with pytest.raises(CryptoError, match="set CRM360_ENCRYPTION_KEY"):
        read_table(path, None)


def test_the_pointer_moves_and_sets_past_the_kept_days_go_unless_pointed_at(tmp_path):
    for day in ("2026-10-01", "2026-10-20", "2026-11-01"):
        (tmp_path / day / "bi").mkdir(parents=True)
    move_pointer(tmp_path, "bi", tmp_path / "2026-10-01" / "bi")
    move_pointer(tmp_path, "bi", tmp_path / "2026-11-01" / "bi")
    assert pointer(tmp_path, "bi").resolve() == (tmp_path / "2026-11-01" / "bi").resolve()
    assert pointer(tmp_path, "bi").is_symlink() and not list((tmp_path / "latest").glob(".*"))
    move_pointer(tmp_path, "analyst", tmp_path / "2026-10-01" / "bi")  # an old set still pointed at stays
    removed = remove_old_sets(tmp_path, date(2026, 11, 1), keep_days=10)
    assert [p.name for p in removed] == ["2026-10-20"]
    assert (tmp_path / "2026-10-01").is_dir() and (tmp_path / "2026-11-01").is_dir()

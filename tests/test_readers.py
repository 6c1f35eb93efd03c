"""Bad landing files stop with one line naming the file, the row and the column."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from assets.ingest.errors import IngestError
from assets.ingest.readers import decode, read_source_file


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "fmt", "encoding", "expected"),
    [
        ("gbk_read_as_utf8.csv", "id,name\n1,王伟\n2,李娜\n".encode("gbk"), "csv", "utf-8",
         r"gbk_read_as_utf8\.csv: cannot be decoded as utf-8 .*line 2"),
        ("short_row.csv", b"id,name,phone\n1,a,138\n2,b\n", "csv", "utf-8",
         r"short_row\.csv, row 2, column 'phone': has 2 fields where the header has 3"),
        ("long_row.csv", b"id,name\n1,a\n2,b,c\n", "csv", "utf-8",
         r"long_row\.csv, row 2: has 3 fields where the header has 2"),
        ("empty.csv", b"", "csv", "utf-8", r"empty\.csv: file is empty"),
        ("bad.jsonl", b'{"id": 1}\n{"id": 2,\n', "jsonl", "utf-8", r"bad\.jsonl, row 2: malformed JSON"),
        ("array.jsonl", b'{"id": 1}\n[1, 2]\n', "jsonl", "utf-8", r"array\.jsonl, row 2: expected a JSON object"),
        ("object.json", b'{"a": 1, "b": 2}', "json", "utf-8", r"object\.json: expected a JSON array"),
        ("broken.json", b'[{"a": 1},', "json", "utf-8", r"broken\.json: malformed JSON"),
        ("corrupt.parquet", b"PAR1 this is not parquet", "parquet", "utf-8", r"corrupt\.parquet: not a readable Parquet"),
        ("any.csv", b"id\n1\n", "csv", "klingon", r"any\.csv: unknown encoding 'klingon'"),
    ],
)
def test_bad_file_is_named_with_row_and_column(tmp_path, name, data, fmt, encoding, expected):
    path = write(tmp_path, name, data)
    with pytest.raises(IngestError, match=expected):
        read_source_file(path, fmt, encoding, name=name)


def test_auto_encoding_reads_gbk_export():
    text, used = decode("联系人编号,姓名\nC1,欧阳娜娜\n".encode("gbk"), "auto", "x.csv")
    assert used == "gb18030" and "欧阳娜娜" in text


def test_auto_encoding_strips_utf8_bom():
    text, used = decode("\ufeffid,name\n1,a\n".encode("utf-8"), "auto", "x.csv")
    assert used == "utf-8-sig" and text.startswith("id,")


def test_csv_keeps_values_as_text(tmp_path):
    path = write(tmp_path, "x.csv", b"id,phone,serial,when\n001,0086 138 0013 8000,45296,2024/1/5\n")
    frame = read_source_file(path, "csv", "utf-8")
    assert frame.schema == pl.Schema({c: pl.String for c in ("id", "phone", "serial", "when")})
    assert frame.row(0) == ("001", "0086 138 0013 8000", "45296", "2024/1/5")


def test_quoted_newlines_are_one_row(tmp_path):
    path = write(tmp_path, "x.csv", b'id,comment\n1,"line one\nline two"\n2,ok\n')
    frame = read_source_file(path, "csv", "utf-8")
    assert frame.height == 2 and frame["comment"][0] == "line one\nline two"


def test_json_values_of_mixed_types_become_text(tmp_path):
    rows = [{"id": 1, "phone": 13800138000, "tags": ["a", "b"]}, {"id": "2", "phone": "+86 138", "tags": None}]
    path = write(tmp_path, "x.jsonl", "\n".join(json.dumps(r) for r in rows).encode())
    frame = read_source_file(path, "jsonl", "utf-8")
    assert frame["phone"].to_list() == ["13800138000", "+86 138"]
    assert frame["tags"].to_list() == ["a;b", None]


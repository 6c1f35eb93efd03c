"""Read one landing file into a Polars frame exactly as it is, or fail naming file, row and column.

Text formats (CSV, JSON) are read with every column as text, so nothing is reinterpreted
on the way in (leading zeros, Excel serials and odd dates survive for the staging layer).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from assets.ingest.errors import IngestError
from assets.ingest.spec import FileFormat

AUTO_ENCODINGS = ("utf-8-sig", "gb18030")


def decode(data: bytes, encoding: str, name: str) -> tuple[str, str]:
    """Decode ``data``; returns (text, the encoding used). ``auto`` tries UTF-8, then GB18030."""
    candidates = AUTO_ENCODINGS if encoding == "auto" else (encoding,)
    try:
        codecs.lookup(candidates[0])
    except LookupError as exc:
        raise IngestError(name, f"unknown encoding {encoding!r} configured for this source") from exc
    first_error: UnicodeDecodeError | None = None
    for candidate in candidates:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    line = data.count(b"\n", 0, first_error.start) + 1
    tried = " or ".join(candidates)
    raise IngestError(
        name,
        f"cannot be decoded as {tried} (byte 0x{data[first_error.start]:02x} at offset {first_error.start}, "
        f"line {line}); set the source's encoding",
    )


def _first_ragged_row(text: str, name: str) -> None:
    """Polars null-fills short rows silently; this pass names the first row whose field count is off."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise IngestError(name, "file is empty (no header row)") from None
    width = len(header)
    try:
        for row_number, row in enumerate(reader, start=1):
            if len(row) != width and row:
                raise IngestError(
                    name, f"has {len(row)} fields where the header has {width}", row=row_number,
                    column=header[len(row)] if len(row) < width else None,
                )
    except csv.Error as exc:
        raise IngestError(name, f"malformed CSV: {exc}", row=reader.line_num) from exc


def read_csv(data: bytes, encoding: str, name: str) -> pl.DataFrame:
    text, _ = decode(data, encoding, name)
    _first_ragged_row(text, name)
    try:
        return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError as exc:
        raise IngestError(name, f"malformed CSV: {str(exc).splitlines()[0]}") from exc


def _first_bad_json_line(text: str, name: str) -> None:
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(name, f"malformed JSON: {exc.msg} at character {exc.colno}", row=line_number) from exc
        if not isinstance(value, dict):
            raise IngestError(name, f"expected a JSON object, found {type(value).__name__}", row=line_number)


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Scalars to text, nested values to their JSON text: raw keeps values, not guessed types."""
    return frame.with_columns(
        pl.col(c).struct.json_encode() if isinstance(t, pl.Struct) else
        pl.col(c).cast(pl.List(pl.String)).list.join(";") if isinstance(t, pl.List) else
        pl.col(c).cast(pl.String)
        for c, t in frame.schema.items()
    )


def read_jsonl(data: bytes, encoding: str, name: str) -> pl.DataFrame:
    text, _ = decode(data, encoding, name)
    try:
        frame = pl.read_ndjson(io.BytesIO(text.encode("utf-8")), infer_schema_length=None)
    except pl.exceptions.PolarsError as exc:
        _first_bad_json_line(text, name)
        raise IngestError(name, f"malformed JSON lines: {str(exc).splitlines()[0]}") from exc
    return _as_text(frame)


def read_json(data: bytes, encoding: str, name: str) -> pl.DataFrame:
    text, _ = decode(data, encoding, name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(name, f"malformed JSON: {exc.msg} (line {exc.lineno}, character {exc.colno})") from exc
    if isinstance(document, dict) and len(document) == 1 and isinstance(next(iter(document.values())), list):
        document = next(iter(document.values()))
    if not isinstance(document, list):
        raise IngestError(name, "expected a JSON array of objects")
    for index, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise IngestError(name, f"expected a JSON object, found {type(item).__name__}", row=index)
    if not document:
        return pl.DataFrame()
    return _as_text(pl.DataFrame(document, infer_schema_length=None, strict=False))


def read_parquet(data: bytes, encoding: str, name: str) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow and polars raise several types for a corrupt file
        raise IngestError(name, f"not a readable Parquet file: {str(exc).splitlines()[0]}") from exc


PIECE_ROWS = 2_000_000  # a Parquet file past this many rows is read a piece at a time when it comes alone


def parquet_rows(path: Path) -> int:
    """Rows of a Parquet file by its footer (0 when it is not a readable Parquet file: reading says why)."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - the whole read reports it, naming the file
        return 0


def read_parquet_pieces(path: Path, name: str, rows: int = PIECE_ROWS) -> Iterator[pl.DataFrame]:
    """A Parquet file in pieces of at most ``rows`` rows, typed as ``read_parquet`` types the whole file."""
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        for batch in source.iter_batches(batch_size=rows):
            yield pl.from_arrow(pa.Table.from_batches([batch]))
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a corrupt file
        raise IngestError(name, f"not a readable Parquet file: {str(exc).splitlines()[0]}") from exc


READERS = {"csv": read_csv, "jsonl": read_jsonl, "json": read_json, "parquet": read_parquet}


def read_source_file(path: Path, fmt: FileFormat, encoding: str, name: str | None = None) -> pl.DataFrame:
    """The rows of one landing file; ``name`` is how errors refer to it (default: the path)."""
    label = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(label, f"cannot be read: {exc.strerror}") from exc
    return READERS[fmt](data, encoding, label)

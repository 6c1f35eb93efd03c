"""The files of an export set: writing a frame as Parquet or CSV (encrypted when a key is given), reading
it back, checksums, and the manifest that describes a set."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.crypto import decrypt_bytes, encrypt_file, is_encrypted

MANIFEST = "manifest.json"
ENCRYPTED_SUFFIX = ".enc"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV holds no lists or structs: a nested value becomes its JSON text."""
    nested = [c for c, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct, pl.Array))]
    return frame.with_columns(
        pl.when(pl.col(c).is_not_null())
        .then(pl.struct(pl.col(c)).struct.json_encode().str.extract(r'^\{"(?:[^"\\]|\\.)*":(.*)\}$')).alias(c)
        for c in nested)


class TableWriter:
    """Writes ``folder/<name>.<fmt>`` a batch at a time, so a table of millions of rows is never whole in
    memory; on close, encrypts it to ``<name>.<fmt>.enc`` when a key is given. ``path`` is the file written."""

    def __init__(self, folder: Path, name: str, fmt: str, key: bytes | None) -> None:
        if fmt not in ("parquet", "csv"):
            raise ValueError(f"unknown export format {fmt!r}; use parquet or csv")
        self.path, self.fmt, self.key = Path(folder) / f"{name}.{fmt}", fmt, key
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._csv = None
        self.rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        if self.fmt == "parquet":
            table = frame.to_arrow()
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(self.path, self._schema, compression="zstd")
            self._parquet.write_table(table.cast(self._schema))
        else:
            if self._csv is None:
                self._csv = self.path.open("wb")
            _csv_ready(frame).write_csv(self._csv, include_header=self.rows == 0 and not self._csv.tell())
        self.rows += frame.height

    def close(self, empty: pl.DataFrame) -> Path:
        """Finish the file (``empty``, the table's columns, when no batch came) and encrypt it."""
        if self._parquet is None and self._csv is None:
            self.write(empty)
        if self._parquet is not None:
            self._parquet.close()
        if self._csv is not None:
            self._csv.close()
        if self.key is None:
            return self.path
        sealed = self.path.with_name(self.path.name + ENCRYPTED_SUFFIX)
        encrypt_file(self.path, sealed, self.key)
        self.path.unlink()
        self.path = sealed
        return sealed


def write_table(frame: pl.DataFrame, folder: Path, name: str, fmt: str, key: bytes | None) -> Path:
    """``folder/<name>.<fmt>`` (plus ``.enc`` when encrypted with ``key``) in one go; returns the path written."""
    writer = TableWriter(folder, name, fmt, key)
    writer.write(frame)
    return writer.close(frame)


def file_rows(path: Path, key: bytes | None = None) -> int:
    """Rows of an exported file, from the Parquet footer (or by counting CSV records), decrypted in memory."""
    fmt, source = _readable(Path(path), key)
    if fmt == "parquet":
        return pq.ParquetFile(source).metadata.num_rows
    return pl.read_csv(source, infer_schema=False, columns=[0]).height


def _readable(path: Path, key: bytes | None) -> tuple[str, Path | io.BytesIO]:
    """The file's format, and something to read it from: itself, or its plaintext in memory."""
    fmt = path.name.removesuffix(ENCRYPTED_SUFFIX).rsplit(".", 1)[-1]
    if is_encrypted(path):
        return fmt, io.BytesIO(decrypt_bytes(path.read_bytes(), key, label=str(path)))
    return fmt, path


def read_table(path: Path, key: bytes | None = None) -> pl.DataFrame:
    """An exported file as a frame, decrypted in memory when it is encrypted."""
    fmt, source = _readable(Path(path), key)
    return pl.read_parquet(source) if fmt == "parquet" else pl.read_csv(source, infer_schema=False)


def write_manifest(folder: Path, manifest: dict) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))

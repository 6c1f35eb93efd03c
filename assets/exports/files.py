"""The files of an export set: writing a frame as Parquet or CSV (encrypted when a key is given), reading
it back, checksums, and the manifest that describes a set."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import polars as pl

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


def write_table(frame: pl.DataFrame, folder: Path, name: str, fmt: str, key: bytes | None) -> Path:
    """``folder/<name>.<fmt>`` (plus ``.enc`` when encrypted with ``key``); returns the path written."""
    path = folder / f"{name}.{fmt}"
    if fmt == "parquet":
        frame.write_parquet(path, compression="zstd", statistics=True)
    elif fmt == "csv":
        _csv_ready(frame).write_csv(path)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use parquet or csv")
    if key is None:
        return path
    sealed = path.with_name(path.name + ENCRYPTED_SUFFIX)
    encrypt_file(path, sealed, key)
    path.unlink()
    return sealed


def read_table(path: Path, key: bytes | None = None) -> pl.DataFrame:
    """An exported file as a frame, decrypted in memory when it is encrypted."""
    path = Path(path)
    fmt = path.name.removesuffix(ENCRYPTED_SUFFIX).rsplit(".", 1)[-1]
    source: Path | io.BytesIO = path
    if is_encrypted(path):
        source = io.BytesIO(decrypt_bytes(path.read_bytes(), key, label=str(path)))
    return pl.read_parquet(source) if fmt == "parquet" else pl.read_csv(source, infer_schema=False)


def write_manifest(folder: Path, manifest: dict) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))

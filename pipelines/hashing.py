"""Keyed hashes of personal values: what masked exports carry instead of an email or phone, and what
the erasure log and ingest suppression keep instead of the identifiers of an erased customer.

A plain hash of a phone number is reversed by hashing every phone number; HMAC-SHA256 with a secret
key is not, for anyone without the key. The key comes from CRM360_HASH_KEY; without it, from
CRM360_ENCRYPTION_KEY (derived, so one secret serves both); without either, from a random key kept
beside the warehouse (``<warehouse>.hashkey``, mode 0600), which suits the demo but protects exports
only from people who cannot read the warehouse folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from pipelines import config

DIGEST_CHARS = 32  # 128 bits of HMAC-SHA256, as hex
_local = threading.local()


def key_file(warehouse: Path) -> Path:
    return Path(warehouse).with_name(Path(warehouse).name + ".hashkey")


def hash_key(warehouse: Path, environ: Mapping[str, str] | None = None) -> bytes:
    """The key of every keyed hash of this warehouse (see the module docstring for where it comes from)."""
    env = os.environ if environ is None else environ
    if env.get(config.ENV_HASH_KEY):
        return env[config.ENV_HASH_KEY].encode()
    from pipelines.crypto import encryption_key

    master = encryption_key(env)
    if master:
        return hmac.new(master, b"crm360 hash key", hashlib.sha256).digest()
    path = key_file(warehouse)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def hash_key_id(key: bytes) -> str:
    """A public fingerprint of the key, so a changed key is noticed rather than silently matching nothing."""
    return hmac.new(key, b"crm360 hash key id", hashlib.sha256).hexdigest()[:12]


def keyed_hash(value: str, key: bytes) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def _pads(key: bytes) -> tuple[bytes, bytes]:
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return bytes(b ^ 0x5C for b in block), bytes(b ^ 0x36 for b in block)


def keyed_hashes(values: pl.Series, key: bytes, prefix: str = "") -> pl.Series:
    """``keyed_hash(prefix + value)`` for every value (null stays null), computed by DuckDB's vectorized SHA-256
    (HMAC is two hashes and two XOR pads): a million values take well under a second, not half a minute."""
    import duckdb

    from pipelines import warehouse as wh

    frame = pl.DataFrame({"i": pl.int_range(0, len(values), eager=True), "value": values.cast(pl.String)})
    opad, ipad = _pads(key)
    if not hasattr(_local, "con"):  # an in-memory DuckDB of this thread's own, for hashing only
        _local.con = duckdb.connect()
    con = _local.con
    con.register("_crm360_hash_input", frame.to_arrow())
    try:
        hashes = wh.fetch_frame(con, wh.load_sql("keyed_hashes"),
                                {"opad": opad, "ipad": ipad, "prefix": prefix, "chars": DIGEST_CHARS})["hash"]
    finally:
        con.unregister("_crm360_hash_input")
    return hashes.cast(pl.String).rename(values.name)

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
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from pipelines import config

DIGEST_CHARS = 32  # 128 bits of HMAC-SHA256, as hex


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


def keyed_hashes(values: pl.Series, key: bytes, prefix: str = "") -> pl.Series:
    """HMAC of ``prefix + value`` for every value (null stays null), computed once per distinct value."""
    text = values.cast(pl.String)
    distinct = text.drop_nulls().unique()
    lookup = pl.DataFrame({"value": distinct,
                           "hash": pl.Series([keyed_hash(prefix + v, key) for v in distinct], dtype=pl.String)})
    return text.rename("value").to_frame().join(lookup, on="value", how="left", maintain_order="left")["hash"] \
        .rename(values.name)

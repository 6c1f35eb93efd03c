"""The warehouse file at rest: encrypted with CRM360_ENCRYPTION_KEY while no run holds it.

A run (or `crm360 erase`, `restore`) opens it in place: decrypts it, works on the plain DuckDB file, and
encrypts it again when it ends, failed or not. Readers that only look (`crm360 quality`, `audit`) work on a
decrypted private copy and leave the file as it is. Without the key nothing here changes anything.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.crypto import CryptoError, decrypt_file, encrypt_file, encryption_key, is_encrypted, open_decrypted


def _encrypted(path: Path) -> bool:
    return path.is_file() and is_encrypted(path)


def unseal(path: Path, key: bytes | None = None) -> bool:
    """Decrypt the warehouse in place if it is encrypted; True when it was."""
    path = Path(path)
    if not _encrypted(path):
        return False
    decrypt_file(path, path, key if key is not None else encryption_key())
    return True


def seal(path: Path, key: bytes | None = None) -> bool:
    """Encrypt the closed warehouse in place when a key is set (its write-ahead log must be checkpointed:
    DuckDB does so on close); True when it encrypted."""
    path = Path(path)
    key = key if key is not None else encryption_key()
    if key is None or not path.is_file() or is_encrypted(path):
        return False
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        raise CryptoError(f"{path} is still being written ({wal.name} exists): not encrypted; it will be at the next run")
    encrypt_file(path, path, key)
    return True


@contextmanager
def warehouse_open(path: Path) -> Iterator[Path]:
    """The warehouse as a plain DuckDB file for the duration, encrypted again afterwards when a key is set
    (also when it was plain before: setting the key encrypts the warehouse at the next run)."""
    path = Path(path)
    key = encryption_key()
    unseal(path, key)
    try:
        yield path
    finally:
        if key is not None:
            seal(path, key)


@contextmanager
def warehouse_readable(path: Path) -> Iterator[Path]:
    """A path to read the warehouse from: itself when plain, else a decrypted private copy, removed after."""
    path = Path(path)
    if not _encrypted(path):
        yield path
        return
    with open_decrypted(path, encryption_key()) as plain:
        yield plain


def copy_sealed(src: Path, dst: Path) -> Path:
    """Copy a closed warehouse file, encrypting the copy when a key is set (a snapshot, a restore)."""
    key = encryption_key()
    dst.parent.mkdir(parents=True, exist_ok=True)
    if key is not None and not is_encrypted(src):
        encrypt_file(src, dst, key)
    else:
        tmp = dst.with_name(f".{dst.name}.tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    return dst

"""Encryption at rest for the warehouse file, BI exports and snapshots (AES-256-GCM, streamed in chunks).

Threat model: protects files at rest from anyone without CRM360_ENCRYPTION_KEY, and detects any change to them.
It does not protect a running process's memory or a decrypted temporary copy while it exists.

Format (the STREAM construction, as in Tink's streaming AEAD), so multi-GB files never sit whole in memory:
header = b"CRM360ENC1" | version (1) | key id (4) | nonce prefix (7, random per file) | chunk size (4, big-endian),
then chunks of AESGCM(key).encrypt(prefix | counter (4, big-endian) | last flag (1), plaintext, header), each
`chunk size` bytes of plaintext plus a 16-byte tag. The final chunk is always present (empty only for empty
input) and flagged, so truncation, reordering, appended data and header edits all fail authentication.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pipelines import config

MAGIC = b"CRM360ENC1"
VERSION = 1
KEY_BYTES = 32
TAG_BYTES = 16
MAX_CHUNK = 1 << 26
_FIELDS = struct.Struct(">B4s7sI")
HEADER_BYTES = len(MAGIC) + _FIELDS.size
_MAX_CHUNKS = 1 << 32


class CryptoError(Exception):
    """A key or an encrypted file that cannot be used; the message is one line naming the file."""


def encryption_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The key from CRM360_ENCRYPTION_KEY (base64, urlsafe base64 or hex), or None when it is unset or empty."""
    text = (os.environ if environ is None else environ).get(config.ENV_ENCRYPTION_KEY, "").strip()
    if not text:
        return None
    try:
        if len(text) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in text):
            key = bytes.fromhex(text)
        else:
            padded = text.rstrip("=").replace("-", "+").replace("_", "/")
            key = base64.b64decode(padded + "=" * (-len(padded) % 4), validate=True)
    except (binascii.Error, ValueError):
        got = f"{len(text)} characters that are neither base64 nor hex"
    else:
        if len(key) == KEY_BYTES:
            return key
        got = f"{len(key)} bytes"
    raise CryptoError(
        f"{config.ENV_ENCRYPTION_KEY} must be {KEY_BYTES} bytes in base64 or hex (crm360 keygen makes one); got {got}"
    )


def new_key() -> str:
    """A fresh random key as urlsafe base64 text (what `crm360 keygen` prints)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    """A short public fingerprint of the key (8 hex digits), safe to print and store."""
    return hmac.new(key, b"crm360 key id", hashlib.sha256).hexdigest()[:8]


def is_encrypted(path: Path) -> bool:
    """True when the file starts with the crm360 encryption header."""
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def _aead(key: bytes) -> AESGCM:
    if len(key) != KEY_BYTES:
        raise CryptoError(f"the encryption key must be {KEY_BYTES} bytes; got {len(key)} bytes")
    return AESGCM(key)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _encrypt_stream(src: BinaryIO, out: BinaryIO, key: bytes, chunk_size: int, label: str) -> None:
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK}; got {chunk_size}")
    aead, prefix = _aead(key), os.urandom(7)
    header = MAGIC + _FIELDS.pack(VERSION, bytes.fromhex(key_id(key)), prefix, chunk_size)
    out.write(header)
    chunk, counter = src.read(chunk_size), 0
    while True:
        following = src.read(chunk_size)
        if counter >= _MAX_CHUNKS:
            raise CryptoError(f"{label} is too large to encrypt with chunk size {chunk_size}")
        out.write(aead.encrypt(_nonce(prefix, counter, not following), chunk, header))
        if not following:
            return
        chunk, counter = following, counter + 1


def _decrypt_stream(src: BinaryIO, out: BinaryIO, key: bytes | None, label: str) -> None:
    header = src.read(HEADER_BYTES)
    if not header.startswith(MAGIC):
        raise CryptoError(f"{label} is not a crm360-encrypted file (no {MAGIC.decode()} header)")
    if key is None:
        raise CryptoError(f"{label} is encrypted: set {config.ENV_ENCRYPTION_KEY} to open it")
    if len(header) < HEADER_BYTES:
        raise CryptoError(f"{label} is damaged or was altered (the header is truncated)")
    version, kid, prefix, chunk_size = _FIELDS.unpack(header[len(MAGIC) :])
    if version != VERSION:
        raise CryptoError(f"{label} is damaged or was altered (unknown format version {version})")
    aead = _aead(key)
    if kid != bytes.fromhex(key_id(key)):
        raise CryptoError(
            f"{label} was encrypted with another key (key id {kid.hex()}; "
            f"{config.ENV_ENCRYPTION_KEY} has key id {key_id(key)})"
        )
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise CryptoError(f"{label} is damaged or was altered (bad chunk size {chunk_size} in the header)")
    segment_size = chunk_size + TAG_BYTES
    segment, counter = src.read(segment_size), 0
    while True:
        if len(segment) < TAG_BYTES:
            raise CryptoError(f"{label} is damaged or was altered (truncated at chunk {counter})")
        following = src.read(segment_size)
        try:
            if counter >= _MAX_CHUNKS:
                raise InvalidTag
            out.write(aead.decrypt(_nonce(prefix, counter, not following), segment, header))
        except InvalidTag:
            raise CryptoError(f"{label} is damaged or was altered (chunk {counter} failed authentication)") from None
        if not following:
            return
        segment, counter = following, counter + 1


@contextmanager
def _atomic_output(dst: Path) -> Iterator[BinaryIO]:
    """A 0600 sibling temp file that replaces `dst` once fully written and synced, and is removed on failure."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(dst.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def encrypt_file(src: Path, dst: Path, key: bytes, chunk_size: int = 4 << 20) -> None:
    """Encrypt `src` into `dst` (mode 0600, atomic; `dst` may be `src`)."""
    src, dst = Path(src), Path(dst)
    with open(src, "rb") as fin, _atomic_output(dst) as out:
        _encrypt_stream(fin, out, key, chunk_size, str(src))


def decrypt_file(src: Path, dst: Path, key: bytes | None) -> None:
    """Decrypt and verify `src` into `dst` (mode 0600, atomic; `dst` may be `src`); CryptoError leaves no `dst`."""
    src, dst = Path(src), Path(dst)
    with open(src, "rb") as fin, _atomic_output(dst) as out:
        _decrypt_stream(fin, out, key, str(src))


def encrypt_bytes(data: bytes, key: bytes, chunk_size: int = 4 << 20) -> bytes:
    """`data` encrypted in the file format, in memory (for small files)."""
    out = BytesIO()
    _encrypt_stream(BytesIO(data), out, key, chunk_size, "data")
    return out.getvalue()


def decrypt_bytes(blob: bytes, key: bytes | None, label: str = "data") -> bytes:
    """The verified plaintext of `blob`; `label` names it in errors."""
    out = BytesIO()
    _decrypt_stream(BytesIO(blob), out, key, label)
    return out.getvalue()


@contextmanager
def open_decrypted(path: Path, key: bytes | None) -> Iterator[Path]:
    """A plaintext path: `path` itself if not encrypted, else a 0600 copy in a private temp dir removed on exit."""
    path = Path(path)
    if not is_encrypted(path):
        yield path
        return
    tmp_dir = Path(tempfile.mkdtemp(prefix="crm360-decrypted-"))
    try:
        plain = tmp_dir / path.name
        decrypt_file(path, plain, key)
        yield plain
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)

"""Encryption at rest: round trips, tamper detection with one-line errors, key parsing, temp-copy cleanup."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import config
from pipelines import crypto
from pipelines.crypto import CryptoError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
MARKER = b"ZHANG-WEI-13800138000-SECRET-MARKER"
CHUNK = 16
SEGMENT = CHUNK + crypto.TAG_BYTES


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 3])
def test_file_round_trip(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    src = write(tmp_path / "plain.bin", data)
    enc, out = tmp_path / "enc.bin", tmp_path / "out.bin"
    crypto.encrypt_file(src, enc, KEY, chunk_size=CHUNK)
    chunks = max(1, -(-size // CHUNK))
    assert enc.stat().st_size == crypto.HEADER_BYTES + size + chunks * crypto.TAG_BYTES
    assert crypto.is_encrypted(enc) and not crypto.is_encrypted(src)
    crypto.decrypt_file(enc, out, KEY)
    assert out.read_bytes() == data
    assert leftovers(tmp_path) == []


def test_default_chunk_size_round_trip(tmp_path: Path) -> None:
    data = os.urandom(100_000)
    src = write(tmp_path / "plain.bin", data)
    crypto.encrypt_file(src, tmp_path / "enc.bin", KEY)
    crypto.decrypt_file(tmp_path / "enc.bin", tmp_path / "out.bin", KEY)
    assert (tmp_path / "out.bin").read_bytes() == data


def test_in_place_round_trip_and_mode(tmp_path: Path) -> None:
    data = MARKER * 10
    path = write(tmp_path / "warehouse.duckdb", data)
    crypto.encrypt_file(path, path, KEY, chunk_size=CHUNK)
    assert crypto.is_encrypted(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    crypto.decrypt_file(path, path, KEY)
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]


def test_ciphertext_hides_plaintext_and_differs_each_time(tmp_path: Path) -> None:
    src = write(tmp_path / "export.csv", b"id,name\n1," + MARKER + b"\n")
    crypto.encrypt_file(src, tmp_path / "a", KEY)
    crypto.encrypt_file(src, tmp_path / "b", KEY)
    a, b = (tmp_path / "a").read_bytes(), (tmp_path / "b").read_bytes()
    assert MARKER not in a and MARKER not in b
    assert a != b


def test_bytes_round_trip_and_same_format_as_files(tmp_path: Path) -> None:
    blob = crypto.encrypt_bytes(MARKER, KEY)
    assert MARKER not in blob and crypto.decrypt_bytes(blob, KEY) == MARKER
    enc = write(tmp_path / "enc", blob)
    crypto.decrypt_file(enc, tmp_path / "out", KEY)
    assert (tmp_path / "out").read_bytes() == MARKER


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), chunk_size=st.integers(1, 64))
def test_round_trip_property(data: bytes, chunk_size: int) -> None:
    assert crypto.decrypt_bytes(crypto.encrypt_bytes(data, KEY, chunk_size=chunk_size), KEY) == data


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    """An encrypted file of 4 full chunks and a partial last one (5 chunks, numbered 0-4)."""
    src = write(tmp_path / "plain.bin", os.urandom(4 * CHUNK + 5))
    enc = tmp_path / "enc.bin"
    crypto.encrypt_file(src, enc, KEY, chunk_size=CHUNK)
    src.unlink()
    return enc


def flip(blob: bytes, at: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ 0x01]) + blob[at + 1 :]


def swap_first_two(blob: bytes) -> bytes:
    h = crypto.HEADER_BYTES
    return blob[:h] + blob[h + SEGMENT : h + 2 * SEGMENT] + blob[h : h + SEGMENT] + blob[h + 2 * SEGMENT :]


H = crypto.HEADER_BYTES
TAMPERING = {
    "header version": (lambda b: flip(b, len(crypto.MAGIC)), "unknown format version"),
    "header nonce prefix": (lambda b: flip(b, H - 6), "chunk 0 failed authentication"),
    "header chunk size": (lambda b: flip(b, H - 1), "chunk 0 failed authentication"),
    "middle chunk": (lambda b: flip(b, H + 2 * SEGMENT + 3), "chunk 2 failed authentication"),
    "last chunk": (lambda b: flip(b, len(b) - 1), "chunk 4 failed authentication"),
    "truncated mid-chunk": (lambda b: b[:-3], "chunk 4 failed authentication"),
    "last chunk dropped": (lambda b: b[: H + 4 * SEGMENT], "chunk 3 failed authentication"),
    "all chunks dropped": (lambda b: b[:H], "truncated at chunk 0"),
    "header truncated": (lambda b: b[: H - 2], "header is truncated"),
    "bytes appended": (lambda b: b + b"\x00" * 40, "chunk 4 failed authentication"),
    "chunks swapped": (swap_first_two, "chunk 0 failed authentication"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_is_detected_and_leaves_no_output(encrypted: Path, case: str) -> None:
    alter, what = TAMPERING[case]
    encrypted.write_bytes(alter(encrypted.read_bytes()))
    out = encrypted.parent / "out.bin"
    with pytest.raises(CryptoError) as exc:
        crypto.decrypt_file(encrypted, out, KEY)
    message = str(exc.value)
    assert message.startswith(f"{encrypted} is damaged or was altered (") and what in message
    assert "\n" not in message
    assert not out.exists() and leftovers(encrypted.parent) == []


def test_tampering_in_place_keeps_the_source(encrypted: Path) -> None:
    damaged = flip(encrypted.read_bytes(), H + SEGMENT)
    encrypted.write_bytes(damaged)
    with pytest.raises(CryptoError, match="chunk 1 failed authentication"):
        crypto.decrypt_file(encrypted, encrypted, KEY)
    assert encrypted.read_bytes() == damaged and leftovers(encrypted.parent) == []


def test_wrong_key(encrypted: Path) -> None:
    out = encrypted.parent / "out.bin"
    with pytest.raises(CryptoError) as exc:
        crypto.decrypt_file(encrypted, out, OTHER_KEY)
    assert str(exc.value) == (
        f"{encrypted} was encrypted with another key (key id {crypto.key_id(KEY)}; "
        f"CRM360_ENCRYPTION_KEY has key id {crypto.key_id(OTHER_KEY)})"
    )
    assert not out.exists() and leftovers(encrypted.parent) == []


def test_missing_key(encrypted: Path) -> None:
    out = encrypted.parent / "out.bin"
    with pytest.raises(CryptoError) as exc:
        crypto.decrypt_file(encrypted, out, None)
    assert str(exc.value) == f"{encrypted} is encrypted: set CRM360_ENCRYPTION_KEY to open it"
    assert not out.exists()


def test_decrypting_a_plain_file_is_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "plain.csv", b"a,b\n1,2\n")
    with pytest.raises(CryptoError, match=r"plain\.csv is not a crm360-encrypted file"):
        crypto.decrypt_file(src, tmp_path / "out.csv", KEY)
    assert not (tmp_path / "out.csv").exists()
    assert src.read_bytes() == b"a,b\n1,2\n"


def test_decrypt_bytes_names_its_label() -> None:
    blob = crypto.encrypt_bytes(MARKER, KEY)
    with pytest.raises(CryptoError, match=r"^snapshot\.json was encrypted with another key"):
        crypto.decrypt_bytes(blob, OTHER_KEY, label="snapshot.json")
    with pytest.raises(CryptoError, match=r"^snapshot\.json is damaged or was altered \(chunk 0"):
        crypto.decrypt_bytes(flip(blob, len(blob) - 1), KEY, label="snapshot.json")


def test_bad_key_length_and_chunk_size_are_refused() -> None:
    with pytest.raises(CryptoError, match="must be 32 bytes"):
        crypto.encrypt_bytes(b"x", KEY[:16])
    with pytest.raises(ValueError, match="chunk_size"):
        crypto.encrypt_bytes(b"x", KEY, chunk_size=0)


@pytest.mark.parametrize(
    "text",
    [
        base64.b64encode(KEY).decode(),
        base64.b64encode(KEY).decode().rstrip("="),
        base64.urlsafe_b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
        KEY.hex(),
        KEY.hex().upper(),
        f"  {KEY.hex()}\n",
    ],
)
def test_encryption_key_parses_base64_and_hex(text: str) -> None:
    assert crypto.encryption_key({config.ENV_ENCRYPTION_KEY: text}) == KEY


def test_encryption_key_unset_or_empty() -> None:
    assert crypto.encryption_key({}) is None
    assert crypto.encryption_key({config.ENV_ENCRYPTION_KEY: ""}) is None


def test_encryption_key_from_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ENV_ENCRYPTION_KEY, KEY.hex())
    assert crypto.encryption_key() == KEY
    monkeypatch.delenv(config.ENV_ENCRYPTION_KEY)
    assert crypto.encryption_key() is None


@pytest.mark.parametrize(
    ("text", "got"),
    [
        (base64.b64encode(b"s3cr3t-but-too-short").decode(), "got 20 bytes"),
        (base64.b64encode(bytes(range(48))).decode(), "got 48 bytes"),
        ("ab" * 31, "got 31 bytes"),
        ("not a key at all: hunter2!", "neither base64 nor hex"),
    ],
)
def test_encryption_key_rejects_bad_values_without_echoing_them(text: str, got: str) -> None:
    with pytest.raises(CryptoError) as exc:
        crypto.encryption_key({config.ENV_ENCRYPTION_KEY: text})
    message = str(exc.value)
    assert message.startswith("CRM360_ENCRYPTION_KEY must be 32 bytes in base64 or hex (crm360 keygen makes one); ")
    assert got in message and text not in message and "\n" not in message


def test_new_key_and_key_id() -> None:
    text = crypto.new_key()
    key = crypto.encryption_key({config.ENV_ENCRYPTION_KEY: text})
    assert key is not None and len(key) == 32
    assert crypto.new_key() != text
    assert len(crypto.key_id(key)) == 8 and crypto.key_id(key) == crypto.key_id(bytes(key))
    assert crypto.key_id(key) != crypto.key_id(KEY)
    assert key.hex() not in crypto.key_id(key)


def test_open_decrypted_removes_its_temp_copy(tmp_path: Path) -> None:
    path = write(tmp_path / "export.parquet", MARKER)
    crypto.encrypt_file(path, path, KEY)
    with crypto.open_decrypted(path, KEY) as plain:
        assert plain != path and plain.name == "export.parquet"
        assert plain.read_bytes() == MARKER
        assert stat.S_IMODE(plain.stat().st_mode) == 0o600
        assert stat.S_IMODE(plain.parent.stat().st_mode) == 0o700
    assert not plain.exists() and not plain.parent.exists()
    assert crypto.is_encrypted(path)


def test_open_decrypted_cleans_up_on_error(tmp_path: Path) -> None:
    path = write(tmp_path / "snap.json", MARKER)
    crypto.encrypt_file(path, path, KEY)
    with pytest.raises(RuntimeError), crypto.open_decrypted(path, KEY) as plain:
        raise RuntimeError("boom")
    assert not plain.parent.exists()


def test_open_decrypted_passes_plain_files_through_and_needs_the_key(tmp_path: Path) -> None:
    plain_file = write(tmp_path / "plain.csv", b"a\n")
    with crypto.open_decrypted(plain_file, None) as plain:
        assert plain == plain_file
    assert plain_file.exists()
    crypto.encrypt_file(plain_file, plain_file, KEY)
    with pytest.raises(CryptoError, match="is encrypted: set CRM360_ENCRYPTION_KEY"):
        with crypto.open_decrypted(plain_file, None):
            pass

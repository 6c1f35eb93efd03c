"""Chinese resident IDs and unified social credit codes with real check digits.

Check digits are computed on uint8 digit matrices (one row per number) so
hundreds of thousands of codes cost a few numpy operations; validity is what
`stdnum.cn.ric` / `stdnum.cn.uscc` check.
"""

from __future__ import annotations

import numpy as np
import polars as pl

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_RIC_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_USCC_VALUE = np.full(128, -1, dtype=np.int64)
for _i, _c in enumerate(USCC_ALPHABET):
    _USCC_VALUE[ord(_c)] = _i
_USCC_CHARS = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)


def _digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative ints -> (n, width) ASCII digit matrix, most significant first."""
    values = np.asarray(values, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers[None, :]) % 10 + 48).astype(np.uint8)


def _ascii_matrix(strings: np.ndarray, width: int) -> np.ndarray:
    return np.asarray(strings, dtype=f"S{width}").view(np.uint8).reshape(-1, width)


def _to_series(matrix: np.ndarray, name: str) -> pl.Series:
    width = matrix.shape[1]
    raw = np.ascontiguousarray(matrix).view(f"S{width}").ravel()
    return pl.Series(name, raw).cast(pl.String)


def resident_ids(area_codes: np.ndarray, birth: np.ndarray, male: np.ndarray,
                 rng: np.random.Generator) -> pl.Series:
    """18-char resident IDs: area code, birth date, sequence (odd = male), check."""
    n = len(area_codes)
    if n == 0:
        return pl.Series("id_number", [], dtype=pl.String)
    days = np.asarray(birth, dtype="datetime64[D]")
    y = days.astype("datetime64[Y]").astype(np.int64) + 1970
    m = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    seq = 2 * rng.integers(0, 500, size=n) + np.asarray(male, dtype=np.int64)
    body = np.concatenate([
        _ascii_matrix(area_codes, 6),
        _digit_matrix(y * 10000 + m * 100 + d, 8),
        _digit_matrix(seq, 3),
    ], axis=1)
    total = ((body.astype(np.int64) - 48) * _RIC_WEIGHTS).sum(axis=1) % 11
    full = np.concatenate([body, _RIC_CHECK[total][:, None]], axis=1)
    return _to_series(full, "id_number")


def uscc_codes(area_codes: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Unified social credit codes: '91' (enterprise), area, organization code, check."""
    n = len(area_codes)
    if n == 0:
        return pl.Series("uscc", [], dtype=pl.String)
    org = _digit_matrix(rng.integers(10_000_000, 100_000_000, size=n), 8)
    org_sum = ((org.astype(np.int64) - 48) * _ORG_WEIGHTS).sum(axis=1) % 11
    org_check = (11 - org_sum) % 11  # 10 -> 'X'
    org_char = np.where(org_check == 10, ord("X"), org_check + 48).astype(np.uint8)
    head = np.tile(np.frombuffer(b"91", dtype=np.uint8), (n, 1))
    body = np.concatenate([head, _ascii_matrix(area_codes, 6), org, org_char[:, None]], axis=1)
    total = (_USCC_VALUE[body] * _USCC_WEIGHTS).sum(axis=1)
    check = _USCC_CHARS[(31 - total % 31) % 31]
    return _to_series(np.concatenate([body, check[:, None]], axis=1), "uscc")

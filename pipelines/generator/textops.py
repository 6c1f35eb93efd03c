"""Vectorized string building blocks shared by the generator stages.

Everything works on whole columns: pools are indexed with numpy arrays, and
per-row format choices are evaluated group by group (`piecewise`) so that no
Python code runs once per record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

FULLWIDTH_DIGITS = list("０１２３４５６７８９")
ASCII_DIGITS = list("0123456789")


def take(pool: Sequence[str], idx: np.ndarray, name: str = "") -> pl.Series:
    """pool[idx] as a Polars string column."""
    return pl.Series(name, list(pool), dtype=pl.String).gather(np.asarray(idx, dtype=np.int64))


def digits(rng: np.random.Generator, n: int, k: int, name: str = "") -> pl.Series:
    """n random zero-padded digit strings of length k (k <= 18)."""
    return pl.Series(name, rng.integers(0, 10**k, size=n, dtype=np.int64)).cast(pl.String).str.zfill(k)


def flat_pick(rng: np.random.Generator, group: np.ndarray, offsets: np.ndarray,
              counts: np.ndarray) -> np.ndarray:
    """Pick one item uniformly from each row's group in a flattened table; -1 when empty."""
    cnt = counts[group]
    pick = offsets[group] + np.floor(rng.random(len(group)) * np.maximum(cnt, 1)).astype(np.int64)
    return np.where(cnt > 0, pick, -1)


def flatten(groups: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    flat: list[str] = []
    offsets, counts = [], []
    for g in groups:
        offsets.append(len(flat))
        counts.append(len(g))
        flat.extend(g)
    return flat, np.array(offsets, dtype=np.int64), np.array(counts, dtype=np.int64)


def take_or_null(pool: Sequence[str], idx: np.ndarray, name: str = "") -> pl.Series:
    """Like take, but -1 gives null."""
    idx = np.asarray(idx, dtype=np.int64)
    s = take(list(pool) + [""], np.where(idx < 0, len(pool), idx), name)
    return pl.select(pl.when(pl.Series(idx < 0)).then(None).otherwise(s).alias(name)).to_series()


def fullwidth(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(ASCII_DIGITS, FULLWIDTH_DIGITS)


def piecewise(frame: pl.DataFrame, codes: np.ndarray, exprs: Mapping[int, pl.Expr],
              name: str) -> pl.Series:
    """Evaluate exprs[code] on the rows having that code; reassemble in row order.

    Used where each row picks one of many formats: each expression runs only on
    its own rows instead of every format being computed for every row.
    """
    codes = np.asarray(codes)
    n = len(codes)
    if n == 0:
        return pl.Series(name, [], dtype=pl.String)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    uniq, starts = np.unique(sorted_codes, return_index=True)
    ends = np.append(starts[1:], n)
    parts = []
    for code, s, e in zip(uniq.tolist(), starts.tolist(), ends.tolist()):
        sub = frame[order[s:e]]
        expr = exprs.get(code)
        if expr is None:
            parts.append(pl.Series(name, [None] * (e - s), dtype=pl.String))
        else:
            parts.append(sub.select(expr.cast(pl.String).alias(name)).to_series())
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return pl.concat(parts).gather(inverse).alias(name)


_SLICE = re.compile(r"\{(\d*):(\d*)\}")


def template(fmt: str, col: str) -> pl.Expr:
    """'+86 {0:3} {3:7} {7:}' -> concatenation of literals and slices of `col`."""
    parts: list[pl.Expr] = []
    pos = 0
    for m in _SLICE.finditer(fmt):
        if m.start() > pos:
            parts.append(pl.lit(fmt[pos:m.start()]))
        a = int(m.group(1) or 0)
        b = m.group(2)
        parts.append(pl.col(col).str.slice(a, None if b == "" else int(b) - a))
        pos = m.end()
    if pos < len(fmt):
        parts.append(pl.lit(fmt[pos:]))
    return pl.concat_str(parts)


def capitalize(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str([expr.str.slice(0, 1).str.to_uppercase(), expr.str.slice(1)])


def unique_suffix(values: pl.Series, rng: np.random.Generator, sep_at: str | None = None,
                  max_rounds: int = 8) -> pl.Series:
    """Make values unique by appending digits to later duplicates.

    With sep_at ('@'), digits go before the first separator (email local part).
    Order-stable: the first occurrence keeps its value.
    """
    s = values
    for _ in range(max_rounds):
        dup = _later_duplicate(s)
        n_dup = int(dup.sum())
        if n_dup == 0:
            return s
        extra = pl.Series(rng.integers(1, 1000, size=len(s))).cast(pl.String)
        frame = pl.DataFrame({"v": s, "x": extra, "d": dup})
        if sep_at is None:
            new = pl.concat_str([pl.col("v"), pl.col("x")])
        else:
            parts = pl.col("v").str.splitn(sep_at, 2)
            new = pl.concat_str([parts.struct.field("field_0"), pl.col("x"), pl.lit(sep_at),
                                 parts.struct.field("field_1")])
        s = frame.select(pl.when(pl.col("d")).then(new).otherwise(pl.col("v")).alias(values.name)).to_series()
    return s


def _later_duplicate(s: pl.Series) -> pl.Series:
    return s.is_not_null() & ~s.is_first_distinct()

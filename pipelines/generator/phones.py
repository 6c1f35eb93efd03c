"""Phone numbers: generation per country and the ways people write them.

A phone is kept as (kind, national significant number). The kind fixes the
country code and the family of spellings; index 0 of each family is the
national format a clean system would store, the rest are the variants that
the `phone_format` noise picks from.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .places import PLACES
from .textops import digits, flat_pick, flatten, piecewise, take, template

# kind -> (country calling code, [national default, variants...])
PHONE_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cn_mob": ("86", ("{0:}", "+86 {0:3} {3:7} {7:}", "0086-{0:}", "{0:3}-{3:7}-{7:}", "+86{0:}",
                      "{0:3} {3:7} {7:}", "86 {0:}", "+86-{0:3}-{3:7}-{7:}")),
    "cn_land2": ("86", ("0{0:2}-{2:}", "(0{0:2}) {2:6} {6:}", "+86 {0:2} {2:6} {6:}", "0{0:}",
                        "0086-{0:2}-{2:}", "+86-{0:2}-{2:}")),
    "cn_land3_8": ("86", ("0{0:3}-{3:}", "(0{0:3}) {3:7} {7:}", "+86 {0:3} {3:7} {7:}", "0{0:}",
                          "0086-{0:3}-{3:}")),
    "cn_land3_7": ("86", ("0{0:3}-{3:}", "(0{0:3}) {3:}", "+86 {0:3} {3:}", "0{0:}", "0086-{0:3}-{3:}")),
    "us": ("1", ("({0:3}) {3:6}-{6:}", "+1 {0:3}-{3:6}-{6:}", "{0:3}-{3:6}-{6:}", "{0:3}.{3:6}.{6:}",
                 "+1{0:}", "1-{0:3}-{3:6}-{6:}", "{0:}")),
    "gb_mob": ("44", ("0{0:4} {4:}", "+44 {0:4} {4:}", "+44{0:}", "0{0:}", "0044 {0:4} {4:}",
                      "+44 (0){0:4} {4:}")),
    "gb_land2": ("44", ("0{0:2} {2:6} {6:}", "+44 {0:2} {2:6} {6:}", "(0{0:2}) {2:6} {6:}", "0{0:}",
                        "+44{0:}")),
    "gb_land3": ("44", ("0{0:3} {3:6} {6:}", "+44 {0:3} {3:6} {6:}", "(0{0:3}) {3:6} {6:}", "0{0:}",
                        "+44{0:}")),
    "au_mob": ("61", ("0{0:3} {3:6} {6:}", "+61 {0:3} {3:6} {6:}", "+61{0:}", "0{0:}",
                      "0{0:3}-{3:6}-{6:}")),
    "au_land": ("61", ("(0{0:1}) {1:5} {5:}", "+61 {0:1} {1:5} {5:}", "0{0:1} {1:5} {5:}", "0{0:}",
                       "+61{0:}")),
}
KIND_NAMES: tuple[str, ...] = tuple(PHONE_KINDS)
KIND = {k: i for i, k in enumerate(KIND_NAMES)}
KIND_CC = np.array([PHONE_KINDS[k][0] for k in KIND_NAMES])
N_VARIANTS = np.array([len(PHONE_KINDS[k][1]) - 1 for k in KIND_NAMES], dtype=np.int64)

CN_MOBILE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
                      "166 170 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 "
                      "195 198 199").split()

_place_country = np.array([("CN", "US", "GB", "AU").index(p.country) for p in PLACES], dtype=np.int64)
_land_kind = np.array([KIND[p.land_kind] for p in PLACES], dtype=np.int8)
_prefix_flat, _prefix_off, _prefix_cnt = flatten([p.land_prefixes for p in PLACES])
_prefix_len = np.array([len(x) for x in _prefix_flat], dtype=np.int64)
_first_flat, _first_off, _first_cnt = flatten([list(p.land_first) for p in PLACES])
_land_len = np.array([p.land_len for p in PLACES], dtype=np.int64)
_MOBILE_KIND = np.array([KIND["cn_mob"], KIND["us"], KIND["gb_mob"], KIND["au_mob"]], dtype=np.int8)


def landlines(rng: np.random.Generator, place: np.ndarray) -> tuple[np.ndarray, pl.Series]:
    """A fixed-line number in each row's city: (kind codes, national numbers)."""
    n = len(place)
    prefix = flat_pick(rng, place, _prefix_off, _prefix_cnt)
    first = flat_pick(rng, place, _first_off, _first_cnt)
    rest_len = _land_len[place] - _prefix_len[prefix] - 1
    frame = pl.DataFrame({
        "p": take(_prefix_flat, prefix), "f": take(_first_flat, first),
        "r": digits(rng, n, 8), "k": rest_len,
    })
    nsn = frame.select(pl.concat_str([pl.col("p"), pl.col("f"), pl.col("r").str.slice(0, pl.col("k"))])).to_series()
    return _land_kind[place].copy(), nsn


def mobiles(rng: np.random.Generator, place: np.ndarray) -> tuple[np.ndarray, pl.Series]:
    """A mobile number for someone living in each row's city."""
    n = len(place)
    country = _place_country[place]
    cn_pre = take(CN_MOBILE_PREFIXES, rng.integers(0, len(CN_MOBILE_PREFIXES), size=n))
    gb_second = take(list("1234578"), rng.integers(0, 7, size=n))
    au_second = take(list("0123"), rng.integers(0, 4, size=n))
    us = np.flatnonzero(country == 1)
    us_nsn = pl.Series([None] * n, dtype=pl.String).scatter(us, landlines(rng, place[us])[1]) \
        if len(us) else pl.Series([None] * n, dtype=pl.String)
    frame = pl.DataFrame({"c": country, "cn": cn_pre, "d8": digits(rng, n, 8), "g": gb_second,
                          "a": au_second, "us": us_nsn})
    nsn = frame.select(
        pl.when(pl.col("c") == 0).then(pl.concat_str([pl.col("cn"), pl.col("d8")]))
        .when(pl.col("c") == 1).then(pl.col("us"))
        .when(pl.col("c") == 2).then(pl.concat_str([pl.lit("7"), pl.col("g"), pl.col("d8")]))
        .otherwise(pl.concat_str([pl.lit("4"), pl.col("a"), pl.col("d8").str.slice(0, 7)]))
    ).to_series()
    return _MOBILE_KIND[country], nsn


def e164(kind: np.ndarray, nsn: pl.Series) -> pl.Series:
    cc = pl.Series(KIND_CC[np.asarray(kind, dtype=np.int64)])
    return pl.select(pl.concat_str([pl.lit("+"), cc, nsn])).to_series()


_TEMPLATES = {KIND[k] * 16 + v: template(f, "n")
              for k, (_, fmts) in PHONE_KINDS.items() for v, f in enumerate(fmts)}


def format_phones(kind: np.ndarray, nsn: pl.Series, variant: np.ndarray) -> pl.Series:
    """Render phones; variant 0 is the national format, v>0 the v-th variant."""
    kind = np.asarray(kind, dtype=np.int64)
    codes = kind * 16 + np.asarray(variant, dtype=np.int64)
    codes = np.where(nsn.is_null().to_numpy(), -1, codes)
    return piecewise(pl.DataFrame({"n": nsn}), codes, _TEMPLATES, "phone")


def random_variant(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """A non-default spelling for each phone's kind."""
    nv = N_VARIANTS[np.asarray(kind, dtype=np.int64)]
    return 1 + np.floor(rng.random(len(nv)) * nv).astype(np.int64)

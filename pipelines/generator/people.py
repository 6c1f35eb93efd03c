"""Person names drawn from the Zipf-weighted pools, with their romanizations.

Given names are character-index pairs into one pool whose pinyin is known, so
'王秀英' and 'Wang Xiuying' come from the same draw without per-row pypinyin.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from .names import (LATIN_GIVEN, LATIN_SURNAMES, ZH_GIVEN_CHARS, ZH_GIVEN_POPULAR, ZH_SURNAMES,
                    zh_char_pool, zipf_weights)
from .textops import capitalize, take

POPULAR_SHARE = 0.35      # given names from the short popular list
SINGLE_CHAR_SHARE = 0.3   # of the rest: one-character given names


@dataclass(frozen=True)
class Names:
    family: pl.Series
    given: pl.Series
    family_py: pl.Series   # romanized family name (Latin: the name itself)
    given_py: pl.Series


@lru_cache(maxsize=1)
def _zh_tables():
    chars, pinyin, index = zh_char_pool()
    blank = len(chars)  # index of "" for one-character names
    popular = {}
    combo = {}
    for g in ("M", "F"):
        names = ZH_GIVEN_POPULAR[g]
        c1 = np.array([index[nm[0]] for nm in names])
        c2 = np.array([index[nm[1]] if len(nm) > 1 else blank for nm in names])
        popular[g] = (c1, c2)
        combo[g] = np.array([index[c] for c in ZH_GIVEN_CHARS[g]])
    surname_w = np.array([f for _, _, f in ZH_SURNAMES])
    return chars + [""], pinyin + [""], blank, popular, combo, surname_w / surname_w.sum()


def zh_given_indices(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Character indices (c1, c2) of Chinese given names; c2 may be the blank index."""
    _, _, blank, popular, combo, _ = _zh_tables()
    n = len(male)
    c1 = np.empty(n, dtype=np.int64)
    c2 = np.empty(n, dtype=np.int64)
    for g, mask in (("M", male), ("F", ~male)):
        idx = np.flatnonzero(mask)
        k = len(idx)
        pc1, pc2 = popular[g]
        pick = rng.choice(len(pc1), size=k, p=zipf_weights(len(pc1), 0.8))
        pool = combo[g]
        w = zipf_weights(len(pool), 0.6)
        a = pool[rng.choice(len(pool), size=k, p=w)]
        b = pool[rng.choice(len(pool), size=k, p=w)]
        b = np.where(rng.random(k) < SINGLE_CHAR_SHARE, blank, b)
        use_popular = rng.random(k) < POPULAR_SHARE
        c1[idx] = np.where(use_popular, pc1[pick], a)
        c2[idx] = np.where(use_popular, pc2[pick], b)
    return c1, c2


def zh_names(rng: np.random.Generator, male: np.ndarray) -> Names:
    chars, pinyin, _, _, _, surname_p = _zh_tables()
    n = len(male)
    fam = rng.choice(len(ZH_SURNAMES), size=n, p=surname_p)
    c1, c2 = zh_given_indices(rng, male)
    frame = pl.DataFrame({
        "f": take([s for s, _, _ in ZH_SURNAMES], fam),
        "fp": take([p for _, p, _ in ZH_SURNAMES], fam),
        "a": take(chars, c1), "b": take(chars, c2),
        "ap": take(pinyin, c1), "bp": take(pinyin, c2),
    })
    out = frame.select(
        pl.col("f"),
        pl.concat_str(["a", "b"]).alias("g"),
        pl.col("fp"),
        capitalize(pl.concat_str(["ap", "bp"])).alias("gp"),
    )
    return Names(out["f"], out["g"], out["fp"], out["gp"])


def latin_names(rng: np.random.Generator, male: np.ndarray) -> Names:
    n = len(male)
    fam = take(LATIN_SURNAMES, rng.choice(len(LATIN_SURNAMES), size=n,
                                          p=zipf_weights(len(LATIN_SURNAMES), 0.7)))
    gm = take(LATIN_GIVEN["M"], rng.choice(len(LATIN_GIVEN["M"]), size=n,
                                           p=zipf_weights(len(LATIN_GIVEN["M"]), 0.7)))
    gf = take(LATIN_GIVEN["F"], rng.choice(len(LATIN_GIVEN["F"]), size=n,
                                           p=zipf_weights(len(LATIN_GIVEN["F"]), 0.7)))
    given = pl.select(pl.when(pl.Series(male)).then(gm).otherwise(gf)).to_series()
    return Names(fam, given, fam, given)


def names_for(rng: np.random.Generator, male: np.ndarray, latin: np.ndarray) -> Names:
    """Names for a mixed batch: Chinese pools where latin is False, else Latin."""
    zh = zh_names(rng, male)
    la = latin_names(rng, male)
    m = pl.Series(np.asarray(latin, dtype=bool))

    def pick(a: pl.Series, b: pl.Series) -> pl.Series:
        return pl.select(pl.when(m).then(b).otherwise(a)).to_series()

    return Names(pick(zh.family, la.family), pick(zh.given, la.given),
                 pick(zh.family_py, la.family_py), pick(zh.given_py, la.given_py))


def full_name(family: pl.Series, given: pl.Series, latin: np.ndarray) -> pl.Series:
    """王伟 for Chinese script, 'John Smith' for Latin."""
    return pl.select(
        pl.when(pl.Series(np.asarray(latin, dtype=bool)))
        .then(pl.concat_str([given, pl.lit(" "), family]))
        .otherwise(pl.concat_str([family, given]))
    ).to_series()

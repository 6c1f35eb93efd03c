"""Company names, their loose spellings, web domains and registry facts.

A company name is kept as parts (city, core, industry word, legal suffix) so
the registry can print the official form while the ERP and CRM print the
shortened or reordered forms people actually type.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .names import (COMPANY_SIZE_W, COMPANY_SIZES, CAPITAL_BY_SIZE, INDUSTRIES, LATIN_CORE,
                    LATIN_CORE2, LATIN_SUFFIX, LATIN_SUFFIX_LOOSE, LATIN_SURNAMES, ZH_COMPANY_SUFFIX,
                    ZH_COMPANY_SUFFIX_W, ZH_CORE_CHARS, zh_char_pool, zipf_weights)
from .places import PLACES
from .textops import flat_pick, flatten, piecewise, take, unique_suffix

_DOMAIN_WORD = ("tech", "it", "net", "soft", "elec", "trade", "trading", "mach", "food", "jc",
                "logistics", "pharma", "media", "eco", "fashion", "catering", "edu", "build",
                "auto", "chem", "home", "consult", "retail")
_place_city_alt = [p.city_alt for p in PLACES]

# variant templates over parts: c=city, k=core, i=industry word, s=suffix, l=loose suffix
ZH_VARIANTS = ("{c}{k}{i}{s}", "{k}{i}({c}){s}", "{k}{i}（{c}）{s}", "{k}{i}", "{c}{k}{i}",
               "{k}{i}{s}", "{c}{k}{i}公司", "{c}{k}{s}")
LATIN_VARIANTS = ("{k} {i} {s}", "{K} {I} {S}", "{k} {i}", "{k} {i} {l}", "{K} {L}", "{k}")


def _parts_expr(fmt: str) -> pl.Expr:
    pieces: list[pl.Expr] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "{":
            key = fmt[i + 1]
            col = {"c": "co_city", "k": "co_core", "i": "co_ind", "s": "co_suffix", "l": "co_loose"}[key.lower()]
            expr = pl.col(col)
            pieces.append(expr.str.to_uppercase() if key.isupper() else expr)
            i += 3
        else:
            j = fmt.find("{", i)
            j = len(fmt) if j < 0 else j
            pieces.append(pl.lit(fmt[i:j]))
            i = j
    return pl.concat_str(pieces)


_ZH_EXPRS = {v: _parts_expr(f) for v, f in enumerate(ZH_VARIANTS)}
_LATIN_EXPRS = {100 + v: _parts_expr(f) for v, f in enumerate(LATIN_VARIANTS)}
N_ZH_VARIANTS = len(ZH_VARIANTS) - 1
N_LATIN_VARIANTS = len(LATIN_VARIANTS) - 1


def render_company_names(parts: pl.DataFrame, latin: np.ndarray, variant: np.ndarray) -> pl.Series:
    """Spell each company by variant index (0 = official name)."""
    codes = np.where(np.asarray(latin, dtype=bool), 100, 0) + np.asarray(variant, dtype=np.int64)
    return piecewise(parts.select("co_city", "co_core", "co_ind", "co_suffix", "co_loose"),
                     codes, {**_ZH_EXPRS, **_LATIN_EXPRS}, "company")


_LAT_SUFFIXES: list[str] = []
_LAT_SUFFIX_ROWS: dict[int, tuple[np.ndarray, np.ndarray]] = {}
for _ci, _c in enumerate(("CN", "US", "GB", "AU")):
    _opts, _w = LATIN_SUFFIX.get(_c, LATIN_SUFFIX["GB"])
    _LAT_SUFFIX_ROWS[_ci] = (np.arange(len(_LAT_SUFFIXES), len(_LAT_SUFFIXES) + len(_opts)), np.asarray(_w))
    _LAT_SUFFIXES.extend(_opts)
_loose_flat, _loose_off, _loose_cnt = flatten([LATIN_SUFFIX_LOOSE[x] for x in _LAT_SUFFIXES])
_place_cc = np.array([("CN", "US", "GB", "AU").index(p.country) for p in PLACES], dtype=np.int64)
_LATIN_CORES = list(LATIN_CORE) + list(LATIN_SURNAMES)
_LATIN_CORE_W = np.concatenate([0.6 * zipf_weights(len(LATIN_CORE), 0.4),
                                0.4 * zipf_weights(len(LATIN_SURNAMES), 0.7)])
_LATIN_TIEBREAK = ("Global", "Pacific", "Northern", "Southern", "Eastern", "Western", "International",
                   "United", "Premier", "National", "Central", "Coastal", "Metro", "Royal", "First")


def make_companies(rng: np.random.Generator, place: np.ndarray, latin: np.ndarray,
                   unique: bool = True) -> pl.DataFrame:
    """Company parts, official name, industry and size for each row.

    unique=True redraws cores until every official name is distinct, as a
    registry would require.
    """
    n = len(place)
    latin = np.asarray(latin, dtype=bool)
    chars, pinyin, index = zh_char_pool()
    chars_b, pinyin_b = chars + [""], pinyin + [""]
    core_idx = np.array([index[c] for c in ZH_CORE_CHARS])
    ind = rng.choice(len(INDUSTRIES), size=n, p=zipf_weights(len(INDUSTRIES), 0.5))
    cc = _place_cc[place]
    zh_suffix = take(ZH_COMPANY_SUFFIX, rng.choice(len(ZH_COMPANY_SUFFIX), size=n, p=ZH_COMPANY_SUFFIX_W))
    lsuf = np.zeros(n, dtype=np.int64)
    for ci, (rows, w) in _LAT_SUFFIX_ROWS.items():
        m = np.flatnonzero(cc == ci)
        lsuf[m] = rows[rng.choice(len(rows), size=len(m), p=w)]
    loose = take(_loose_flat, flat_pick(rng, lsuf, _loose_off, _loose_cnt))

    k1 = core_idx[rng.integers(0, len(core_idx), size=n)]
    k2 = core_idx[rng.integers(0, len(core_idx), size=n)]
    lc = rng.choice(len(_LATIN_CORES), size=n, p=_LATIN_CORE_W)
    lc2 = np.where(rng.random(n) < 0.5, rng.integers(0, len(LATIN_CORE2), size=n), len(LATIN_CORE2))
    k3 = np.full(n, len(chars), dtype=np.int64)           # tie-break character (zh)
    lt = np.full(n, len(_LATIN_TIEBREAK), dtype=np.int64)  # tie-break word (Latin)
    fixed = pl.DataFrame({
        "latin": latin, "city_zh": take(_place_city_alt, place),
        "zh_ind": take([x[0] for x in INDUSTRIES], ind), "lat_ind": take([x[2] for x in INDUSTRIES], ind),
        "zh_suffix": zh_suffix, "lat_suffix": take(_LAT_SUFFIXES, lsuf), "co_loose": loose,
    })
    core2 = [" " + x for x in LATIN_CORE2] + [""]
    tie = [" " + x for x in _LATIN_TIEBREAK] + [""]

    def build() -> pl.DataFrame:
        frame = fixed.with_columns(
            pl.concat_str([take(chars_b, k1), take(chars_b, k2), take(chars_b, k3)]).alias("zh_core"),
            pl.concat_str([take(pinyin_b, k1), take(pinyin_b, k2), take(pinyin_b, k3)]).alias("zh_core_py"),
            pl.concat_str([take(_LATIN_CORES, lc), take(tie, lt), take(core2, lc2)]).alias("lat_core"),
        )
        return frame.select(
            pl.when("latin").then(pl.lit("")).otherwise("city_zh").alias("co_city"),
            pl.when("latin").then("lat_core").otherwise("zh_core").alias("co_core"),
            pl.when("latin").then("lat_ind").otherwise("zh_ind").alias("co_ind"),
            pl.when("latin").then("lat_suffix").otherwise("zh_suffix").alias("co_suffix"),
            pl.col("co_loose"),
            pl.when("latin").then(pl.col("lat_core").str.to_lowercase().str.replace_all(r"[^a-z]", ""))
            .otherwise("zh_core_py").alias("core_ascii"),
        )

    parts = build()
    official = render_company_names(parts, latin, np.zeros(n, dtype=np.int64))
    for round_ in range(30 if unique else 0):
        d = np.flatnonzero((~official.is_first_distinct()).to_numpy())
        if not len(d):
            break
        k1[d] = core_idx[rng.integers(0, len(core_idx), size=len(d))]
        k2[d] = core_idx[rng.integers(0, len(core_idx), size=len(d))]
        lc[d] = rng.choice(len(_LATIN_CORES), size=len(d), p=_LATIN_CORE_W)
        if round_ >= 2:
            k3[d] = core_idx[rng.integers(0, len(core_idx), size=len(d))]
            lt[d] = rng.integers(0, len(_LATIN_TIEBREAK), size=len(d))
        parts = build()
        official = render_company_names(parts, latin, np.zeros(n, dtype=np.int64))

    size = rng.choice(len(COMPANY_SIZES), size=n, p=COMPANY_SIZE_W)
    capital_flat, capital_off, _ = flatten(CAPITAL_BY_SIZE)
    capital = take(capital_flat, capital_off[size] + rng.integers(0, 4, size=n))
    return parts.with_columns(
        official.alias("company_name"),
        pl.Series("industry_i", ind),
        take([x[1] for x in INDUSTRIES], ind, "industry"),
        take(COMPANY_SIZES, size, "company_size"),
        pl.concat_str([capital, pl.lit("人民币")]).alias("registered_capital"),
    )


def company_domains(rng: np.random.Generator, parts: pl.DataFrame, country: np.ndarray,
                    city_py: pl.Series) -> pl.Series:
    """Web domains, distinct per company (the same core in two cities gets two domains).

    country: integer codes 0..3 for CN, US, GB, AU.
    """
    n = parts.height
    ind = parts["industry_i"].to_numpy()
    zh_tld = take((".com", ".cn", ".com.cn"), rng.choice(3, size=n, p=(0.5, 0.25, 0.25)))
    lat_tld = take((".com", ".com", ".co.uk", ".com.au"), country)
    frame = parts.select("core_ascii").with_columns(
        pl.Series("cn", country == 0), take(_DOMAIN_WORD, ind, "w"), zh_tld.alias("zt"),
        lat_tld.alias("lt"), city_py.str.to_lowercase().str.replace_all(r"[^a-z]", "").alias("cp"),
    )
    base = frame.select(
        pl.when("cn").then(pl.concat_str(["core_ascii", "w", "zt"]))
        .otherwise(pl.concat_str(["core_ascii", "lt"])).alias("d")
    ).to_series()
    dup = (~base.is_first_distinct()).to_numpy()
    alt = frame.select(
        pl.when("cn").then(pl.concat_str(["cp", "core_ascii", "w", "zt"]))
        .otherwise(pl.concat_str(["core_ascii", "w", "lt"])).alias("d")
    ).to_series()
    dom = pl.select(pl.when(pl.Series(dup)).then(alt).otherwise(base)).to_series()
    # remaining clashes: digits before the first dot
    return unique_suffix(dom, rng, sep_at=".")

"""Noise: how a clean value turns into what a source actually holds.

Each source renders its record copies field by field through the functions
here. Every distortion is drawn independently per record copy with its own
rate from `NoiseRates`, applied with vectorized expressions, and logged (source,
record, canonical field, kind) so truth/noise.parquet says exactly what was
done. Eligible counts are kept too, so observed rates can be checked against
the configured ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
import polars as pl

from . import phones
from .companies import N_LATIN_VARIANTS, N_ZH_VARIANTS, render_company_names
from .names import DOMAIN_TYPOS, HONORIFIC_LATIN, HONORIFIC_ZH, ZH_SIMILAR, zh_char_pool
from .places import PLACES
from .textops import capitalize, fullwidth, piecewise, take


@dataclass(frozen=True)
class NoiseRates:
    """Per-record-copy probability of each distortion (per eligible field)."""

    typo: float = 0.05               # a character wrong in a name
    swap_names: float = 0.03         # 'Smith John'; Chinese names as given-first pinyin
    pinyin: float = 0.08             # Chinese name romanized ('Wang Wei', 'WANG Wei')
    honorific: float = 0.05          # 王先生, Mrs Mary Johnson
    fullwidth_digits: float = 0.04   # １３８... in phones and IDs
    phone_format: float = 0.5        # +86 138 0013 8000, (415) 555-0123, ...
    landline: float = 0.05           # a person's landline given where the mobile belongs
    email_case: float = 0.10
    email_domain_typo: float = 0.04  # gmial.com, 163.con
    date_format: float = 0.6         # 2024/1/5, 05-01-2024, 2024年1月5日, Excel serial ...
    missing: float = 0.10            # per optional field
    moved_address: float = 0.10      # the record keeps the previous address
    changed_phone: float = 0.10      # the record keeps the previous phone
    company_variant: float = 0.5     # 星辰科技(北京)有限公司, ACME LIMITED
    province_format: float = 0.4     # 广东 / Guangdong instead of 广东省
    city_format: float = 0.3         # 广州 / Guangzhou instead of 广州市
    id_typo: float = 0.02            # two adjacent ID digits transposed

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class NoiseLog:
    """Collected applications of noise, keyed by record id."""

    parts: list[pl.DataFrame] = field(default_factory=list)
    eligible: Counter = field(default_factory=Counter)
    applied: Counter = field(default_factory=Counter)

    def add(self, source: str, fld: str, kind: str, ids: pl.Series, mask: np.ndarray,
            eligible: np.ndarray | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        n_elig = int(len(mask) if eligible is None else np.asarray(eligible, dtype=bool).sum())
        key = f"{source}|{fld}|{kind}"
        self.eligible[key] += n_elig
        hit = np.flatnonzero(mask)
        self.applied[key] += len(hit)
        if len(hit):
            self.parts.append(pl.DataFrame({"record_id": ids.gather(hit).cast(pl.String)}).with_columns(
                pl.lit(source).alias("source"), pl.lit(fld).alias("field"), pl.lit(kind).alias("noise")))

    def extend(self, other: pl.DataFrame, source: str, counts: dict[str, tuple[int, int]]) -> None:
        """Add rows already keyed by record id (noise expanded to many records)."""
        if other.height:
            self.parts.append(other.select("record_id", "field", "noise").with_columns(
                pl.lit(source).alias("source")))
        for key, (elig, hit) in counts.items():
            self.eligible[key] += elig
            self.applied[key] += hit

    def frame(self) -> pl.DataFrame:
        cols = ["source", "record_id", "field", "noise"]
        if not self.parts:
            return pl.DataFrame({c: [] for c in cols}, schema={c: pl.String for c in cols})
        return pl.concat([p.select(cols) for p in self.parts])


class Copies:
    """Record copies of one source: entity columns gathered per record plus its id.

    Renderers draw masks through `draw` so each (field, kind) gets its own
    Bernoulli draw, logged against the record ids.
    """

    def __init__(self, source: str, df: pl.DataFrame, ids: pl.Series, rng: np.random.Generator,
                 rates: NoiseRates, log: NoiseLog):
        self.source, self.df, self.ids, self.rng, self.rates, self.log = source, df, ids, rng, rates, log
        self.n = df.height

    def col(self, name: str) -> np.ndarray:
        return self.df[name].to_numpy()

    def draw(self, fld: str, kind: str, rate: float, eligible: np.ndarray) -> np.ndarray:
        eligible = np.asarray(eligible, dtype=bool)
        mask = eligible & (self.rng.random(self.n) < rate)
        self.log.add(self.source, fld, kind, self.ids, mask, eligible)
        return mask

    def missing(self, values: pl.Series, fld: str) -> pl.Series:
        """Blank out an optional field at the `missing` rate."""
        m = self.draw(fld, "missing", self.rates.missing, values.is_not_null().to_numpy())
        return pl.select(pl.when(pl.Series(m)).then(None).otherwise(values)).to_series().alias(values.name)


def _when(mask: np.ndarray, then, otherwise) -> pl.Series:
    return pl.select(pl.when(pl.Series(np.asarray(mask, dtype=bool))).then(then).otherwise(otherwise)).to_series()


# --- typos -------------------------------------------------------------------

def ascii_typo(rng: np.random.Generator, s: pl.Series) -> pl.Series:
    """Swap, drop, double or replace one inner letter; always changes the string."""
    n = len(s)
    frame = pl.DataFrame({"s": s, "u": rng.random(n), "op": rng.integers(0, 4, size=n),
                          "r": take(list("abcdefghijklmnopqrstuvwxyz"), rng.integers(0, 26, size=n))})
    L = pl.col("s").str.len_chars().cast(pl.Int64)
    k0 = pl.when(L >= 3).then(1 + (pl.col("u") * (L - 2)).floor().cast(pl.Int64)).otherwise(0)
    # typos hit letters: step back off a space or punctuation
    is_letter = pl.col("s").str.slice(k0, 1).str.contains("^[A-Za-z]$")
    k = pl.when(is_letter).then(k0).otherwise((k0 - 1).clip(lower_bound=0))
    frame = frame.with_columns(k.alias("k"))
    k = pl.col("k")
    a, b = pl.col("s").str.slice(k, 1), pl.col("s").str.slice(k + 1, 1)
    head, tail1, tail2 = pl.col("s").str.slice(0, k), pl.col("s").str.slice(k + 1), pl.col("s").str.slice(k + 2)
    swapped = pl.concat_str([head, b, a, tail2])
    dropped = pl.concat_str([head, tail1])
    doubled = pl.concat_str([head, a, a, tail1])
    replaced = pl.concat_str([head, pl.when(pl.col("r") == a.str.to_lowercase()).then(pl.lit("x"))
                              .otherwise(pl.col("r")), tail1])
    out = frame.select(
        pl.when(pl.col("op") == 0)
        .then(pl.when((a == b) | ~b.str.contains("^[A-Za-z]$")).then(dropped).otherwise(swapped))
        .when(pl.col("op") == 1).then(dropped)
        .when(pl.col("op") == 2).then(doubled)
        .otherwise(replaced).alias(s.name)
    ).to_series()
    return _when(out == s, pl.concat_str([s, pl.lit("e")]), out)


def zh_typo(rng: np.random.Generator, s: pl.Series, start: np.ndarray) -> pl.Series:
    """Replace one character at or after `start` by a look-/sound-alike."""
    chars, _, _ = zh_char_pool()
    n = len(s)
    frame = pl.DataFrame({"s": s, "u": rng.random(n), "st": np.asarray(start, dtype=np.int64),
                          "rand": take(chars, rng.integers(0, len(chars), size=n))})
    L = pl.col("s").str.len_chars()
    k = pl.col("st") + (pl.col("u") * (L - pl.col("st")).clip(lower_bound=1)).floor().cast(pl.Int64)
    c = pl.col("s").str.slice(k, 1)
    rep = c.replace_strict(ZH_SIMILAR, default=pl.col("rand"), return_dtype=pl.String)
    rep = pl.when(rep == c).then(pl.lit("玮")).otherwise(rep)
    rep = pl.when(rep == c).then(pl.lit("伟")).otherwise(rep)
    return frame.select(pl.concat_str([pl.col("s").str.slice(0, k), rep, pl.col("s").str.slice(k + 1)])
                        .alias(s.name)).to_series()


# --- names -------------------------------------------------------------------

def person_names(c: Copies) -> pl.Series:
    """Render person names with pinyin, swapped order, typos and honorifics."""
    r, d = c.rates, c.df
    person = ~c.col("is_company")
    latin = c.col("latin")
    zh, la = person & ~latin, person & latin
    sw = c.draw("full_name", "swap_names", r.swap_names, person)
    # a Chinese name written given-first is necessarily romanized: swap implies pinyin
    py = c.draw("full_name", "pinyin", r.pinyin, zh) | (zh & sw)
    style = c.rng.integers(0, 5, size=c.n)
    f, g = pl.col("family_name"), pl.col("given_name")
    fp, gp = pl.col("family_py"), pl.col("given_py")
    frame = d.select("family_name", "given_name", "family_py", "given_py").with_columns(
        pl.Series("style", style), pl.Series("zh", zh), pl.Series("py", py), pl.Series("sw", sw))
    pinyin_fwd = (pl.when(pl.col("style") == 0).then(pl.concat_str([fp, pl.lit(" "), gp]))
                  .when(pl.col("style") == 1).then(pl.concat_str([fp.str.to_uppercase(), pl.lit(" "), gp]))
                  .when(pl.col("style") == 2).then(pl.concat_str([fp, pl.lit(" "), gp]).str.to_lowercase())
                  .when(pl.col("style") == 3).then(pl.concat_str([fp, pl.lit(" "), gp]).str.to_uppercase())
                  .otherwise(pl.concat_str([fp, gp.str.to_lowercase()])))
    pinyin_rev = (pl.when(pl.col("style") % 3 == 0).then(pl.concat_str([gp, pl.lit(" "), fp]))
                  .when(pl.col("style") % 3 == 1).then(pl.concat_str([gp, pl.lit(" "), fp.str.to_uppercase()]))
                  .otherwise(pl.concat_str([gp, pl.lit(" "), fp]).str.to_lowercase()))
    latin_rev = (pl.when(pl.col("style") % 3 == 0).then(pl.concat_str([f, pl.lit(" "), g]))
                 .when(pl.col("style") % 3 == 1).then(pl.concat_str([f, pl.lit(", "), g]))
                 .otherwise(pl.concat_str([f.str.to_uppercase(), pl.lit(" "), g])))
    name = frame.select(
        pl.when("zh").then(
            pl.when("py").then(pl.when("sw").then(pinyin_rev).otherwise(pinyin_fwd))
            .otherwise(pl.concat_str([f, g])))
        .otherwise(pl.when("sw").then(latin_rev).otherwise(pl.concat_str([g, pl.lit(" "), f])))
        .alias("name")
    ).to_series()

    cjk = zh & ~py
    ty = c.draw("full_name", "typo", r.typo, person)
    if ty.any():
        idx = np.flatnonzero(ty)
        sub = name.gather(idx)
        fam_len = d["family_name"].gather(idx).str.len_chars().to_numpy()
        typo_zh = zh_typo(c.rng, sub, fam_len)
        typo_la = ascii_typo(c.rng, sub)
        name = name.scatter(idx, _when(cjk[idx], typo_zh, typo_la))

    ho = c.draw("full_name", "honorific", r.honorific, person)
    if ho.any():
        idx = np.flatnonzero(ho)
        male = (d["gender"].gather(idx) == "M").to_numpy()
        zh_title = take((HONORIFIC_ZH["F"], HONORIFIC_ZH["M"]), male.astype(np.int64))
        lat_titles = list(HONORIFIC_LATIN["F"]) + list(HONORIFIC_LATIN["M"])
        nf = len(HONORIFIC_LATIN["F"])
        pick = np.where(male, nf + c.rng.integers(0, len(HONORIFIC_LATIN["M"]), size=len(idx)),
                        c.rng.integers(0, nf, size=len(idx)))
        lat_title = take(lat_titles, pick)
        sub = name.gather(idx)
        fam = d["family_name"].gather(idx)
        family_only = cjk[idx] & ~ty[idx] & (c.rng.random(len(idx)) < 0.6)
        out = pl.select(
            pl.when(pl.Series(family_only)).then(pl.concat_str([fam, zh_title]))
            .when(pl.Series(cjk[idx])).then(pl.concat_str([sub, zh_title]))
            .otherwise(pl.concat_str([lat_title, pl.lit(" "), sub]))
        ).to_series()
        name = name.scatter(idx, out)
    return _when(person, name, None).alias("name")


def company_names(c: Copies, fld: str = "company_name") -> pl.Series:
    """Official name, or one of the loose spellings; sometimes with a typo."""
    r = c.rates
    company = c.col("is_company")
    latin = c.col("latin")
    var = c.draw(fld, "company_variant", r.company_variant, company)
    n_var = np.where(latin, N_LATIN_VARIANTS, N_ZH_VARIANTS)
    variant = np.where(var, 1 + np.floor(c.rng.random(c.n) * n_var).astype(np.int64), 0)
    ty = c.draw(fld, "typo", r.typo, company)
    parts = c.df.select("co_city", "co_core", "co_ind", "co_suffix", "co_loose")
    zh_ty = np.flatnonzero(ty & ~latin)
    if len(zh_ty):
        core = parts["co_core"].gather(zh_ty)
        parts = parts.with_columns(parts["co_core"].scatter(zh_ty, zh_typo(c.rng, core, np.zeros(len(zh_ty)))))
    name = render_company_names(parts, latin, variant)
    la_ty = np.flatnonzero(ty & latin)
    if len(la_ty):
        name = name.scatter(la_ty, ascii_typo(c.rng, name.gather(la_ty)))
    return _when(company, name, None).alias("company")


# --- phones ------------------------------------------------------------------

def phone_numbers(c: Copies, fld: str, kind: np.ndarray, nsn: pl.Series, *,
                  old_kind: np.ndarray | None = None, old_nsn: pl.Series | None = None,
                  changed_ok: np.ndarray | None = None,
                  land_kind: np.ndarray | None = None, land_nsn: pl.Series | None = None,
                  land_ok: np.ndarray | None = None, optional: bool = True) -> pl.Series:
    """Pick which number the record shows, then spell it the way this record does."""
    r = c.rates
    kind = np.asarray(kind, dtype=np.int64).copy()
    present = nsn.is_not_null().to_numpy()
    if optional:  # blanked first, so every other noise logged stays visible in the data
        gone = c.draw(fld, "missing", r.missing, present)
        nsn = _when(gone, None, nsn)
        present &= ~gone
    if old_nsn is not None:
        ch = c.draw(fld, "changed_phone", r.changed_phone, present & changed_ok)
        nsn = _when(ch, old_nsn, nsn)
        kind = np.where(ch, old_kind, kind)
    else:
        ch = np.zeros(c.n, dtype=bool)
    if land_nsn is not None:
        ok = present & land_ok & land_nsn.is_not_null().to_numpy() & ~ch
        ll = c.draw(fld, "landline", r.landline, ok)
        nsn = _when(ll, land_nsn, nsn)
        kind = np.where(ll, land_kind, kind)
    fmt = c.draw(fld, "phone_format", r.phone_format, present)
    variant = np.where(fmt, phones.random_variant(c.rng, kind), 0)
    text = phones.format_phones(kind, nsn, variant)
    fw = c.draw(fld, "fullwidth_digits", r.fullwidth_digits, present)
    text = _when(fw, fullwidth(pl.lit(text)), text) if fw.any() else text
    return text.alias(fld)


# --- e-mail ------------------------------------------------------------------

def emails(c: Copies, values: pl.Series | None = None, optional: bool = True) -> pl.Series:
    r = c.rates
    email = c.df["email"] if values is None else values
    if optional:
        email = c.missing(email.alias("email"), "email")
    present = email.is_not_null().to_numpy()
    typo = c.draw("email", "email_domain_typo", r.email_domain_typo, present)
    if typo.any():
        idx = np.flatnonzero(typo)
        sub = email.gather(idx)
        frame = pl.DataFrame({"e": sub}).with_columns(
            pl.col("e").str.splitn("@", 2).struct.field("field_0").alias("l"),
            pl.col("e").str.splitn("@", 2).struct.field("field_1").alias("d"))
        generic = (pl.when(pl.col("d").str.contains(r"\.com")).then(pl.col("d").str.replace(r"\.com", ".con"))
                   .when(pl.col("d").str.contains(r"\.net")).then(pl.col("d").str.replace(r"\.net", ".ent"))
                   .when(pl.col("d").str.contains(r"\.cn")).then(pl.col("d").str.replace(r"\.cn", ".cm"))
                   .otherwise(pl.concat_str([pl.col("d"), pl.lit("m")])))
        dom = pl.col("d").replace_strict(DOMAIN_TYPOS, default=generic, return_dtype=pl.String)
        email = email.scatter(idx, frame.select(pl.concat_str(["l", pl.lit("@"), dom])).to_series())
    case = c.draw("email", "email_case", r.email_case, present)
    if case.any():
        idx = np.flatnonzero(case)
        sub = email.gather(idx)
        upper = c.rng.random(len(idx)) < 0.5
        email = email.scatter(idx, _when(upper, sub.str.to_uppercase(),
                                         pl.select(capitalize(pl.lit(sub))).to_series()))
    return email.alias("email")


# --- dates, gender, ids -------------------------------------------------------

_DATE_FORMATS = {
    0: pl.col("d").dt.strftime("%Y-%m-%d"),
    1: pl.col("d").dt.strftime("%Y/%-m/%-d"),
    2: pl.col("d").dt.strftime("%d-%m-%Y"),
    3: pl.col("d").dt.strftime("%m/%d/%Y"),
    4: pl.col("d").dt.strftime("%Y年%-m月%-d日"),
    5: pl.col("d").dt.strftime("%Y%m%d"),
    6: (pl.col("d") - pl.date(1899, 12, 30)).dt.total_days().cast(pl.String),
}


def dates(c: Copies, values: pl.Series, fld: str = "birth_date", optional: bool = True) -> pl.Series:
    if optional:
        values = c.missing(values, fld)
    present = values.is_not_null().to_numpy()
    fmt = c.draw(fld, "date_format", c.rates.date_format, present)
    variant = np.where(fmt, 1 + np.floor(c.rng.random(c.n) * (len(_DATE_FORMATS) - 1)).astype(np.int64), 0)
    return piecewise(pl.DataFrame({"d": values}), np.where(present, variant, -1), _DATE_FORMATS, fld)


def genders(c: Copies, labels: tuple[str, str]) -> pl.Series:
    """labels: (female, male) as this source writes them."""
    g = c.df["gender"]
    text = pl.select(pl.when(g == "F").then(pl.lit(labels[0])).when(g == "M").then(pl.lit(labels[1]))).to_series()
    return c.missing(text.alias("gender"), "gender")


def id_numbers(c: Copies, values: pl.Series, persons_only: bool = False) -> pl.Series:
    values = c.missing(values.alias("id_number"), "id_number")
    present = values.is_not_null().to_numpy()
    eligible = present & (~c.col("is_company") if persons_only else True)
    ty = c.draw("id_number", "typo", c.rates.id_typo, eligible)
    if ty.any():
        idx = np.flatnonzero(ty)
        sub = values.gather(idx)
        k = c.rng.integers(6, 16, size=len(idx))
        frame = pl.DataFrame({"s": sub, "k": k})
        a = pl.col("s").str.slice(pl.col("k"), 1)
        b = pl.col("s").str.slice(pl.col("k") + 1, 1)
        b2 = pl.when(a == b).then(pl.when(a == "0").then(pl.lit("1")).otherwise(pl.lit("0"))).otherwise(b)
        swapped = pl.concat_str([pl.col("s").str.slice(0, pl.col("k")), b2, a, pl.col("s").str.slice(pl.col("k") + 2)])
        values = values.scatter(idx, frame.select(swapped).to_series())
    fw = c.draw("id_number", "fullwidth_digits", c.rates.fullwidth_digits, present)
    if fw.any():
        values = _when(fw, fullwidth(pl.lit(values)), values)
    return values.alias("id_number")


# --- addresses ---------------------------------------------------------------

_P_PROV = [p.province for p in PLACES]
_P_PROV_ALT = [p.province_alt for p in PLACES]
_P_PROV_PY = [p.province_py for p in PLACES]
_P_CITY = [p.city for p in PLACES]
_P_CITY_ALT = [p.city_alt for p in PLACES]
_P_CITY_PY = [p.city_py for p in PLACES]
_P_HAS_PROV_ALT = np.array([p.province != p.province_alt for p in PLACES])
_P_IS_CN = np.array([p.country == "CN" for p in PLACES])


def addresses(c: Copies) -> pl.DataFrame:
    """province, city, district, street, street_no, postcode as this record has them.

    province_plain / city_plain are the canonical names of the same place, for
    sources that write one free-text address line (which people write in Chinese
    even when a form field got the pinyin).
    """
    r = c.rates
    gone = c.draw("address_line1", "missing", r.missing, np.ones(c.n, dtype=bool))
    mv = c.draw("address_line1", "moved_address", r.moved_address, ~gone)
    d = c.df
    place = np.where(mv, c.col("old_place"), c.col("place"))
    pick = lambda cur, old: _when(mv, d[old], d[cur])  # noqa: E731
    prov_style = c.draw("province", "province_format", r.province_format, _P_HAS_PROV_ALT[place])
    py_style = prov_style & _P_IS_CN[place] & (c.rng.random(c.n) < 0.25)
    frame = pl.DataFrame({"p": take(_P_PROV, place), "pa": take(_P_PROV_ALT, place), "pp": take(_P_PROV_PY, place),
                          "c": take(_P_CITY, place), "ca": take(_P_CITY_ALT, place), "cp": take(_P_CITY_PY, place)})
    city_style = c.draw("city", "city_format", r.city_format, np.ones(c.n, dtype=bool))
    city_py = city_style & _P_IS_CN[place] & (c.rng.random(c.n) < 0.25)
    out = frame.select(
        pl.when(pl.Series(py_style)).then("pp").when(pl.Series(prov_style)).then("pa").otherwise("p").alias("province"),
        pl.when(pl.Series(city_py)).then("cp")
        .when(pl.Series(city_style & _P_IS_CN[place])).then("ca")
        .when(pl.Series(city_style)).then(pl.col("c").str.to_uppercase())
        .otherwise("c").alias("city"),
    )
    street = pick("street", "old_street")
    street_no = pick("street_no", "old_street_no")
    return out.with_columns(
        frame["p"].alias("province_plain"), frame["c"].alias("city_plain"),
        pick("district", "old_district").alias("district"),
        _when(gone, None, street).alias("street"),
        _when(gone, None, street_no).alias("street_no"),
        c.missing(pick("postcode", "old_postcode").alias("postcode"), "postcode"),
    )

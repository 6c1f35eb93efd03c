"""Countries, provinces, cities, postcodes and address lines, each to one canonical spelling.

Canonical forms:
- country: ISO 3166-1 alpha-2 ("CN").
- province: for CN the official full name ("广东省", "北京市", "广西壮族自治区", "香港特别行政区");
  for US, AU and CA the ISO 3166-2 subdivision code ("CA", "NSW", "ON"); for GB the nation's ISO 3166-2 code
  ("ENG", "SCT", "WLS", "NIR"). `code` is always the full ISO 3166-2 code ("CN-GD", "US-CA") and, for CN,
  `gb_code` the GB/T 2260 province prefix ("44", the first two digits of a resident ID). Countries without
  a table keep the cleaned text.
- city: for CN the Chinese name without a trailing 市 ("广州"), pinyin spellings of major cities mapped to it;
  elsewhere title case ("San Francisco").
- postcode: CN six digits, US "94105" or "94105-1234", GB "SW1A 1AA", AU four digits, CA "K1A 0B1";
  other countries upper-cased as given.
Values in placeholder form ("N/A", "未知", "-") count as missing, not as errors.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from assets.standardize.reference import countries as country_ref
from assets.standardize.reference import regions as region_ref
from assets.standardize.distinct import on_distinct
from assets.standardize.reference.text import ascii_fold, blank_to_null, clean_text, issue_from

COUNTRY_STRUCT = pl.Struct({"value": pl.String, "issue": pl.String})
PROVINCE_STRUCT = pl.Struct({"value": pl.String, "code": pl.String, "gb_code": pl.String, "issue": pl.String})
CITY_STRUCT = pl.Struct({"value": pl.String, "issue": pl.String})
POSTCODE_STRUCT = pl.Struct({"value": pl.String, "issue": pl.String})
ADDRESS_STRUCT = pl.Struct({"value": pl.String, "key": pl.String, "issue": pl.String})

_MISSING_WORDS = (
    r"n/a|n\.a\.?|none|null|nil|nan|unknown|unk|not applicable|-+|\?+|/+|\.+|0|无|未知|不详|暂无|空|其他|其它|未填写?|—+"
)
MISSING_RE = rf"(?i)^(?:na|{_MISSING_WORDS})$"
# For countries a bare "NA" is Namibia's ISO code, so it cannot also mean "not available".
_COUNTRY_MISSING_RE = rf"(?i)^(?:{_MISSING_WORDS})$"
_PROVINCE_WORDS = (
    r"(?-u:\b)(?:province|prov|state|municipality|city|autonomous region|special administrative region|sar|region|"
    r"territory|shi|sheng|zizhiqu)(?-u:\b)"
)
_CN_SUFFIX = r"(?:特别行政区|特別行政區|维吾尔族?自治区|壮族自治区|回族自治区|自治区|自治區|省|市)$"
_CA_POSTCODE = r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$"
_GB_POSTCODE = (
    r"^(?:GIR 0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) "
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def _present(expr: pl.Expr, missing: str = MISSING_RE) -> pl.Expr:
    """Cleaned text, with placeholder spellings of 'missing' turned into null."""
    return blank_to_null(clean_text(expr).str.replace(missing, ""))


def _split(block: str) -> list[str]:
    return [row.strip() for row in block.replace("\n", "|").split("|") if row.strip()]


def _key(expr: pl.Expr) -> pl.Expr:
    """Matching key for place names: lower-case letters only, so "U.S.A." meets "usa" and "广东 省" meets "广东省"."""
    return ascii_fold(expr).str.replace(r"^the\s+", "").str.replace_all(r"[^\p{L}]", "")


def _keys(values: list[str]) -> list[str]:
    return pl.select(_key(pl.lit(pl.Series(values, dtype=pl.String)))).to_series().to_list()


@cache
def _country_aliases() -> dict[str, str]:
    aliases: list[tuple[str, str]] = []
    for row in _split(country_ref.ISO_3166):
        alpha2, alpha3, name = row.split(" ", 2)
        aliases += [(alpha2, alpha2), (alpha3, alpha2), (name, alpha2)]
    for alpha2, names in country_ref.ALIASES.items():
        aliases += [(name, alpha2) for name in names.split("|")]
    table: dict[str, str] = {}
    for key, (_, alpha2) in zip(_keys([a for a, _ in aliases]), aliases):
        table.setdefault(key, alpha2)
    return table


def _country_code(expr: pl.Expr | str | None) -> pl.Expr:
    """ISO alpha-2 of a country argument (a column or a literal such as "CN" or "中国"); null if unknown."""
    expr = pl.lit(expr, pl.String) if expr is None or isinstance(expr, str) else expr
    return _key(_present(expr, _COUNTRY_MISSING_RE)).replace_strict(_country_aliases(), default=None, return_dtype=pl.String)


def standardize_country(expr: pl.Expr, default: str | None = None) -> pl.Expr:
    """ISO 3166-1 alpha-2 from codes, English or Chinese names; missing input takes `default`."""
    fallback = None
    if default is not None:
        fallback = _country_aliases().get(_keys([default])[0])
        if fallback is None:
            raise ValueError(f"standardize_country: default {default!r} is not a known country")

    def compute(values: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"text": values}).with_columns(text=_present(pl.col("text"), _COUNTRY_MISSING_RE))
        code = pl.when(~pl.col("text").str.contains(r"\d")).then(
            _key(pl.col("text")).replace_strict(_country_aliases(), default=None, return_dtype=pl.String)
        )
        return frame.select(
            pl.struct(
                value=pl.when(pl.col("text").is_null()).then(pl.lit(fallback, pl.String)).otherwise(code),
                issue=issue_from((pl.col("text").is_not_null() & code.is_null(), "unknown_country")),
            )
        ).to_series()

    return on_distinct(expr.cast(pl.String), compute, COUNTRY_STRUCT)


@cache
def _province_table() -> pl.DataFrame:
    rows: list[tuple[str, str, str, str, str | None]] = []  # country, alias, value, code, gb
    for line in region_ref.CN_PROVINCES.strip().splitlines():
        gb, iso, full, aliases = line.split(" ", 3)
        for alias in [full, iso, *aliases.split("|")]:
            rows.append(("CN", alias, full, f"CN-{iso}", gb))
    for country, block, extra in (
        ("US", region_ref.US_STATES, region_ref.US_ALIASES),
        ("AU", region_ref.AU_STATES, region_ref.AU_ALIASES),
        ("GB", region_ref.GB_NATIONS, region_ref.GB_ALIASES),
        ("CA", region_ref.CA_PROVINCES, region_ref.CA_ALIASES),
    ):
        for row in _split(block):
            code, name = row.split(" ", 1)
            for alias in [code, name, *extra.get(code, "").split("|")]:
                if alias:
                    rows.append((country, alias, code, f"{country}-{code}", None))
    frame = pl.DataFrame(rows, schema=["country", "alias", "value", "code", "gb_code"], orient="row")
    return (
        frame.with_columns(key=_key(_strip_division_words(pl.col("alias"))))
        .unique(["country", "key"], keep="first", maintain_order=True)
        .drop("alias")
    )


@cache
def _cn_cities() -> pl.DataFrame:
    rows = []
    for line in region_ref.CN_CITIES.strip().splitlines():
        name, gb, spellings = line.split(" ", 2)
        rows += [(alias, name, gb) for alias in [name, *spellings.split("|")]]
    frame = pl.DataFrame(rows, schema=["alias", "city", "gb_code"], orient="row")
    return (
        frame.with_columns(key=_key(_strip_city_words(pl.col("alias"))))
        .unique("key", keep="first", maintain_order=True)
        .drop("alias")
    )


@cache
def _cn_province_prefix() -> str:
    """Regex alternation of the Chinese spellings (two characters or more) of every province, longest first."""
    names = {
        alias
        for line in region_ref.CN_PROVINCES.strip().splitlines()
        for alias in line.split(" ", 3)[3].split("|")
        if len(alias) >= 2 and not alias.isascii()
    }
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _strip_division_words(expr: pl.Expr) -> pl.Expr:
    text = expr.str.to_lowercase().str.replace(r"^(?:中国|中華人民共和國|中华人民共和国)\s*", "")
    return text.str.replace(_CN_SUFFIX, "").str.replace_all(_PROVINCE_WORDS, " ")


def _strip_city_words(expr: pl.Expr) -> pl.Expr:
    lowered = expr.str.to_lowercase().str.replace_all(r"(?-u:\b)(?:city|shi|municipality)(?-u:\b)", " ")
    return lowered.str.replace(r"^(.{2,})市$", "${1}")


def _title_if_single_case(expr: pl.Expr) -> pl.Expr:
    """Title-case text typed all upper or all lower; leave deliberate mixed case ("McAllen") alone."""
    single_case = (expr == expr.str.to_lowercase()) | (expr == expr.str.to_uppercase())
    return pl.when(single_case).then(expr.str.to_titlecase()).otherwise(expr)


def _inputs(expr: pl.Expr, country: pl.Expr | str | None) -> pl.Expr:
    """Text and raw country side by side; the country is resolved per distinct pair, not per row."""
    country = pl.lit(country, pl.String) if country is None or isinstance(country, str) else country.cast(pl.String)
    return pl.struct(text=expr.cast(pl.String), country=country)


def _unpack(values: pl.Series) -> pl.DataFrame:
    frame = values.struct.unnest()
    countries = frame.select(pl.col("country").unique()).with_columns(iso=_country_code(pl.col("country")))
    return (
        frame.join(countries, on="country", how="left", nulls_equal=True, maintain_order="left")
        .with_columns(text=_present(pl.col("text")), country=pl.col("iso"))
        .drop("iso")
    )


def standardize_province(expr: pl.Expr, country: pl.Expr | str = "CN") -> pl.Expr:
    """Province/state to its canonical spelling for the row's country (see module docstring).
    A null country tries CN, US, AU, GB and CA in that order; a known Chinese city written where the
    province belongs gives its province (issue `province_from_city`)."""

    def compute(values: pl.Series) -> pl.Series:
        frame = _unpack(values).with_row_index("row")
        frame = frame.with_columns(key=_key(_strip_division_words(pl.col("text"))))
        table = _province_table()
        exact = frame.join(table, on=["country", "key"], how="left")
        any_country = (
            frame.filter(pl.col("country").is_null())
            .join(table.drop("country").unique("key", keep="first", maintain_order=True), on="key", how="inner")
        )
        prefix_key = _key(pl.col("text").str.extract(rf"^(?:中国)?({_cn_province_prefix()})"))
        cn_rows = pl.col("country").is_null() | (pl.col("country") == "CN")
        by_prefix = frame.filter(cn_rows).with_columns(key=prefix_key).join(
            table.filter(pl.col("country") == "CN").drop("country"), on="key", how="inner"
        )
        cities = _cn_cities().join(
            table.filter(pl.col("country") == "CN").select("value", "code", "gb_code").unique("gb_code"), on="gb_code"
        )
        by_city = frame.filter(cn_rows).with_columns(key=_key(_strip_city_words(pl.col("text")))).join(
            cities.select("key", "value", "code", "gb_code"), on="key", how="inner"
        )
        found = (
            pl.concat(
                [
                    exact.filter(pl.col("value").is_not_null()).select("row", "value", "code", "gb_code", rank=pl.lit(0)),
                    any_country.select("row", "value", "code", "gb_code", rank=pl.lit(1)),
                    by_prefix.select("row", "value", "code", "gb_code", rank=pl.lit(2)),
                    by_city.select("row", "value", "code", "gb_code", rank=pl.lit(3)),
                ]
            )
            .sort("row", "rank")
            .unique("row", keep="first")
        )
        known_country = pl.col("country").is_in(["CN", "US", "AU", "GB", "CA"]) | pl.col("country").is_null()
        result = frame.join(found, on="row", how="left").sort("row").with_columns(
            value=pl.when(pl.col("text").is_null()).then(None)
            .when(pl.col("value").is_not_null()).then(pl.col("value"))
            .when(~known_country).then(_title_if_single_case(pl.col("text")))
        )
        return result.select(
            pl.struct(
                "value", "code", "gb_code",
                issue=issue_from(
                    (pl.col("text").is_not_null() & pl.col("value").is_null(), "unknown_province"),
                    (pl.col("rank") == 3, "province_from_city"),
                ),
            )
        ).to_series()

    return on_distinct(_inputs(expr, country), compute, PROVINCE_STRUCT)


def standardize_city(expr: pl.Expr, country: pl.Expr | str = "CN") -> pl.Expr:
    """City name: Chinese cities without 市 and in characters, others title-cased (see module docstring)."""

    def compute(values: pl.Series) -> pl.Series:
        frame = _unpack(values).with_row_index("row")
        text = pl.col("text")
        province = rf"^(?:中国)?(?:{_cn_province_prefix()})(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
        frame = frame.with_columns(
            han=text.str.replace_all(r"\s+", ""),
            key=_key(_strip_city_words(text)),
            alias_key=ascii_fold(text).str.replace_all(r"[^\p{L}]+", " ").str.strip_chars(),
        )
        without_province = pl.col("han").str.replace(province, "")
        han = pl.when(without_province.str.replace(r"市$", "").str.len_chars() >= 2).then(without_province).otherwise("han")
        frame = frame.with_columns(
            han=han.str.replace(r"^(\p{Han}{2,}?)市.+$", "${1}").str.replace(r"^(\p{Han}{2,})市$", "${1}"),
            alias=pl.col("alias_key").replace_strict(region_ref.LATIN_CITY_ALIASES, default=None, return_dtype=pl.String),
            has_han=text.str.contains(r"\p{Han}"),
        )
        frame = frame.join(_cn_cities().select("key", cn_city="city"), on="key", how="left").sort("row")
        chinese = (pl.col("country") == "CN") | (
            pl.col("country").is_null() & (pl.col("has_han") | pl.col("cn_city").is_not_null())
        )
        frame = frame.with_columns(
            value=pl.when(text.is_null() | ~text.str.contains(r"\p{L}")).then(None)
            .when(chinese & pl.col("cn_city").is_not_null()).then(pl.col("cn_city"))
            .when(chinese & pl.col("has_han")).then(pl.col("han"))
            .when(pl.col("alias").is_not_null()).then(pl.col("alias"))
            .otherwise(_title_if_single_case(text))
        )
        return frame.select(
            pl.struct(
                pl.col("value").str.normalize("NFKC"),
                issue=issue_from((text.is_not_null() & pl.col("value").is_null(), "invalid_city")),
            )
        ).to_series()

    return on_distinct(_inputs(expr, country), compute, CITY_STRUCT)


def standardize_postcode(expr: pl.Expr, country: pl.Expr | str) -> pl.Expr:
    """Postcode in the country's canonical layout; invalid ones are nulled with `invalid_postcode`.
    Leading zeros lost to spreadsheets (CN 5 digits, US 4, AU 3) are put back (`leading_zero_restored`)."""

    def compute(values: pl.Series) -> pl.Series:
        frame = _unpack(values).with_columns(text=pl.col("text").str.to_uppercase().str.replace(r"^(\d+)\.0+$", "${1}"))
        frame = frame.with_columns(compact=pl.col("text").str.replace_all(r"[\s\-.]", ""))
        country, compact = pl.col("country"), pl.col("compact")
        frame = frame.with_columns(
            restored=((country == "CN") & compact.str.contains(r"^\d{5}$"))
            | ((country == "US") & compact.str.contains(r"^\d{4}$"))
            | ((country == "AU") & compact.str.contains(r"^\d{3}$"))
        )
        frame = frame.with_columns(compact=pl.when(pl.col("restored")).then("0" + compact).otherwise(compact))
        frame = frame.with_columns(
            candidate=pl.when(country.is_in(["CN", "AU"])).then(compact)
            .when(country == "US").then(compact.str.replace(r"^(\d{5})(\d{4})$", "${1}-${2}"))
            .when(country == "GB").then(compact.str.replace(r"^(.+)(.{3})$", "${1} ${2}"))
            .when(country == "CA").then(compact.str.replace(r"^(.{3})(.{3})$", "${1} ${2}"))
            .otherwise(pl.col("text"))
        )
        candidate = pl.col("candidate")
        valid = (
            pl.when(country == "CN").then(candidate.str.contains(r"^[0-8]\d{5}$"))
            .when(country == "US").then(candidate.str.contains(r"^\d{5}(?:-\d{4})?$"))
            .when(country == "AU").then(candidate.str.contains(r"^\d{4}$"))
            .when(country == "GB").then(candidate.str.contains(_GB_POSTCODE))
            .when(country == "CA").then(candidate.str.contains(_CA_POSTCODE))
            .otherwise(candidate.str.contains(r"[0-9A-Z]"))
        )
        frame = frame.with_columns(valid=valid.fill_null(False))
        return frame.select(
            pl.struct(
                value=pl.when(pl.col("valid")).then(candidate),
                issue=issue_from(
                    (pl.col("text").is_not_null() & ~pl.col("valid"), "invalid_postcode"),
                    (pl.col("restored"), "leading_zero_restored"),
                ),
            )
        ).to_series()

    return on_distinct(_inputs(expr, country), compute, POSTCODE_STRUCT)


_STREET_ABBREVIATIONS = {
    "st": "street", "str": "street", "rd": "road", "ave": "avenue", "av": "avenue", "blvd": "boulevard",
    "dr": "drive", "ln": "lane", "ct": "court", "pl": "place", "sq": "square", "hwy": "highway", "pkwy": "parkway",
    "cres": "crescent", "tce": "terrace", "ter": "terrace", "cl": "close", "mt": "mount", "ft": "fort",
    "apt": "unit", "apartment": "unit", "ste": "unit", "suite": "unit", "unit": "unit", "flat": "unit", "rm": "room",
    "fl": "floor", "flr": "floor", "bldg": "building", "bld": "building", "po": "po", "n": "north", "s": "south",
    "e": "east", "w": "west", "ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest",
}
_CHINESE_DIGITS = {"零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
                   "六": "6", "七": "7", "八": "8", "九": "9"}


def standardize_address_line(expr: pl.Expr) -> pl.Expr:
    """Address line as written but cleaned (`value`), and a matching `key`: lower-case, punctuation-free,
    English street and unit words expanded, Chinese numerals as digits, no spaces between Chinese characters."""

    def compute(values: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"text": values}).with_columns(text=_present(pl.col("text")))
        text = pl.col("text")
        key = ascii_fold(text).str.replace_all("#", " unit ").str.replace_all(r"(?-u:\b)no\.?\s*(\d)", "${1}")
        key = key.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
        key = key.str.replace_many(list(_CHINESE_DIGITS), list(_CHINESE_DIGITS.values()))
        key = (
            key.str.replace_all(r"(\d)十(\d)", "${1}${2}").str.replace_all(r"(\d)十", "${1}0")
            .str.replace_all(r"十(\d)", "1${1}").str.replace_all("十", "10")
        )
        frame = frame.with_columns(key=key, usable=text.str.contains(r"[\p{L}\p{N}]").fill_null(False))
        key = pl.col("key").str.split(" ").list.eval(
            pl.element().replace_strict(_STREET_ABBREVIATIONS, default=pl.element(), return_dtype=pl.String)
        ).list.join(" ")
        key = key.str.replace_all(r"(\p{Han})\s+", "${1}").str.replace_all(r"\s+(\p{Han})", "${1}")
        usable = pl.col("usable")
        return frame.select(
            pl.struct(
                value=pl.when(usable).then(text),
                key=pl.when(usable).then(blank_to_null(key)),
                issue=issue_from((text.is_not_null() & ~usable, "invalid_address")),
            )
        ).to_series()

    return on_distinct(expr.cast(pl.String), compute, ADDRESS_STRUCT)

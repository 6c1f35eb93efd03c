"""Companies: names with one legal-form spelling and a matching key, registration numbers with their check
digits, industry on the GB/T 4754-2017 sections, and size on four head-count classes.

Canonical forms:
- Chinese legal forms: 有限责任公司 and 有限公司 -> "有限公司"; 股份有限公司 (and 股份公司) -> "股份有限公司";
  partnerships "有限合伙" / "普通合伙"; branches "分公司".
- English legal forms: every "company limited" spelling ("Co., Ltd.", "Co Ltd", "Company Limited", "Limited")
  -> "Ltd"; "Inc", "Corp", "LLC", "LLP", "PLC", "GmbH", "Pty Ltd", "Pte Ltd", "AG", "SA", "BV" ...
  The rest of the name keeps its own casing ("ACME LIMITED" -> "ACME Ltd").
- Invisible characters are removed before parsing; a name that is a spreadsheet formula ("=HYPERLINK(...)")
  is null with issue `spreadsheet_formula`.
- `name_key` drops the legal form, a trailing 集团/Group/Holdings, a leading or parenthesised place name
  ("北京星辰科技有限公司", "星辰科技(北京)有限公司" -> "星辰科技"), punctuation and case; industry words stay.
- USCC: GB 32100-2015 check digit, and like python-stdnum the first eight characters must be digits.
- Resident ID: GB 11643 check digit, a real birth date between 1900 and today, and an area code present in
  python-stdnum's table of division codes (in any year; stdnum also checks the code was in use in the
  birth year). 15-digit IDs are upgraded to 18 (issue `upgraded_from_15_digits`).
- Industry: section letter A-T and its Chinese section name; size: micro (<10 staff), small (<50),
  medium (<250), large (>=250).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib import resources

import polars as pl

from assets.standardize.reference import companies as ref
from assets.standardize.reference import regions as region_ref
from assets.standardize.distinct import on_distinct
from assets.standardize.reference.text import (
    SPREADSHEET_FORMULA,
    ascii_fold,
    blank_to_null,
    clean_text,
    is_spreadsheet_formula,
    issue_from,
)

COMPANY_STRUCT = pl.Struct({"value": pl.String, "legal_form": pl.String, "name_key": pl.String, "issue": pl.String})
USCC_STRUCT = pl.Struct({"value": pl.String, "issue": pl.String})
RESIDENT_ID_STRUCT = pl.Struct({"value": pl.String, "birth_date": pl.Date, "gender": pl.String, "issue": pl.String})
INDUSTRY_STRUCT = pl.Struct({"value": pl.String, "code": pl.String, "issue": pl.String})
SIZE_STRUCT = pl.Struct({"value": pl.String, "issue": pl.String})

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _place_patterns() -> tuple[str, str]:
    """Chinese place names (provinces and major cities, with optional suffix) and their Latin spellings."""
    han, latin = {"中国"}, {"china", "prc"}
    for line in region_ref.CN_PROVINCES.strip().splitlines():
        _, _, full, aliases = line.split(" ", 3)
        for alias in (a for a in [full, *aliases.split("|")] if len(a) > 1):
            (latin if alias.isascii() else han).add(alias.lower())
    for line in region_ref.CN_CITIES.strip().splitlines():
        name, _, spellings = line.split(" ", 2)
        han.add(name)
        latin.update(s.lower() for s in spellings.split("|"))
    han_re = f"(?:{_alternation(han)})(?:省|市|自治区|特别行政区|区|县)?"
    return han_re, _alternation(latin)


_GENERIC_WORDS = (
    r"^(?:银行|科技|集团|实业|贸易|商贸|投资|发展|电子|网络|信息|软件|医院|大学|学院|学校|酒店|物流|建设|工程|控股|国际|"
    r"咨询|传媒|文化|服务|管理|电力|能源|证券|保险|日报|晚报|电视台|广播|商场|百货|食品|医药|汽车|机场|地铁|公交|铁路|港)+$"
)


def standardize_company_name(expr: pl.Expr) -> pl.Expr:
    """Company name with its legal form in one canonical spelling, plus a key that ignores legal form,
    place prefix, punctuation and case (see module docstring)."""

    def compute(values: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"text": values}).with_columns(text=clean_text(pl.col("text")))
        frame = frame.with_columns(formula=is_spreadsheet_formula(pl.col("text")).fill_null(False))
        frame = frame.with_columns(
            spaced=pl.col("text").str.replace_all(r"(\p{Han}|[()])\s+(\p{Han}|[()])", "${1}${2}")
            .str.replace_all(r"(\p{Han}|[()])\s+(\p{Han}|[()])", "${1}${2}")
            .str.replace_all("有限责任公司", "有限公司"),
            compact=ascii_fold(pl.col("text")).str.replace_all(r"[\s\p{P}\p{S}]", ""),
        )
        text, compact = pl.col("spaced"), pl.col("compact")
        frame = frame.with_columns(
            usable=(
                pl.col("text").str.contains(r"\p{L}") & ~compact.is_in(list(ref.COMPANY_PLACEHOLDERS))
                & ~compact.str.contains(r"^(?:x+|测试.*|test\d*)$") & ~pl.col("formula")
            ).fill_null(False),
            chinese=text.str.extract_groups(rf"^(.+?)({_alternation(ref.CHINESE_LEGAL_FORMS)})$"),
            english=text.str.extract_groups(rf"(?i)^(.+?)[\s,]*(?-u:\b)({'|'.join(ref.ENGLISH_LEGAL_PATTERNS)})\.?$"),
        )
        chinese, english = pl.col("chinese"), pl.col("english")
        frame = frame.with_columns(
            chinese_form=chinese.struct[1].replace_strict(ref.CHINESE_LEGAL_FORMS, default=None, return_dtype=pl.String),
            english_form=english.struct[1].str.to_lowercase().str.replace_all(r"[^a-z]", "")
            .replace_strict(ref.ENGLISH_LEGAL_FORMS, default=None, return_dtype=pl.String),
        )
        chinese_form, english_form = pl.col("chinese_form"), pl.col("english_form")
        frame = frame.with_columns(
            legal_form=pl.coalesce(chinese_form, english_form),
            body=pl.when(chinese_form.is_not_null()).then(chinese.struct[0])
            .when(english_form.is_not_null()).then(english.struct[0].str.strip_chars(" ,"))
            .otherwise(text),
        )
        frame = frame.with_columns(
            value=pl.when(chinese_form.is_not_null())
            .then(pl.col("body") + chinese.struct[1].replace({"股份公司": "股份有限公司"}))
            .when(english_form.is_not_null()).then(pl.col("body") + " " + english_form)
            .otherwise(pl.col("body")),
        )
        frame = _with_company_key(frame)
        usable = pl.col("usable")
        return frame.select(
            pl.struct(
                value=pl.when(usable).then(pl.col("value").str.normalize("NFKC")),
                legal_form=pl.when(usable).then("legal_form"),
                name_key=pl.when(usable).then("name_key"),
                issue=issue_from(
                    (pl.col("formula"), SPREADSHEET_FORMULA),
                    (pl.col("text").is_not_null() & ~usable, "invalid_company_name"),
                ),
            )
        ).to_series()

    return on_distinct(expr.cast(pl.String), compute, COMPANY_STRUCT)


def _with_company_key(frame: pl.DataFrame) -> pl.DataFrame:
    han_place, latin_place = _place_patterns()
    key = ascii_fold(pl.col("body")).str.replace_all("&", " and ").str.replace(r"^the\s+", "")
    key = key.str.replace_all(r"(?:股份)?有限公司|股份公司", "").str.replace(r"([^分])公司$", "${1}")
    key = key.str.replace(r"(.)(?:\(集团\)|集团|[\s,]+(?:group|holdings?))$", "${1}")
    key = key.str.replace_all(rf"\((?:{han_place})\)", "").str.replace_all(rf"\(\s*(?:{latin_place})\s*\)", " ")
    frame = frame.with_columns(name_key=key)
    frame = frame.with_columns(stripped=pl.col("name_key").str.replace(rf"^(?:{han_place})+", ""))
    stripped = pl.col("stripped")
    keep_place = (stripped.str.len_chars() < 2) | stripped.str.contains(_GENERIC_WORDS)
    key = pl.when(keep_place).then(pl.col("name_key")).otherwise(stripped)
    key = (
        key.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
        .str.replace_all(r"(\p{Han})\s+", "${1}").str.replace_all(r"\s+(\p{Han})", "${1}")
    )
    return frame.with_columns(name_key=blank_to_null(key))


def _weighted_sum(code: pl.Expr, weights: tuple[int, ...], values: dict[str, int]) -> pl.Expr:
    return pl.sum_horizontal(
        code.str.slice(i, 1).replace_strict(values, default=None, return_dtype=pl.Int64) * w
        for i, w in enumerate(weights)
    )


def validate_uscc(expr: pl.Expr) -> pl.Expr:
    """Unified social credit code: upper-case 18 characters with a valid GB 32100-2015 check character."""

    def compute(values: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"text": values}).with_columns(
            code=clean_text(pl.col("text")).str.to_uppercase().str.replace_all(r"[\s\-]", "")
        )
        code = pl.col("code")
        alphabet = {c: i for i, c in enumerate(USCC_ALPHABET)}
        total = _weighted_sum(code, USCC_WEIGHTS, alphabet)
        check = ((31 - total % 31) % 31).replace_strict(dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String)
        frame = frame.with_columns(
            valid=(code.str.contains(rf"^\d{{8}}[{USCC_ALPHABET}]{{10}}$") & (code.str.slice(17, 1) == check))
            .fill_null(False)
        )
        return frame.select(
            pl.struct(
                value=pl.when(pl.col("valid")).then(code),
                issue=issue_from((code.is_not_null() & ~pl.col("valid"), "invalid_uscc")),
            )
        ).to_series()

    return on_distinct(expr.cast(pl.String), compute, USCC_STRUCT)


@cache
def _division_codes() -> list[str]:
    """Every six-digit division code in python-stdnum's table (any year)."""
    codes, province = [], ""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        token = line.split(" ", 1)[0] if not line.startswith(" ") else line.strip().split(" ", 1)[0]
        if not line.startswith(" "):
            province = token
        elif province:
            codes.append(province + token)
    return sorted(set(codes))


def validate_resident_id(expr: pl.Expr) -> pl.Expr:
    """Chinese resident ID: 18 characters with a valid GB 11643 check character, with birth date and gender
    read from it; full-width digits and a lower-case x are accepted."""

    def compute(values: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"text": values}).with_columns(
            code=clean_text(pl.col("text")).str.to_uppercase().str.replace_all(r"[\s\-]", "")
        )
        code = pl.col("code")
        frame = frame.with_columns(short=code.str.contains(r"^\d{15}$"))
        frame = frame.with_columns(
            body=pl.when(pl.col("short")).then(code.str.slice(0, 6) + "19" + code.str.slice(6, 9))
            .otherwise(code.str.slice(0, 17))
        )
        # sum(d_i * 2^(17-i)) mod 11 is the body read in base 13 (13 = 2 mod 11); check = (1 - 2 * sum) mod 11.
        remainder = pl.col("body").str.to_integer(base=13, strict=False) % 11
        check = ((1 + 9 * remainder) % 11).replace_strict(dict(enumerate("0123456789X")), return_dtype=pl.String)
        frame = frame.with_columns(
            full=pl.when(pl.col("short")).then(pl.col("body") + check).otherwise(code), check=check
        )
        full = pl.col("full")
        frame = frame.with_columns(birth=full.str.slice(6, 8).str.to_date("%Y%m%d", strict=False))
        frame = frame.with_columns(
            valid=(
                full.str.contains(r"^\d{17}[\dX]$") & (full.str.slice(17, 1) == pl.col("check"))
                & pl.col("birth").is_between(date(1900, 1, 1), date.today())
                & full.str.slice(0, 6).is_in(_division_codes())
            ).fill_null(False)
        )
        valid = pl.col("valid")
        return frame.select(
            pl.struct(
                value=pl.when(valid).then(full),
                birth_date=pl.when(valid).then("birth"),
                gender=pl.when(valid).then(
                    pl.when(full.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1)
                    .then(pl.lit("M"))
                    .otherwise(pl.lit("F"))
                ),
                issue=issue_from(
                    (code.is_not_null() & ~valid, "invalid_id_number"),
                    (pl.col("short"), "upgraded_from_15_digits"),
                ),
            )
        ).to_series()

    return on_distinct(expr.cast(pl.String), compute, RESIDENT_ID_STRUCT)


def standardize_industry(expr: pl.Expr) -> pl.Expr:
    """Industry on the GB/T 4754-2017 sections: exact section names, letters and division codes first, then
    the first keyword of an ordered table found in the text."""

    def compute(values: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"text": values}).with_columns(text=clean_text(pl.col("text")))
        frame = frame.with_columns(lowered=pl.col("text").str.to_lowercase())
        lowered = pl.col("lowered")
        divisions = {f"{d:02d}": letter for letter, (lo, hi) in ref.INDUSTRY_DIVISIONS.items() for d in range(lo, hi + 1)}
        names = {name: letter for letter, name in ref.INDUSTRY_SECTIONS.items()}
        for row in ref.INDUSTRY_DIVISION_NAMES.replace("\n", "|").split("|"):
            if row.strip():
                code, name = row.strip().split(" ", 1)
                names.setdefault(name, divisions[code])
        names.update({re.sub(r"[、，,和及]", "", n): letter for n, letter in list(names.items())})
        division = pl.col("text").str.extract(r"^(?i:[A-T])?\s*(\d{2})\d{0,2}$").replace_strict(
            divisions, default=None, return_dtype=pl.String
        )
        exact = pl.coalesce(
            pl.col("text").replace_strict(names, default=None, return_dtype=pl.String),
            pl.col("text").str.replace_all(r"[、，,和及\s]", "").replace_strict(names, default=None, return_dtype=pl.String),
            pl.when(pl.col("text").str.contains(r"^[A-T]$")).then(pl.col("text")),
            division,
        )
        keyword = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
        for letter, pattern in ref.INDUSTRY_KEYWORDS:
            keyword = keyword.when(lowered.str.contains(pattern)).then(pl.lit(letter))
        frame = frame.with_columns(code=pl.coalesce(exact, keyword))
        return frame.select(
            pl.struct(
                value=pl.col("code").replace_strict(ref.INDUSTRY_SECTIONS, default=None, return_dtype=pl.String),
                code="code",
                issue=issue_from((pl.col("text").is_not_null() & pl.col("code").is_null(), "unknown_industry")),
            )
        ).to_series()

    return on_distinct(expr.cast(pl.String), compute, INDUSTRY_STRUCT)


def standardize_company_size(expr: pl.Expr) -> pl.Expr:
    """Company size class from head counts ("10-49", "250+", "500人以上", "<10") or size words (中型, SME);
    a head count wins over words. Bands spanning two classes (SME, 中小, 小微) take the larger class and
    are flagged `ambiguous_size`."""

    def compute(values: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"text": values}).with_columns(text=clean_text(pl.col("text")))
        frame = frame.with_columns(
            lowered=pl.col("text").str.to_lowercase().str.replace_all(r"(\d),(\d{3})", "${1}${2}")
            .str.replace_all(r"(\d+)\s*(?:万|w)", "${1}0000").str.replace_all(r"(\d+)\s*(?:千|k)", "${1}000")
        )
        text = pl.col("lowered")
        number = r"(\d+)"

        def extracted(*patterns: str) -> pl.Expr:
            return pl.coalesce(text.str.extract(p) for p in patterns).cast(pl.Int64, strict=False)

        frame = frame.with_columns(
            count=pl.coalesce(
                extracted(rf"(?:<|少于|不足|不到|低于|under|less than|fewer than|below)\s*{number}", rf"{number}\s*人?以下") - 1,
                extracted(rf"(?:<=|≤|up to|最多|至多)\s*{number}", rf"{number}\s*人?(?:以内|之内)"),
                extracted(rf"(?:>|>=|≥|over|more than|above|超过|大于|多于)\s*{number}",
                          rf"{number}\s*(?:\+|人?以上|人?及以上|or more|plus|and above)"),
                extracted(rf"{number}\s*(?:-|~|至|到|to)\s*\d+", number),
            ),
            word=text.str.replace_all(r"[\s\p{P}]", ""),
            ambiguous=text.str.contains(r"(?-u:\b)(?:sme|smb)s?(?-u:\b)|中小|小微"),
        )
        count, word, ambiguous = pl.col("count"), pl.col("word"), pl.col("ambiguous")
        by_count = (
            pl.when(count < 1).then(None).when(count < 10).then(pl.lit("micro")).when(count < 50).then(pl.lit("small"))
            .when(count < 250).then(pl.lit("medium")).otherwise(pl.lit("large"))
        )
        exact = pl.coalesce(
            word.str.replace(r"(?:企业|公司|规模|型企业)$", "").replace_strict(ref.SIZE_WORDS, default=None, return_dtype=pl.String),
            word.replace_strict(ref.SIZE_WORDS, default=None, return_dtype=pl.String),
        )
        contained = (
            pl.when(text.str.contains(r"micro|微")).then(pl.lit("micro"))
            .when(text.str.contains(r"small|小")).then(pl.lit("small"))
            .when(text.str.contains(r"medium|mid|中")).then(pl.lit("medium"))
            .when(text.str.contains(r"large|big|大|enterprise")).then(pl.lit("large"))
        )
        frame = frame.with_columns(
            value=pl.when(count.is_not_null()).then(by_count)
            .when(ambiguous).then(pl.when(text.str.contains("小微")).then(pl.lit("small")).otherwise(pl.lit("medium")))
            .otherwise(pl.coalesce(exact, contained))
        )
        return frame.select(
            pl.struct(
                "value",
                issue=issue_from(
                    (pl.col("text").is_not_null() & pl.col("value").is_null(), "unknown_company_size"),
                    (count.is_null() & ambiguous, "ambiguous_size"),
                ),
            )
        ).to_series()

    return on_distinct(expr.cast(pl.String), compute, SIZE_STRUCT)

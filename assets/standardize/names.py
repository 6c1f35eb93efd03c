"""Person names: one canonical spelling per name, plus keys on which 王伟, "WANG Wei" and "wei wang" meet.

Rules (the ones a reviewer will ask about):
- Chinese-script names are family + given with no space ("欧阳娜娜"); compound surnames are recognised
  before the one-character split; a transliterated name keeps its middle dot and its last part is the
  family name ("约翰·史密斯").
- Latin names are reordered only on an explicit signal: "Family, Given" (comma) or a family name written
  in capitals ("WANG Wei", "John SMITH"). Then pinyin names whose family is a known Chinese surname come
  out family first as in GB/T 28039 ("Wang Wei"), every other name "Given Family" ("John Smith").
  Without a signal the written order is kept, so `value` is idempotent, and only family/given are decided:
  an all-pinyin name whose first token is a known surname at least as frequent as its last token is
  family-first ("Wang Wei", "Zhang Xiaoming"); otherwise the last token is the family name, together with
  any particles before it ("wei wang" -> family Wang, "Ludwig van Beethoven" -> family "van Beethoven").
  A single token is a family name when an honorific came with it or it is a pinyin surname, else a given name;
  a joined pinyin name of six letters or more ("Zhangxiaoming") is split after its surname ("Zhang Xiaoming").
- Invisible characters (zero-width, soft hyphen, bidi marks ...) are removed before parsing and not reported
  (Wang, a soft hyphen, wei is "Wangwei"). A name that is a spreadsheet formula ("=HYPERLINK(...)", "@SUM(A1)",
  "+cmd|...") in any of its parts is null with issue `spreadsheet_formula`.
- Several people in one field ("王伟/李娜", "王伟、李娜", "John Smith & Jane Doe"): the first is kept
  (issue `multiple_names`). Text that names a company (有限公司, Ltd, Inc ..., or a brand and an industry word
  without a legal form: "金祥物流", "Morris Technologies") is `looks_like_company`.
- Tokens written in one case are title-cased (Mc/O' handled; in a non-pinyin name particles such as
  van/de/bin become lower-case, except as first or last word); tokens in mixed case are kept as written
  ("DeVito", and "Van" in "Nguyen Van An").
- Honorifics (先生, 王总, Mr., Dr, PhD ...) are removed and reported in `honorific`; generational suffixes
  (Jr., Sr., II, III, IV) stay at the end of `value`, are reported in `suffix` and kept out of keys.
- `name_key` is the sorted family and given keys joined by "|" (pinyin for Chinese script), so it ignores
  order; `family_key` and `given_key` are those two keys apart, for comparing the parts on their own; `pinyin_key` is family + given in pinyin; `phonetic_key` is the metaphone of family and of given.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish
import polars as pl

from assets.standardize.reference import names as ref
from assets.standardize.distinct import on_distinct
from assets.standardize.reference.text import (
    SPREADSHEET_FORMULA,
    ascii_fold,
    blank_to_null,
    clean_text,
    is_spreadsheet_formula,
    issue_from,
)

NAME_FIELDS = {
    "value": pl.String, "family_name": pl.String, "given_name": pl.String, "script": pl.String,
    "pinyin_key": pl.String, "name_key": pl.String, "family_key": pl.String, "given_key": pl.String,
    "phonetic_key": pl.String, "honorific": pl.String,
    "suffix": pl.String, "issue": pl.String,
}
NAME_STRUCT = pl.Struct(NAME_FIELDS)


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SURNAME_PINYIN = dict(reversed(ref.SURNAME_PAIRS + ref.COMPOUND_SURNAME_PAIRS))
_COMPOUND_RE = f"^({_alternation(h for h, _ in ref.COMPOUND_SURNAME_PAIRS)})"
_PREFIX_HONORIFIC_RE = (
    rf"(?i)^((?:(?:{_alternation(ref.LATIN_PREFIX_HONORIFICS)})(?:\.\s*|\s*,\s*|\s+))+)"
)
_SUFFIX_HONORIFIC_RE = (
    rf"(?i)((?:(?:,\s*|\s+)(?:{_alternation(ref.LATIN_SUFFIX_HONORIFICS)})\.?)+)$"
)
# Honorific and generational words standing alone anywhere in a Latin name (after a comma, say):
# they are never part of the name itself. "Md" is left alone (it abbreviates Mohammad).
_STANDALONE_RE = (
    r"(?i)(^|[\s,])(?:"
    + _alternation({**ref.LATIN_PREFIX_HONORIFICS, **ref.GENERATIONAL_SUFFIXES,
                    **{k: v for k, v in ref.LATIN_SUFFIX_HONORIFICS.items() if v != "MD"}})
    + r")\.?([\s,]|$)"
)
# Any run of trailing honorifics and generational suffixes, in any order ("Smith Jr., PhD", "王伟 先生").
_TRAILING_RE = (
    rf"(?i)^(.+?)((?:(?:,\s*|\s+)(?:{_alternation({**ref.LATIN_SUFFIX_HONORIFICS, **ref.GENERATIONAL_SUFFIXES})})\.?"
    rf"|[\s,]*(?:{_alternation(ref.CHINESE_SUFFIX_HONORIFICS)}))+)$"
)
_ZH_SURNAME_HONORIFIC_RE = rf"^(\p{{Han}}{{1,2}})((?:{_alternation(ref.CHINESE_SURNAME_ONLY_HONORIFICS)})+)$"
_PLACEHOLDER_RE = f"^(?:{'|'.join(ref.PLACEHOLDER_PATTERNS)})$"
# One-word placeholders match one-word names only, several-word ones in either order, so that reordering a
# name ("N, Na" -> "Na N") can never turn it into a placeholder ("nan").
_PLACEHOLDER_KEYS = sorted(set(ref.PLACEHOLDERS) | {" ".join(reversed(p.split(" "))) for p in ref.PLACEHOLDERS})
_NOT_NAME_WORDS = (
    rf"(?-u:\b)(?:{_alternation({**ref.GENERATIONAL_SUFFIXES, **ref.LATIN_PREFIX_HONORIFICS, **ref.LATIN_SUFFIX_HONORIFICS})})"
    r"(?-u:\b)\.?"
)
_INDUSTRY_WORDS_LATIN = _alternation(ref.COMPANY_INDUSTRY_WORDS_LATIN).replace(re.escape(" "), r"\s+")
# Checked on the name before honorifics come off, so "光光化工" is not read as 光光化 + 工 (an engineer).
_INDUSTRY_NAME_RE = (
    rf"^\p{{Han}}{{2,}}(?:{_alternation(ref.COMPANY_INDUSTRY_WORDS_ZH)})$"
    rf"|(?i:^\p{{Latin}}.*\s(?:{_INDUSTRY_WORDS_LATIN})\.?$)"
)
_SYLLABLES = "|".join(ref.PINYIN_SYLLABLES)
_PINYIN_NAME_RE = rf"^(?:{_SYLLABLES})+(?:['\-, ]+(?:{_SYLLABLES})+)*$"
_PARTICLES = _alternation(ref.PARTICLES)
_PARTICLE_SET = frozenset(ref.PARTICLES)
_ANY_CASE_PARTICLES = f"{_PARTICLES}|{_PARTICLES.upper()}"
_WESTERN_RE = rf"^(\S+(?:\s+\S+)*?)\s+((?:(?:{_ANY_CASE_PARTICLES})\s+)*\S+)$"
_CAPS_TOKEN = r"[\p{Lu}'\-]*\p{Lu}\p{Lu}[\p{Lu}'\-]*"
_CAPS_FIRST_RE = rf"^({_CAPS_TOKEN}(?:\s+{_CAPS_TOKEN})*)\s+(.*\p{{Ll}}.*)$"
_CAPS_LAST_RE = rf"^(.*\p{{Ll}}.*?)\s+({_CAPS_TOKEN}(?:\s+{_CAPS_TOKEN})*)$"


def standardize_person_name(
    full: pl.Expr, given: pl.Expr | None = None, family: pl.Expr | None = None
) -> pl.Expr:
    """Canonical person name as a struct (see NAME_FIELDS). Separate given and family columns, when both
    are filled, take precedence over `full`, because they already say which part is which."""
    missing = pl.lit(None, pl.String)
    inputs = pl.struct(
        full=full.cast(pl.String),
        given=(missing if given is None else given.cast(pl.String)),
        family=(missing if family is None else family.cast(pl.String)),
    )
    return on_distinct(inputs, _standardize_distinct, NAME_STRUCT)


def lazy_pinyin(text: str, **options) -> list[str]:
    """pypinyin's plain (toneless) syllables of ``text``. Imported at first use: pypinyin loads its phrase
    dictionary on import (0.3-1 s), which a command or a run that standardizes no name should not pay."""
    from pypinyin import Style
    from pypinyin import lazy_pinyin as syllables

    return syllables(text, style=Style.NORMAL, **options)


@lru_cache(maxsize=None)
def _char_pinyin(char: str) -> str:
    syllables = lazy_pinyin(char, errors="ignore")
    return syllables[0].replace("ü", "u").replace("v", "u") if syllables else ""


def _pinyin(values: pl.Series) -> pl.Series:
    """Pinyin of Han strings, one cached lookup per distinct character."""
    return pl.Series(
        [None if s is None else "".join(_char_pinyin(c) for c in s if c != "·") or None for s in values.to_list()],
        dtype=pl.String,
    )


@lru_cache(maxsize=200_000)
def _case_token(token: str, particles: bool) -> str:
    """Title case for a token typed in one case; mixed case is kept as typed. With `particles`, a
    one-case particle ("van", "DE") comes out lower-case."""
    if token.lower() != token and token.upper() != token:
        return token
    lowered = token.lower()
    if lowered in ("ii", "iii", "iv"):
        return token.upper()
    if particles and lowered in _PARTICLE_SET:
        return lowered
    out = []
    for part in re.split(r"([\-.])", lowered):
        if part.startswith("mc") and len(part) > 2:
            part = "Mc" + part[2:3].title() + part[3:]
        elif len(part) > 3 and part[1] == "'":
            part = part[0].title() + "'" + part[2:3].title() + part[3:]
        else:
            part = part[:1].title() + part[1:]
        out.append(part)
    return "".join(out)


def _case_western(values: pl.Series) -> pl.Series:
    return pl.Series(
        [None if s is None else " ".join(_case_token(t, True) for t in s.split(" ")) for s in values.to_list()],
        dtype=pl.String,
    )


def _case_plain(values: pl.Series) -> pl.Series:
    return pl.Series(
        [None if s is None else " ".join(_case_token(t, False) for t in s.split(" ")) for s in values.to_list()],
        dtype=pl.String,
    )


_SYLLABLE_RUN = re.compile(rf"(?:{_SYLLABLES})+")


@lru_cache(maxsize=200_000)
def _split_joined_pinyin(token: str) -> str | None:
    """"zhangxiaoming" -> "zhang xiaoming": the longest of the 100 most frequent surnames that leaves a pinyin
    given name of two letters or more, in a token of six letters or more, so that most single Western given names
    ("Lisa", "Anna", "Linda") stay whole. A token that is itself a surname ("liang") is left whole."""
    if token in ref.SURNAME_RANK or len(token) < 6:
        return None
    for cut in range(min(len(token) - 2, 9), 0, -1):
        family, given = token[:cut], token[cut:]
        if ref.SURNAME_RANK.get(family, 999) <= 100 and _SYLLABLE_RUN.fullmatch(given):
            return f"{family} {given}"
    return None


def _split_joined(values: pl.Series) -> pl.Series:
    return pl.Series([None if s is None else _split_joined_pinyin(s) for s in values.to_list()], dtype=pl.String)


@lru_cache(maxsize=200_000)
def _metaphone_word(word: str) -> str:
    return jellyfish.metaphone(word)


def _metaphone(values: pl.Series) -> pl.Series:
    return pl.Series(
        [None if s is None else _metaphone_word(s) or None for s in values.to_list()], dtype=pl.String
    )


def _per_distinct(frame: pl.DataFrame, values: pl.Expr, fn) -> pl.Series:
    """`fn` over the distinct non-null values of one expression of the distinct-input frame."""
    column = frame.select(values.alias("part")).get_column("part")
    keys = column.drop_nulls().unique()
    lookup = pl.DataFrame({"part": keys, "out": fn(keys)}, schema={"part": pl.String, "out": pl.String})
    return column.to_frame().join(lookup, on="part", how="left", maintain_order="left")["out"]


def _tidy(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all(r"\s+", " ")
        .str.replace_all(r"['\-·]+(\s|,|$)", "${1}")
        .str.replace_all(r"(^|\s|,)['\-·.]+", "${1}")
        .str.replace_all(r"\s+", " ")
        .str.replace_all(r"\s*,[\s,]*", ", ")
        .str.replace_all(r"·+", "·")
        .str.strip_chars(" ,'-·")
    )


def _letters_key(expr: pl.Expr) -> pl.Expr:
    key = ascii_fold(expr).str.replace_all(r"[^a-z]", "").str.replace(r"^([ln])(?:v|yu)(e?)$", "${1}u${2}")
    return blank_to_null(key)


def _sorted_pair(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return (
        pl.when(a.is_null()).then(b)
        .when(b.is_null()).then(a)
        .when(a <= b).then(a + "|" + b)
        .otherwise(b + "|" + a)
    )


def _standardize_distinct(inputs: pl.Series) -> pl.Series:
    parts = ("full", "given", "family")
    frame = inputs.struct.unnest().with_columns(clean_text(pl.col(c)) for c in parts)
    # A formula in any part ("=HYPERLINK(...)") is not a name: the whole name is dropped (`spreadsheet_formula`).
    frame = frame.with_columns(
        formula=pl.any_horizontal(is_spreadsheet_formula(pl.col(c)) for c in parts).fill_null(False)
    ).with_columns(pl.when(~pl.col("formula")).then(pl.col(c)).alias(c) for c in parts)
    frame = frame.with_columns(
        raw=pl.when(pl.col("given").is_not_null() & pl.col("family").is_not_null())
        .then(pl.col("family") + ", " + pl.col("given"))
        .when(pl.col("full").is_not_null()).then(pl.col("full"))
        .when(pl.col("family").is_not_null()).then(pl.col("family") + ",")
        .otherwise(pl.col("given"))
        .str.replace_all(r"[•・‧∙⋅･]", "·"),
        from_full=pl.col("full").is_not_null() & (pl.col("given").is_null() | pl.col("family").is_null()),
    )
    frame = frame.with_columns(
        raw=pl.when(pl.col("raw").str.contains(r"\p{Han}")).then("raw").otherwise(pl.col("raw").str.replace_all("·", " "))
    )
    frame = _first_of_several(frame)
    frame = _strip_decorations(frame)
    frame = _classify(frame)
    frame = _parse_chinese(frame)
    frame = _parse_latin(frame)
    latin = pl.col("script") == "latin"
    han = pl.col("script").is_in(["zh", "mixed"])
    frame = frame.with_columns(
        lat_family=pl.coalesce(
            _per_distinct(frame, pl.when(latin & ~pl.col("all_pinyin")).then("lat_family"), _case_western),
            _per_distinct(frame, pl.when(latin & pl.col("all_pinyin")).then("lat_family"), _case_plain),
        ),
        lat_given=pl.coalesce(
            _per_distinct(frame, pl.when(latin & ~pl.col("all_pinyin")).then("lat_given"), _case_western),
            _per_distinct(frame, pl.when(latin & pl.col("all_pinyin")).then("lat_given"), _case_plain),
        ),
        text_cased=_per_distinct(frame, pl.when(pl.col("script") == "mixed").then("text"), _case_plain),
        zh_family_py=pl.when(han).then(
            pl.col("zh_family").replace_strict(_SURNAME_PINYIN, default=None, return_dtype=pl.String)
        ),
    )
    frame = frame.with_columns(
        zh_family_py=pl.coalesce(
            "zh_family_py", _per_distinct(frame, pl.when(han & pl.col("zh_family_py").is_null()).then("zh_family"), _pinyin)
        ),
        zh_given_py=_per_distinct(frame, pl.when(han).then("zh_given"), _pinyin),
    )
    frame = _assemble(frame)
    frame = frame.with_columns(
        phonetic_key=pl.concat_str(
            _per_distinct(frame, pl.col("key_family"), _metaphone), _per_distinct(frame, pl.col("key_given"), _metaphone),
            separator=" ", ignore_nulls=True,
        )
    )
    return frame.select(
        pl.struct(
            pl.col("value"), pl.col("family_name"), pl.col("given_name"), pl.col("script"),
            pl.col("pinyin_key"), pl.col("name_key"), pl.col("key_family").alias("family_key"),
            pl.col("key_given").alias("given_key"),
            blank_to_null(pl.col("phonetic_key")).alias("phonetic_key"),
            pl.when(~pl.col("company")).then("honorific").alias("honorific"), pl.col("suffix"), pl.col("issue"),
        )
    ).to_series()


def _first_of_several(frame: pl.DataFrame) -> pl.DataFrame:
    """"王伟/李娜", "王伟、李娜", "John Smith & Jane Doe": keep the first person (issue `multiple_names`).
    A left part of one Latin word or one Han character is not a person ("Mr & Mrs Smith", "王, 伟")."""
    separated = pl.col("raw").str.extract_groups(r"^([^/;&|\\]+?)\s*[/;&|\\]+\s*(\S.*)$")
    squeezed = pl.col("raw")
    for _ in range(2):
        squeezed = squeezed.str.replace_all(r"(\p{Han})\s+(\p{Han})", "${1}${2}")
    han_list = squeezed.str.extract_groups(rf"^(\p{{Han}}{{2,}})\s*,\s*(\p{{Han}}{{2,}}.*)$")
    left = separated.struct[0]
    person = (left.str.count_matches(r"\p{Han}") >= 2) | (left.str.count_matches(r"\p{Latin}+") >= 2)
    listed = (
        pl.col("from_full") & han_list.struct[0].is_not_null()
        & ~han_list.struct[0].str.contains(_COMPOUND_RE + "$")
    )
    frame = frame.with_columns(
        multiple=pl.when(person.fill_null(False)).then(pl.lit(True)).otherwise(listed.fill_null(False)),
    )
    return frame.with_columns(
        raw=pl.when(person.fill_null(False)).then(left)
        .when(pl.col("multiple")).then(han_list.struct[0])
        .otherwise(pl.col("raw"))
    )


def _strip_decorations(frame: pl.DataFrame) -> pl.DataFrame:
    """Annotations, stray symbols, honorifics and generational suffixes come off before parsing."""
    bare = pl.col("raw").str.replace_all(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>|\{[^{}]*\}", " ")
    frame = frame.with_columns(bare=bare.str.replace_all(r"[^\p{L}\p{M}\s'\-.,·]", ""))
    frame = frame.with_columns(
        text=_tidy(pl.col("bare").str.replace(rf"^(?:{_alternation(ref.CHINESE_PREFIXES)})\s*", "")),
        changed=pl.col("raw").str.replace_all(r"\s+", "") != pl.col("bare").str.replace_all(r"\s+", ""),
    )
    frame = frame.with_columns(
        pre=pl.col("text").str.extract(_PREFIX_HONORIFIC_RE),
        text=pl.col("text").str.replace(_PREFIX_HONORIFIC_RE, ""),
    )
    frame = frame.with_columns(
        stray_suffix=pl.col("text").str.extract(rf"(?i)(?:^|[\s,])({_alternation(ref.GENERATIONAL_SUFFIXES)})\.?(?:[\s,]|$)")
    )
    trailing = pl.col("text").str.extract_groups(_TRAILING_RE)
    frame = frame.with_columns(run=trailing.struct[1], text=pl.coalesce(trailing.struct[0], pl.col("text")))
    zh = pl.col("text").str.extract_groups(_ZH_SURNAME_HONORIFIC_RE)
    frame = frame.with_columns(
        zh_honorific=blank_to_null(
            pl.concat_str(zh.struct[1], pl.col("run").str.replace_all(r"[^\p{Han}]", ""), ignore_nulls=True)
        ),
        text=_tidy(pl.coalesce(zh.struct[0], pl.col("text"))),
        post=pl.col("run").str.extract(rf"(?i)(?:^|[\s,])({_alternation(ref.LATIN_SUFFIX_HONORIFICS)})\.?(?:[\s,]|$)"),
        suffix=pl.col("stray_suffix").str.to_lowercase()
        .replace_strict(ref.GENERATIONAL_SUFFIXES, default=None, return_dtype=pl.String),
    )
    standalone = pl.col("text")
    for _ in range(2):
        standalone = standalone.str.replace_all(_STANDALONE_RE, "${1}${2}")
    frame = frame.with_columns(text=_tidy(standalone))

    def canonical(group: str, table: dict[str, str]) -> pl.Expr:
        first = pl.col(group).str.strip_chars(" ,").str.extract(r"^(\S+)").str.to_lowercase()
        return first.str.strip_chars(".").replace_strict(
            {k.strip("."): v for k, v in table.items()}, default=None, return_dtype=pl.String
        )

    honorific = pl.concat_str(
        canonical("pre", ref.LATIN_PREFIX_HONORIFICS), "zh_honorific", canonical("post", ref.LATIN_SUFFIX_HONORIFICS),
        separator=" ", ignore_nulls=True,
    )
    return frame.with_columns(honorific=blank_to_null(honorific), text=blank_to_null(pl.col("text")))


def _classify(frame: pl.DataFrame) -> pl.DataFrame:
    text = pl.col("text")
    frame = frame.with_columns(
        compact=ascii_fold(text).str.replace_all(r"['\-.·]", "").str.replace_all(r"[\s,]+", " ").str.strip_chars(" "),
        company=(text.str.contains(ref.COMPANY_WORDS_ZH) | text.str.contains(ref.COMPANY_WORDS_LATIN)
                 | pl.col("bare").str.strip_chars().str.contains(_INDUSTRY_NAME_RE)).fill_null(False),
        has_han=text.str.contains(r"\p{Han}"),
        has_latin=text.str.contains(r"\p{Latin}"),
        has_other=text.str.contains(r"[\p{L}&&[^\p{Han}\p{Latin}]]"),
    )
    compact = pl.col("compact")
    placeholder = compact.is_in(_PLACEHOLDER_KEYS) | compact.str.contains(_PLACEHOLDER_RE)
    frame = frame.with_columns(
        usable=(text.str.contains(r"\p{L}") & ~placeholder & ~pl.col("company")).fill_null(False)
    )
    han, latin, other = pl.col("has_han"), pl.col("has_latin"), pl.col("has_other")
    return frame.with_columns(
        script=pl.when(~pl.col("usable")).then(None)
        .when(han & ~latin & ~other).then(pl.lit("zh"))
        .when(latin & ~han & ~other).then(pl.lit("latin"))
        .otherwise(pl.lit("mixed")),
    )


def _parse_chinese(frame: pl.DataFrame) -> pl.DataFrame:
    """Family/given of the Han part: comma split, middle dot (last part is the family), else surname table."""
    zh = pl.col("text").str.replace_all(r"[^\p{Han}·,]", "").str.replace_all(r"·+", "·").str.strip_chars("·,")
    frame = frame.with_columns(zh=pl.when(pl.col("script").is_in(["zh", "mixed"])).then(blank_to_null(zh)))
    zh = pl.col("zh")
    frame = frame.with_columns(
        plain=zh.str.replace_all(",", ""), zh_comma=zh.str.extract_groups(r"^([^,]*),(.*)$")
    )
    plain, comma = pl.col("plain"), pl.col("zh_comma")
    frame = frame.with_columns(compound=plain.str.extract(_COMPOUND_RE), dotted=plain.str.contains("·"))
    compound, dotted = pl.col("compound"), pl.col("dotted")
    family = (
        pl.when(comma.struct[0].is_not_null()).then(comma.struct[0].str.replace_all("·", ""))
        .when(dotted).then(plain.str.extract(r"·([^·]+)$"))
        .otherwise(pl.coalesce(compound, plain.str.slice(0, 1)))
    )
    given = (
        pl.when(comma.struct[0].is_not_null()).then(comma.struct[1].str.replace_all(",", ""))
        .when(dotted).then(plain.str.extract(r"^(.*)·[^·]+$"))
        .otherwise(plain.str.slice(pl.coalesce(compound.str.len_chars(), pl.lit(1))))
    )
    return frame.with_columns(
        zh_family=blank_to_null(family), zh_given=blank_to_null(given), zh_value=blank_to_null(plain)
    )


def _parse_latin(frame: pl.DataFrame) -> pl.DataFrame:
    lat = _tidy(pl.col("text").str.replace_all("·", " "))
    for numeral in ("III", "II", "IV"):
        lat = lat.str.replace_all(rf"(?-u:\b){numeral}(?-u:\b)", numeral.lower())
    frame = frame.with_columns(lat=pl.when(pl.col("script") == "latin").then(lat))
    lat = pl.col("lat")
    single = ascii_fold(lat).str.replace_all(r"[^a-z]", "")
    joined = _per_distinct(frame, pl.when(lat.str.contains(r"^\S+$")).then(single), _split_joined)
    frame = frame.with_columns(lat=pl.coalesce(joined, lat), joined=joined.is_not_null())
    frame = frame.with_columns(fold=ascii_fold(lat))
    fold = pl.col("fold")
    first = fold.str.extract(r"^(\S+)").str.replace_all(r"[^a-z]", "").str.replace(r"^([ln])(?:v|yu)(e?)$", "${1}u${2}")
    last = fold.str.extract(r"(\S+)$").str.replace_all(r"[^a-z]", "").str.replace(r"^([ln])(?:v|yu)(e?)$", "${1}u${2}")
    rank = {"default": None, "return_dtype": pl.Int32}
    frame = frame.with_columns(
        all_pinyin=fold.str.replace_all(_NOT_NAME_WORDS, " ").str.strip_chars(" ,'-")
        .str.contains(_PINYIN_NAME_RE).fill_null(False),
        first_rank=first.replace_strict(ref.SURNAME_RANK, **rank),
        last_rank=last.replace_strict(ref.SURNAME_RANK, **rank),
        tokens=lat.str.count_matches(r"\S+"),
        comma=lat.str.extract_groups(r"^([^,]+),(.*)$"),
        caps_first=lat.str.extract_groups(_CAPS_FIRST_RE),
        caps_last=lat.str.extract_groups(_CAPS_LAST_RE),
    )
    frame = frame.with_columns(
        pinyin_first=pl.col("joined") | (
            pl.col("all_pinyin") & (pl.col("tokens") >= 2) & pl.col("first_rank").is_not_null()
            & (pl.col("last_rank").is_null() | (pl.col("first_rank") <= pl.col("last_rank")))
        ),
        western=pl.when(pl.col("all_pinyin")).then(lat.str.extract_groups(r"^(.+?)\s+(\S+)$"))
        .otherwise(lat.str.extract_groups(_WESTERN_RE)),
        single_is_family=pl.col("honorific").is_not_null() | (pl.col("all_pinyin") & pl.col("first_rank").is_not_null()),
        # a family name column alone ("Leslie", "van der Berg" with no given name) says which part it is
        family_only=pl.col("family").is_not_null() & pl.col("given").is_null() & pl.col("full").is_null(),
        explicit=(pl.col("comma").struct[0].is_not_null() | pl.col("caps_first").struct[0].is_not_null()
                  | pl.col("caps_last").struct[1].is_not_null()),
    )
    comma, caps_first, caps_last = pl.col("comma"), pl.col("caps_first"), pl.col("caps_last")
    family = (
        pl.when(pl.col("family_only")).then(lat)
        .when(comma.struct[0].is_not_null()).then(comma.struct[0])
        .when(caps_first.struct[0].is_not_null()).then(caps_first.struct[0])
        .when(caps_last.struct[1].is_not_null()).then(caps_last.struct[1])
        .when(pl.col("tokens") == 1).then(pl.when(pl.col("single_is_family")).then(lat))
        .when(pl.col("pinyin_first")).then(lat.str.extract(r"^(\S+)"))
        .otherwise(pl.col("western").struct[1])
    )
    given = (
        pl.when(pl.col("family_only")).then(pl.lit(None, dtype=pl.String))
        .when(comma.struct[0].is_not_null())
        .then(_tidy(comma.struct[1].str.replace_all(",", " ")).str.replace(_PREFIX_HONORIFIC_RE, ""))
        .when(caps_first.struct[0].is_not_null()).then(caps_first.struct[1])
        .when(caps_last.struct[1].is_not_null()).then(caps_last.struct[0])
        .when(pl.col("tokens") == 1).then(pl.when(~pl.col("single_is_family")).then(lat))
        .when(pl.col("pinyin_first")).then(lat.str.extract(r"^\S+\s+(.+)$"))
        .otherwise(pl.col("western").struct[0])
    )
    return frame.with_columns(lat_family=blank_to_null(family), lat_given=blank_to_null(given))


def _assemble(frame: pl.DataFrame) -> pl.DataFrame:
    script = pl.col("script")
    latin = script == "latin"
    frame = frame.with_columns(
        han_parsed=(script == "zh") | ((script == "mixed") & (pl.col("zh").str.len_chars() >= 2)),
    )
    frame = frame.with_columns(
        family_key=_letters_key(pl.col("lat_family")), given_key=_letters_key(pl.col("lat_given"))
    )
    family_first = pl.when(pl.col("explicit")).then(
        pl.col("all_pinyin")
        & pl.col("family_key").replace_strict(ref.SURNAME_RANK, default=None, return_dtype=pl.Int32).is_not_null()
    ).otherwise(pl.col("pinyin_first"))
    ordered = pl.when(family_first).then(
        pl.concat_str("lat_family", "lat_given", separator=" ", ignore_nulls=True)
    ).otherwise(pl.concat_str("lat_given", "lat_family", separator=" ", ignore_nulls=True))
    frame = frame.with_columns(
        ordered=pl.when(latin).then(ordered.str.replace(_PREFIX_HONORIFIC_RE, "").str.replace(_SUFFIX_HONORIFIC_RE, ""))
    )
    trailing = pl.col("ordered").str.extract_groups(rf"(?i)^(.+)\s({_alternation(ref.GENERATIONAL_SUFFIXES)})\.?$")
    frame = frame.with_columns(
        generational=trailing.struct[1].str.to_lowercase().replace_strict(
            ref.GENERATIONAL_SUFFIXES, default=None, return_dtype=pl.String
        ),
        core=pl.coalesce(trailing.struct[0], pl.col("ordered")),
    )
    core = pl.col("core")
    first_upper = core.str.slice(0, 1).str.to_uppercase() + core.str.slice(1)
    frame = frame.with_columns(
        core=pl.when(core.str.contains(rf"^(?:{_PARTICLES})(?:\s|$)")).then(first_upper).otherwise(core)
    )
    last = core.str.extract_groups(rf"^(.*\s)({_PARTICLES})$")
    frame = frame.with_columns(
        core=pl.when(last.struct[1].is_not_null())
        .then(last.struct[0] + last.struct[1].str.slice(0, 1).str.to_uppercase() + last.struct[1].str.slice(1))
        .otherwise(core)
    )
    latin_value = blank_to_null(
        pl.concat_str(blank_to_null(pl.col("core")), "generational", "suffix", separator=" ", ignore_nulls=True)
    )
    mixed_value = pl.concat_str(
        pl.col("text_cased").str.replace_all(r"(\p{Han})\s+(\p{Han})", "${1}${2}")
        .str.replace_all(r"(\p{Han})\s+(\p{Han})", "${1}${2}"),
        "suffix", separator=" ", ignore_nulls=True,
    )
    han_parsed = pl.col("han_parsed")
    other_key = pl.col("text_cased").str.to_lowercase().str.split(" ").list.sort().list.join("|")
    frame = frame.with_columns(
        value=pl.when(script == "zh").then(pl.col("zh_value"))
        .when(latin).then(latin_value.str.normalize("NFKC"))
        .when(script == "mixed").then(mixed_value.str.normalize("NFKC")),
        family_name=pl.when(han_parsed).then(pl.col("zh_family")).when(latin).then(pl.col("lat_family")),
        given_name=pl.when(han_parsed).then(pl.col("zh_given")).when(latin).then(pl.col("lat_given")),
        key_family=pl.when(han_parsed).then(pl.col("zh_family_py")).when(latin).then(pl.col("family_key")),
        key_given=pl.when(han_parsed).then(pl.col("zh_given_py")).when(latin).then(pl.col("given_key")),
        pinyin_key=blank_to_null(
            pl.when(han_parsed).then(pl.concat_str("zh_family_py", "zh_given_py", ignore_nulls=True))
            .when(latin & pl.col("all_pinyin")).then(pl.concat_str("family_key", "given_key", ignore_nulls=True))
        ),
    )
    frame = frame.with_columns(
        name_key=pl.when(pl.col("key_family").is_not_null() | pl.col("key_given").is_not_null())
        .then(_sorted_pair(pl.col("key_family"), pl.col("key_given")))
        .when(pl.col("script") == "mixed").then(other_key),
    )
    return frame.with_columns(
        issue=issue_from(
            (pl.col("formula"), SPREADSHEET_FORMULA),
            (pl.col("raw").is_not_null() & pl.col("company"), "looks_like_company"),
            (pl.col("raw").is_not_null() & pl.col("value").is_null(), "not_a_name"),
            (pl.col("multiple"), "multiple_names"),
            ((han_parsed | latin) & (pl.col("family_name").is_null() | pl.col("given_name").is_null()), "incomplete_name"),
            (pl.col("changed"), "invalid_characters"),
        )
    )

"""Gender codes and honorifics, Chinese and Latin, onto ``F`` / ``M``.

Everything is a lookup after NFKC + lower-casing, so it stays a plain vectorized expression.
"""

from __future__ import annotations

import polars as pl

GENDER_FIELDS = pl.Struct({"value": pl.String, "issue": pl.String})

# "" marks a recognized "unknown / not stated" answer: value null, but no issue to chase.
GENDER_CODES: dict[str, str] = {
    **dict.fromkeys(
        ["男", "男性", "男士", "男生", "先生", "m", "male", "man", "mr", "mister", "sir", "boy", "1", "1.0"], "M"
    ),
    **dict.fromkeys(
        ["女", "女性", "女士", "女生", "小姐", "太太", "夫人", "f", "female", "woman", "w", "mrs", "ms", "miss",
         "madam", "girl", "2", "2.0"],
        "F",
    ),
    **dict.fromkeys(
        ["0", "0.0", "9", "9.0", "未知", "未说明", "不详", "不明", "保密", "其他", "u", "unknown", "n/a", "na",
         "none", "null", "other", "x", "-", "?"],
        "",
    ),
}

_MALE_HONORIFIC = r"先生$|(?i:(?:^|,)\s*(?:mr|mister|sir)(?:\.|\s|$))"
_FEMALE_HONORIFIC = r"(?:女士|小姐|太太|夫人)$|(?i:(?:^|,)\s*(?:mrs|ms|miss|mme|madam|madame|mlle|lady|dame)(?:\.|\s|$))"


def standardize_gender(expr: pl.Expr) -> pl.Expr:
    """Struct of ``value`` (``F`` | ``M`` | null) and ``issue`` (``unknown_gender`` for unrecognized text).

    Codes follow GB/T 2261.1 (1 male, 2 female, 0/9 unknown); titles such as 先生 or Mrs count too.
    """
    text = expr.cast(pl.String).str.normalize("NFKC").str.strip_chars().str.to_lowercase().str.strip_chars(".。")
    code = text.replace_strict(GENDER_CODES, default="?unrecognized", return_dtype=pl.String)
    value = pl.when(code.is_in(["F", "M"])).then(code)
    issue = pl.when((text != "") & (code == "?unrecognized")).then(pl.lit("unknown_gender"))
    return pl.struct(value=value, issue=issue)


def gender_from_honorific(name_expr: pl.Expr) -> pl.Expr:
    """``F`` / ``M`` from a title in a name ("王先生", "李女士", "Mrs Smith"), else null.

    Call centres and tickets often record only surname + title, which is the only gender evidence there.
    """
    name = name_expr.cast(pl.String).str.normalize("NFKC").str.strip_chars()
    male = name.str.contains(_MALE_HONORIFIC)
    female = name.str.contains(_FEMALE_HONORIFIC)
    return pl.when(male & ~female).then(pl.lit("M")).when(female & ~male).then(pl.lit("F")).otherwise(None)

"""Text clean-up every standardizer starts from.

Customer columns repeat heavily (a million rows hold a few hundred thousand names and a few
hundred provinces), so each standardizer computes its struct over the distinct inputs only and
maps it back with one hash join (``assets/standardize/distinct.py``).
"""

from __future__ import annotations

import polars as pl

# Punctuation NFKC leaves alone but sources use interchangeably with ASCII.
CJK_PUNCTUATION: dict[str, str] = {
    "、": ",", "。": ".", "【": "[", "】": "]", "〔": "(", "〕": ")", "〖": "[", "〗": "]",
    "「": '"', "」": '"', "『": '"', "』": '"', "“": '"', "”": '"', "„": '"', "‟": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'", "ʼ": "'",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "〜": "~", "〰": "~",
}

_INVISIBLE = r"[\p{Cf}\p{Co}\p{Cn}]"
_SPACING = r"[\p{Cc}\p{Z}]+"


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFKC (full-width to half-width), invisible and control characters dropped, CJK punctuation
    mapped to ASCII, whitespace collapsed and trimmed; blank becomes null."""
    text = (
        expr.cast(pl.String)
        .str.normalize("NFKC")
        .str.replace_all(_INVISIBLE, "")
        .str.replace_many(list(CJK_PUNCTUATION), list(CJK_PUNCTUATION.values()))
        .str.replace_all(_SPACING, " ")
        .str.strip_chars(" ")
    )
    return blank_to_null(text)


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    return expr.replace("", None)


def ascii_fold(expr: pl.Expr) -> pl.Expr:
    """Lower-case with diacritics removed ("José" -> "jose"), for keys only."""
    return expr.str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase()


def issue_from(*conditions: tuple[pl.Expr, str]) -> pl.Expr:
    """First matching (condition, code) wins; null when none does."""
    chain = pl.when(conditions[0][0]).then(pl.lit(conditions[0][1]))
    for condition, code in conditions[1:]:
        chain = chain.when(condition).then(pl.lit(code))
    return chain.otherwise(pl.lit(None, pl.String))

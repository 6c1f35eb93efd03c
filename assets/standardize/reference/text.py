"""Text clean-up every standardizer starts from, and the run-once-per-distinct-value wrapper they share.

Customer columns repeat heavily (a million rows hold a few hundred thousand names and a few
hundred provinces), so each standardizer computes its struct over the distinct inputs only and
maps it back with one hash join.
"""

from __future__ import annotations

from collections.abc import Callable

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


def on_distinct(inputs: pl.Expr, compute: Callable[[pl.Series], pl.Series], dtype: pl.DataType) -> pl.Expr:
    """Apply `compute` (distinct inputs -> results of the same length) once per distinct input value
    and join the results back onto every row."""

    def run(column: pl.Series) -> pl.Series:
        keys = column.unique()
        results = compute(keys)
        lookup = pl.DataFrame({"key": keys, "result": results})
        return (
            column.to_frame("key")
            .join(lookup, on="key", how="left", nulls_equal=True, maintain_order="left")
            .get_column("result")
            .alias(column.name)
        )

    return inputs.map_batches(run, return_dtype=dtype).name.keep()


def issue_from(*conditions: tuple[pl.Expr, str]) -> pl.Expr:
    """First matching (condition, code) wins; null when none does."""
    chain = pl.when(conditions[0][0]).then(pl.lit(conditions[0][1]))
    for condition, code in conditions[1:]:
        chain = chain.when(condition).then(pl.lit(code))
    return chain.otherwise(pl.lit(None, pl.String))

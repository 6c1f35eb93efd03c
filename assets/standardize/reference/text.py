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

# Characters that render as nothing, removed before any field is parsed: format characters (Cf: zero-width
# space, ZWNJ/ZWJ, word joiner, BOM, soft hyphen, bidi marks, embeddings and isolates, Arabic number signs,
# tags ...) and the rest of Unicode's default-ignorable code points (variation selectors, Hangul fillers,
# combining grapheme joiner, Mongolian variation selectors), private-use and unassigned code points.
# NFKC never produces one of them, so removing them first is enough.
_INVISIBLE = r"[\p{Cf}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}]"
# Control characters (tab, CR, LF, NUL ...), every Unicode space and the line/paragraph separators U+2028/U+2029.
_SPACING = r"[\p{Cc}\p{Z}]+"


def strip_invisible(expr: pl.Expr) -> pl.Expr:
    """Invisible characters removed and control characters and separators turned into single spaces: the first
    step of every text standardizer (through ``clean_text``, or directly for phones and emails), so that a
    zero-width space inside "138 0013 8000" does not stop it parsing. Vectorized; nothing else is changed."""
    return expr.cast(pl.String).str.replace_all(_INVISIBLE, "").str.replace_all(_SPACING, " ")


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Invisible characters dropped and control characters made spaces (``strip_invisible``), NFKC (full-width
    to half-width), CJK punctuation mapped to ASCII, whitespace collapsed and trimmed; blank becomes null."""
    text = (
        strip_invisible(expr)
        .str.normalize("NFKC")
        .str.replace_many(list(CJK_PUNCTUATION), list(CJK_PUNCTUATION.values()))
        .str.replace_all(_SPACING, " ")
        .str.strip_chars(" ")
    )
    return blank_to_null(text)


SPREADSHEET_FORMULA = "spreadsheet_formula"
# What a spreadsheet would evaluate (CSV/formula injection): a leading = + - or @ followed by the shape of a
# formula, so that "-John", "+Plus Inc" and "@Home Network" are left alone. Shapes: a function call with an
# ASCII name and no space before "(" (HYPERLINK(, @SUM(, _xlfn.CONCAT(); a DDE pipe (cmd|' /C calc'!A0); a sheet
# reference (Sheet1!A1); a cell reference or number that ends the text or is followed by an operator
# (=A1, =$B$2:C3, =1+2, -2+3, =10%); a quoted string being concatenated (="a"&"b").
_FORMULA = (
    r"^[=+\-@][=+\-@\s]*(?:"
    r"[A-Za-z_][A-Za-z0-9_.]*\("
    r"|.*\|"
    r"|.*!\s*\$?[A-Za-z]{1,3}\$?[0-9]"
    r"|\$?[A-Za-z]{1,3}\$?[0-9]+\s*(?:[-+*/^&:,;=<>%)]|$)"
    r"|\(*\.?[0-9][0-9.]*\s*(?:[-+*/^&:,;=<>%)]|$)"
    r'|"[^"]*"\s*&'
    r")"
)


def is_spreadsheet_formula(expr: pl.Expr) -> pl.Expr:
    """True where cleaned text (``clean_text``) looks like a spreadsheet formula (see ``_FORMULA``); name
    standardizers null such values with issue ``spreadsheet_formula`` instead of keeping a mangled remainder
    ("HYPERLINKhttp"). Null stays null."""
    return expr.str.contains(_FORMULA)


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

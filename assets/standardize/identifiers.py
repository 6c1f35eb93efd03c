"""Identifiers of any scheme: checked by the scheme the mapping declares, never guessed from the data.

Schemes: ``cn_resident`` and ``cn_uscc`` (our vectorized checks in companies.py), ``opaque`` (member
or loyalty numbers: normalized, never validated) and any python-stdnum module by its dotted path
under ``stdnum`` (``us.ssn``, ``de.idnr``), whose ``validate``/``compact`` run once per distinct value.
"""

from __future__ import annotations

import difflib
import importlib
import re
import warnings
from functools import cache
from types import ModuleType

import polars as pl

from assets.standardize.companies import validate_resident_id, validate_uscc
from assets.standardize.distinct import distinct_lookup, per_distinct_text
from assets.standardize.reference.text import clean_text

BUILTIN_SCHEMES = ("cn_resident", "cn_uscc", "opaque")
IDENTIFIER = pl.Struct({"scheme": pl.String, "value": pl.String})
RAW_IDENTIFIER = pl.Struct({"column": pl.String, "scheme": pl.String, "value": pl.String})
CHECKED = pl.Struct({"value": pl.String, "issue": pl.String})

_MODULE_PATH = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")
# Separators people type inside member numbers; \p{Cf}/\p{Cc} are invisible or control characters.
_OPAQUE_NOISE = r"[\s\p{Z}\p{Pd}\p{Cf}\p{Cc}./\\]"


@cache
def stdnum_module(scheme: str) -> ModuleType | None:
    """The python-stdnum module named ``scheme`` if it is a number module (has ``validate``), else None."""
    if not _MODULE_PATH.match(scheme):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # transitional stdnum modules still work
        try:
            module = importlib.import_module(f"stdnum.{scheme}")
        except ImportError:
            return None
    return module if callable(getattr(module, "validate", None)) else None


@cache
def known_schemes() -> tuple[str, ...]:
    """Every scheme name, for hints only: importing all stdnum modules takes most of a second."""
    from stdnum.util import get_number_modules

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        names = [m.__name__.removeprefix("stdnum.") for m in get_number_modules()]
    return (*BUILTIN_SCHEMES, *names)


def check_scheme(scheme: str) -> str:
    """``scheme`` if it names a scheme; ValueError (with a close match) otherwise, so a typo fails at load."""
    if scheme in BUILTIN_SCHEMES or stdnum_module(scheme) is not None:
        return scheme
    hint = difflib.get_close_matches(scheme, known_schemes(), n=1)
    raise ValueError(
        f"unknown identifier scheme {scheme!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
        + "; use cn_resident, cn_uscc, opaque or a python-stdnum module such as us.ssn"
    )


def _opaque_step(values: pl.Series) -> pl.Series:
    text = values.str.normalize("NFKC").str.to_uppercase().str.replace_all(_OPAQUE_NOISE, "")
    return text.replace("", None)


def _opaque_fixed_point(frame: pl.DataFrame) -> pl.Series:
    # NFKC can bring separators back ("℅" -> "c/o") and removing one can let NFKC compose anew
    # ("e-\u0301"): repeat to a fixed point so that normalizing twice changes nothing.
    current = frame["raw"]
    for _ in range(8):
        following = _opaque_step(current)
        if following.equals(current):
            break
        current = following
    return current


def normalize_opaque(values: pl.Series) -> pl.Series:
    """NFKC, upper-case, spaces/dashes/dots/slashes removed; empty becomes null."""
    return per_distinct_text(values, _opaque_fixed_point).rename(values.name)


def _stdnum_check(module: ModuleType, text: str) -> dict[str, str | None]:
    try:
        number = module.validate(text)
        value = module.compact(number) if hasattr(module, "compact") else number
    except Exception:  # a third-party check failing on odd input is a failed check, not a failed run
        return {"value": None, "issue": "invalid"}
    return {"value": str(value), "issue": None}


def _checked(scheme: str, raw: pl.Series) -> pl.DataFrame:
    """``value`` (normalized, null unless valid) and ``issue`` for the raw values of one scheme."""
    frame = raw.rename("raw").to_frame()
    if scheme == "opaque":
        return pl.DataFrame({"value": normalize_opaque(raw), "issue": pl.Series([None] * raw.len(), dtype=pl.String)})
    if scheme in ("cn_resident", "cn_uscc"):
        check = validate_resident_id if scheme == "cn_resident" else validate_uscc
        out = frame.select(check(pl.col("raw")).struct.field("value", "issue"))
        # Keep a correction's own reason (upgraded_from_15_digits); a failure names the scheme.
        return out.with_columns(pl.when(pl.col("value").is_not_null()).then("issue").otherwise(pl.lit("invalid")).alias("issue"))
    module = stdnum_module(scheme)
    cleaned = frame.select(clean_text(pl.col("raw")))["raw"]
    result = distinct_lookup(cleaned, lambda text: _stdnum_check(module, text), CHECKED)
    return result.struct.unnest()


def check_identifiers(long: pl.DataFrame) -> pl.DataFrame:
    """``long`` (one row per raw identifier: ``scheme``, ``original_value``, ...) with ``value`` and ``issue``.

    ``value`` is the normalized value, null unless valid; ``issue`` names the scheme a value failed."""
    parts = []
    for scheme in long["scheme"].unique(maintain_order=True).to_list():
        part = long.filter(pl.col("scheme") == scheme)
        checked = _checked(scheme, part["original_value"])
        parts.append(part.with_columns(
            checked["value"].alias("value"),
            pl.when(checked["issue"] == "invalid").then(pl.lit(f"invalid_identifier: not a valid {scheme}"))
            .otherwise(checked["issue"]).alias("issue"),
        ))
    if not parts:
        return long.with_columns(pl.lit(None, dtype=pl.String).alias("value"), pl.lit(None, dtype=pl.String).alias("issue"))
    return pl.concat(parts)

"""Phone numbers onto E.164 with line type and extension.

Chinese mobiles and landlines are the bulk of the data and are decided by regexes (landlines by
the CN fixed-line pattern of the installed ``phonenumbers`` metadata, so both paths agree);
everything else goes to ``phonenumbers`` once per distinct (number, region) pair.
"""

from __future__ import annotations

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata, PhoneNumberType

from assets.standardize.reference.text import strip_invisible

PHONE_FIELDS = pl.Struct({"value": pl.String, "line_type": pl.String, "extension": pl.String, "issue": pl.String})
_PARSED = pl.Struct({"e164": pl.String, "line_type": pl.String})

LINE_TYPES: dict[int, str] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.VOIP: "voip",
}
REGION_ALIASES: dict[str, str] = {"UK": "GB"}

_BETWEEN_NUMBERS = ";,、|"
_EXTENSION = r"(?i)^(.*[0-9)])[\s,.\-]*(?:ext|extension|x|#|转|轉|分机号?|分機)\s*[.:]?\s*([0-9]{1,6})$"
_SEPARATORS = r"[\s\-.()\[\]/]"
_CN_MOBILE = r"^(?:\+86|0086|86|0)?(1[3-9][0-9]{9})$"
_MIN_DIGITS, _MAX_DIGITS = 6, 20


def _cn_fixed_line_patterns() -> tuple[str, str, list[int]]:
    """CN fixed-line pattern, the union of every other CN number type, and fixed-line lengths."""
    metadata = PhoneMetadata.metadata_for_region("CN")
    others = [
        desc.national_number_pattern
        for desc in (metadata.mobile, metadata.toll_free, metadata.premium_rate, metadata.shared_cost,
                     metadata.voip, metadata.personal_number, metadata.pager, metadata.uan, metadata.voicemail)
        if desc is not None and desc.national_number_pattern
    ]
    fixed = metadata.fixed_line
    return f"^(?:{fixed.national_number_pattern})$", f"^(?:{'|'.join(others)})$", list(fixed.possible_length)


_CN_FIXED, _CN_NOT_FIXED, _CN_FIXED_LENGTHS = _cn_fixed_line_patterns()


def standardize_phone(expr: pl.Expr, default_region: str | pl.Expr = "CN") -> pl.Expr:
    """Struct of ``value`` (E.164), ``line_type``, ``extension`` and ``issue``.

    ``default_region`` (ISO 3166 alpha-2, constant or per-row column) applies to numbers written
    without a country code; a null region means the number must carry its own ``+`` code.
    Invisible characters (zero-width space, soft hyphen, bidi marks ...) are removed and control characters
    read as spaces before parsing, silently.
    Issues: ``not_a_number``, ``invalid_phone`` (value null), ``multiple_phones`` (first one kept).
    """
    region = default_region if isinstance(default_region, pl.Expr) else pl.lit(default_region)
    inputs = pl.struct(raw=expr.cast(pl.String), region=region.cast(pl.String))
    return inputs.map_batches(_per_distinct, return_dtype=PHONE_FIELDS)


def _parse_phone(number: str, region: str) -> dict[str, str] | None:
    """E.164 and line type of a valid number, None when ``phonenumbers`` rejects it or it is a filler."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed) or len(set(str(parsed.national_number))) == 1:
        return None
    return {
        "e164": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        "line_type": LINE_TYPES.get(phonenumbers.number_type(parsed), "other"),
    }


def _parse_distinct(keys: pl.Series) -> pl.Series:
    """``_parse_phone`` once per distinct ``region|number`` key, broadcast back onto every row."""
    distinct = keys.drop_nulls().unique()
    parsed = [_parse_phone(number, region) for region, _, number in (key.partition("|") for key in distinct)]
    lookup = pl.DataFrame({"key": distinct, "parsed": pl.Series(parsed, dtype=_PARSED)})
    return keys.rename("key").to_frame().join(lookup, on="key", how="left", maintain_order="left")["parsed"]


def _per_distinct(inputs: pl.Series) -> pl.Series:
    """Numbers repeat across records and sources: standardize each distinct (text, region) once, join back."""
    keys = inputs.struct.unnest()
    distinct = keys.unique()
    done = distinct.with_columns(standardized=_standardize_phones(distinct))
    joined = keys.join(done, on=["raw", "region"], how="left", maintain_order="left", nulls_equal=True)
    return joined["standardized"]


def _standardize_phones(inputs: pl.DataFrame) -> pl.Series:
    """All fields in one pass, so the Python parser runs once per distinct leftover, not once per field."""
    text = strip_invisible(pl.col("raw")).str.normalize("NFKC").str.strip_chars().str.strip_chars(_BETWEEN_NUMBERS)
    region = pl.col("region").str.strip_chars().str.to_uppercase()
    frame = inputs.select(
        text=text,
        region=region.replace(REGION_ALIASES).replace("", None).fill_null("ZZ"),
    )
    first = pl.col("text").str.extract(f"^([^{_BETWEEN_NUMBERS}]*)")
    slash_pair = pl.col("text").str.extract_groups(r"^([^/]*)/(.*)$")
    frame = frame.with_columns(
        first=first, before_slash=slash_pair.struct["1"], after_slash=slash_pair.struct["2"]
    ).with_columns(
        more_after_separator=pl.col("text").str.slice(pl.col("first").str.len_chars()).str.contains(r"[0-9]{3}"),
        two_by_slash=(pl.col("before_slash").str.count_matches(r"[0-9]") >= 7)
        & (pl.col("after_slash").str.count_matches(r"[0-9]") >= 7),
    )
    frame = frame.with_columns(
        first=pl.when(pl.col("two_by_slash")).then(pl.col("before_slash")).otherwise(pl.col("first")),
        multiple=(pl.col("more_after_separator") | pl.col("two_by_slash")).fill_null(False),
    )
    extension = pl.col("first").str.extract_groups(_EXTENSION)
    frame = frame.with_columns(
        extension=extension.struct["2"],
        main=pl.coalesce(extension.struct["1"], pl.col("first")),
    ).with_columns(cleaned=pl.col("main").str.replace_all(_SEPARATORS, ""))
    digits = pl.col("cleaned").str.strip_prefix("+")
    frame = frame.with_columns(
        blank=pl.col("cleaned").fill_null("") == "",
        numeric=pl.col("cleaned").str.contains(r"^\+?[0-9]+$").fill_null(False),
        plausible=digits.str.len_bytes().is_between(_MIN_DIGITS, _MAX_DIGITS)
        & (digits.str.strip_chars(digits.str.slice(0, 1)) != ""),
        cn_mobile=pl.col("cleaned").str.extract(_CN_MOBILE),
    )
    in_cn = pl.col("region") == "CN"
    cleaned = pl.col("cleaned")
    cn_national = (
        pl.when(cleaned.str.starts_with("+86"))
        .then(cleaned.str.slice(3))
        .when(in_cn & cleaned.str.starts_with("0086"))
        .then(cleaned.str.slice(4))
        .when(in_cn & cleaned.str.starts_with("0"))
        .then(cleaned.str.slice(1))
    )
    frame = frame.with_columns(
        cn_mobile=pl.when(in_cn | cleaned.str.starts_with("+86")).then(pl.col("cn_mobile")),
        cn_fixed=pl.when(
            pl.col("plausible")
            & cn_national.str.len_bytes().is_in(_CN_FIXED_LENGTHS)
            & cn_national.str.contains(_CN_FIXED)
            & ~cn_national.str.contains(_CN_NOT_FIXED)
        ).then(cn_national),
    )
    fast_value = pl.coalesce("+86" + pl.col("cn_mobile"), "+86" + pl.col("cn_fixed"))
    fast_line_type = pl.when(pl.col("cn_mobile").is_not_null()).then(pl.lit("mobile")).otherwise(pl.lit("fixed"))
    frame = frame.with_columns(fast=fast_value.is_not_null())
    slow_key = pl.when(~pl.col("fast") & pl.col("numeric") & pl.col("plausible")).then(
        pl.col("region") + "|" + pl.col("cleaned")
    )
    parsed = _parse_distinct(frame.select(slow_key).to_series())
    frame = frame.with_columns(parsed=parsed).with_columns(
        value=pl.when(pl.col("fast")).then(fast_value).otherwise(pl.col("parsed").struct["e164"]),
        line_type=pl.when(pl.col("fast")).then(fast_line_type).otherwise(pl.col("parsed").struct["line_type"]),
    )
    issue = (
        pl.when(pl.col("blank"))
        .then(pl.lit(None, dtype=pl.String))
        .when(~pl.col("numeric"))
        .then(pl.lit("not_a_number"))
        .when(pl.col("value").is_null())
        .then(pl.lit("invalid_phone"))
        .when(pl.col("multiple"))
        .then(pl.lit("multiple_phones"))
    )
    return frame.select(
        pl.struct(
            value="value",
            line_type="line_type",
            extension=pl.when(pl.col("value").is_not_null()).then(pl.col("extension")),
            issue=issue,
        )
    ).to_series()

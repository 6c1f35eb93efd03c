"""Dates and timestamps from the spellings real sources use, onto ``pl.Date`` and UTC ``pl.Datetime``.

Numeric shapes (ISO, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105, d/m/y, Excel serials) and English
month names are parsed with Polars expressions. ``dateutil`` sees only distinct leftovers that
contain letters: its guesses on bare digit strings are unpredictable, ours are documented here.

Day/month order of ``a-b-yyyy``, ``a.b.yyyy`` and ``a/b/yyyy``: a part above 12 decides. Otherwise
``day_first`` decides, and when it is None, ``-`` and ``.`` read day-first (European) while ``/``
reads month-first (US); the row is then flagged ``ambiguous_day_month`` if the readings differ.
Two-digit years take the century that puts them at or before ``as_of`` (flagged ``two_digit_year``).
Excel serials are 5-digit day counts (10000-80000, i.e. 1927-2119) from 1899-12-30, the origin
that absorbs Excel's phantom 1900-02-29; shorter digit strings are more likely years or junk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

import polars as pl

from assets.standardize.distinct import distinct_lookup, per_distinct_text
from dateutil import parser as dateutil_parser

DATE_FIELDS = pl.Struct({"value": pl.Date, "issue": pl.String})
TIMESTAMP_FIELDS = pl.Struct({"value": pl.Datetime("us", "UTC"), "issue": pl.String})

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}

_EXCEL_ORIGIN = datetime(1899, 12, 30)
_EXCEL_SERIALS = (10_000, 80_000)
_MAX_FALLBACK_CHARS = 64
_MAX_AGE_YEARS = 120

_TIME = (
    r"(?:t|\s+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?"
    r"\s*(am|pm|a\.m\.|p\.m\.)?\s*(z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_SPLIT_TIME = rf"^(.*?){_TIME}$"
_YMD = r"^([0-9]{4})\s*(?:[-/.]|年)\s*([0-9]{1,2})\s*(?:[-/.]|月)\s*([0-9]{1,2})\s*日?$"
_COMPACT = r"^([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2})([0-9]{2})?)?$"
_DMY = r"^([0-9]{1,2})\s*([-/.])\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{4}|[0-9]{2})$"
_D_MON_Y = r"^([0-9]{1,2})(?:st|nd|rd|th)?[\s\-/.,]*([a-z]{3,9})\.?[\s\-/.,]*([0-9]{4}|[0-9]{2})$"
_MON_D_Y = r"^([a-z]{3,9})\.?[\s\-/.,]*([0-9]{1,2})(?:st|nd|rd|th)?[\s\-/.,]+([0-9]{4})$"
_Y_MON_D = r"^([0-9]{4})[\s\-/.,]*([a-z]{3,9})\.?[\s\-/.,]*([0-9]{1,2})$"
_SERIAL = r"^[0-9]{5}(?:\.[0-9]+)?$"
_OFFSET = r"^([+-])([0-9]{2}):?([0-9]{2})?$"


def standardize_date(
    expr: pl.Expr,
    *,
    day_first: bool | None = None,
    min_year: int = 1900,
    as_of: date | None = None,
    kind: Literal["any", "birth"] = "any",
) -> pl.Expr:
    """Struct of ``value`` (``pl.Date``) and ``issue``.

    Issues nulling the value: ``unparseable_date``, ``date_before_min_year``, and for
    ``kind="birth"`` ``birth_date_in_future`` / ``age_over_120`` (relative to ``as_of``, default today).
    Issues keeping it: ``ambiguous_day_month``, ``two_digit_year``. A time or offset is ignored:
    the date is the one written.
    """
    transform = partial(
        _standardize_dates, day_first=day_first, min_year=min_year, as_of=as_of or date.today(), kind=kind
    )
    return expr.map_batches(partial(per_distinct_text, transform=transform), return_dtype=DATE_FIELDS)


def standardize_timestamp(expr: pl.Expr, *, default_tz: str = "Asia/Shanghai") -> pl.Expr:
    """Struct of ``value`` (``pl.Datetime("us", "UTC")``) and ``issue``.

    Times without an offset (and dates alone, at midnight) are read in ``default_tz``; Excel serials
    may carry a day fraction; 10/13-digit numbers are Unix epoch seconds/milliseconds. Issues:
    ``unparseable_timestamp`` and ``nonexistent_local_time`` (null value), ``ambiguous_day_month``,
    ``two_digit_year``.
    """
    transform = partial(_standardize_timestamps, default_tz=default_tz, pivot_year=date.today().year)
    return expr.map_batches(partial(per_distinct_text, transform=transform), return_dtype=TIMESTAMP_FIELDS)




def _two_defaults(text: str, dayfirst: bool) -> datetime | None:
    """dateutil's reading, or None when it had to invent a missing year, month or day."""
    try:
        first = dateutil_parser.parse(text, dayfirst=dayfirst, default=datetime(2000, 1, 1))
        second = dateutil_parser.parse(text, dayfirst=dayfirst, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    return first if first.date() == second.date() else None


def _fallback_date(text: str, dayfirst: bool) -> date | None:
    parsed = _two_defaults(text, dayfirst)
    return parsed.date() if parsed else None


def _fallback_timestamp(text: str, default_tz: str) -> datetime | None:
    parsed = _two_defaults(text, dayfirst=False)
    if parsed is None:
        return None
    try:
        aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(default_tz))
        return aware.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None




def _full_year(year: pl.Expr, pivot_year: int) -> pl.Expr:
    as_int = year.cast(pl.Int32, strict=False)
    century = pl.when(as_int <= pivot_year % 100).then(pivot_year // 100 * 100).otherwise(pivot_year // 100 * 100 - 100)
    return pl.when(year.str.len_bytes() == 2).then(as_int + century).otherwise(as_int)


def _parts(frame: pl.DataFrame, day_first: bool | None, pivot_year: int) -> pl.DataFrame:
    """Year/month/day (and time-of-day text) from every supported numeric or month-name shape."""
    low = pl.col("raw").str.normalize("NFKC").str.strip_chars().str.to_lowercase()
    frame = frame.select(low=low).with_columns(split=pl.col("low").str.extract_groups(_SPLIT_TIME))
    frame = frame.with_columns(
        date_text=pl.coalesce(pl.col("split").struct["1"], pl.col("low")).str.strip_chars(),
    ).with_columns(
        ymd=pl.col("date_text").str.extract_groups(_YMD),
        compact=pl.col("date_text").str.extract_groups(_COMPACT),
        dmy=pl.col("date_text").str.extract_groups(_DMY),
        d_mon_y=pl.col("date_text").str.extract_groups(_D_MON_Y),
        mon_d_y=pl.col("date_text").str.extract_groups(_MON_D_Y),
        y_mon_d=pl.col("date_text").str.extract_groups(_Y_MON_D),
    )
    a = pl.col("dmy").struct["1"].cast(pl.Int32)
    b = pl.col("dmy").struct["3"].cast(pl.Int32)
    order_default = pl.lit(day_first) if day_first is not None else pl.col("dmy").struct["2"] != "/"
    day_is_a = pl.when(a > 12).then(True).when(b > 12).then(False).otherwise(order_default)

    def month(name: pl.Expr) -> pl.Expr:
        return name.replace_strict(MONTHS, default=None, return_dtype=pl.Int32)

    year_text = pl.coalesce(pl.col("dmy").struct["4"], pl.col("d_mon_y").struct["3"])
    return frame.with_columns(
        year=pl.coalesce(
            pl.col("ymd").struct["1"].cast(pl.Int32),
            pl.col("compact").struct["1"].cast(pl.Int32),
            _full_year(year_text, pivot_year),
            pl.col("mon_d_y").struct["3"].cast(pl.Int32),
            pl.col("y_mon_d").struct["1"].cast(pl.Int32),
        ),
        month=pl.coalesce(
            pl.col("ymd").struct["2"].cast(pl.Int32),
            pl.col("compact").struct["2"].cast(pl.Int32),
            pl.when(day_is_a).then(b).otherwise(a),
            month(pl.col("d_mon_y").struct["2"]),
            month(pl.col("mon_d_y").struct["1"]),
            month(pl.col("y_mon_d").struct["2"]),
        ),
        day=pl.coalesce(
            pl.col("ymd").struct["3"].cast(pl.Int32),
            pl.col("compact").struct["3"].cast(pl.Int32),
            pl.when(day_is_a).then(a).otherwise(b),
            pl.col("d_mon_y").struct["1"].cast(pl.Int32),
            pl.col("mon_d_y").struct["2"].cast(pl.Int32),
            pl.col("y_mon_d").struct["3"].cast(pl.Int32),
        ),
        ambiguous=((a <= 12) & (b <= 12) & (a != b) & pl.lit(day_first is None)).fill_null(False),
        two_digit_year=(year_text.str.len_bytes() == 2).fill_null(False),
        serial=pl.when(pl.col("date_text").str.contains(_SERIAL)).then(
            pl.col("date_text").cast(pl.Float64, strict=False)
        ),
    ).with_columns(
        serial=pl.when(pl.col("serial").is_between(*_EXCEL_SERIALS)).then(pl.col("serial")),
        calendar_date=pl.format("{}-{}-{}", "year", "month", "day").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        blank=pl.col("low").fill_null("") == "",
        fallback_text=pl.when(
            pl.col("low").str.contains("[a-z]") & (pl.col("low").str.len_chars() <= _MAX_FALLBACK_CHARS)
        ).then(pl.col("low")),
    )


def _standardize_dates(
    frame: pl.DataFrame, day_first: bool | None, min_year: int, as_of: date, kind: str
) -> pl.Series:
    parts = _parts(frame, day_first, as_of.year)
    excel = pl.lit(_EXCEL_ORIGIN.date()) + pl.duration(days=pl.col("serial").floor().cast(pl.Int64))
    parts = parts.with_columns(parsed=pl.coalesce("calendar_date", excel))
    leftovers = parts.select(pl.when(pl.col("parsed").is_null()).then(pl.col("fallback_text"))).to_series()
    fallback = distinct_lookup(leftovers, partial(_fallback_date, dayfirst=bool(day_first)), pl.Date)
    parts = parts.with_columns(parsed=pl.coalesce("parsed", fallback))

    parsed = pl.col("parsed")
    birth = pl.lit(kind == "birth")
    issue = (
        pl.when(pl.col("blank"))
        .then(pl.lit(None, dtype=pl.String))
        .when(parsed.is_null())
        .then(pl.lit("unparseable_date"))
        .when(parsed.dt.year() < min_year)
        .then(pl.lit("date_before_min_year"))
        .when(birth & (parsed > as_of))
        .then(pl.lit("birth_date_in_future"))
        .when(birth & (parsed < _years_before(as_of, _MAX_AGE_YEARS)))
        .then(pl.lit("age_over_120"))
        .when(pl.col("ambiguous"))
        .then(pl.lit("ambiguous_day_month"))
        .when(pl.col("two_digit_year"))
        .then(pl.lit("two_digit_year"))
    )
    kept = issue.is_null() | issue.is_in(["ambiguous_day_month", "two_digit_year"])
    return parts.select(pl.struct(value=pl.when(kept).then(parsed), issue=issue)).to_series()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _standardize_timestamps(frame: pl.DataFrame, default_tz: str, pivot_year: int) -> pl.Series:
    parts = _parts(frame, None, pivot_year)
    split, compact = pl.col("split"), pl.col("compact")
    hour = pl.coalesce(split.struct["2"], compact.struct["4"]).cast(pl.Int32).fill_null(0)
    meridiem = split.struct["6"].str.replace_all(".", "", literal=True)
    hour = (
        pl.when((meridiem == "pm") & (hour < 12))
        .then(hour + 12)
        .when((meridiem == "am") & (hour == 12))
        .then(0)
        .otherwise(hour)
    )
    fraction = split.struct["5"].str.slice(0, 6).str.pad_end(6, "0").fill_null("0")
    local_text = pl.format(
        "{}-{}-{} {}:{}:{}.{}",
        "year",
        "month",
        "day",
        hour,
        pl.coalesce(split.struct["3"], compact.struct["5"]).fill_null("0"),
        pl.coalesce(split.struct["4"], compact.struct["6"]).fill_null("0"),
        fraction,
    )
    offset = split.struct["7"]
    offset_parts = offset.str.extract_groups(_OFFSET)
    offset_minutes = pl.when(offset.is_in(["z", "utc", "gmt"])).then(0).otherwise(
        (offset_parts.struct["2"].cast(pl.Int32) * 60 + offset_parts.struct["3"].cast(pl.Int32).fill_null(0))
        * pl.when(offset_parts.struct["1"] == "-").then(-1).otherwise(1)
    )
    epoch_digits = pl.col("date_text").str.extract(r"^([0-9]{10}|[0-9]{13})$")
    epoch_ms = (
        pl.when(epoch_digits.str.len_bytes() == 10)
        .then(epoch_digits.cast(pl.Int64) * 1000)
        .otherwise(epoch_digits.cast(pl.Int64))
    )
    parts = parts.with_columns(
        naive=local_text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f", strict=False),
        offset_minutes=offset_minutes,
        serial_time=pl.lit(_EXCEL_ORIGIN, dtype=pl.Datetime("us"))
        + pl.duration(seconds=(pl.col("serial") * 86_400).round().cast(pl.Int64)),
        epoch=pl.from_epoch(epoch_ms, time_unit="ms").cast(pl.Datetime("us")),
    )
    local = pl.when(pl.col("offset_minutes").is_null()).then(pl.coalesce("naive", "serial_time"))
    from_offset = pl.col("naive") - pl.duration(minutes=pl.col("offset_minutes"))
    parts = parts.with_columns(
        parsed=pl.coalesce(
            local.dt.replace_time_zone(default_tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
                "UTC"
            ),
            pl.coalesce(from_offset, "epoch").dt.replace_time_zone("UTC"),
        ),
        has_local_time=local.is_not_null(),
    )
    leftovers = parts.select(
        pl.when(pl.col("parsed").is_null() & ~pl.col("has_local_time")).then(pl.col("fallback_text"))
    ).to_series()
    fallback = distinct_lookup(
        leftovers, partial(_fallback_timestamp, default_tz=default_tz), pl.Datetime("us", "UTC")
    )
    parts = parts.with_columns(parsed=pl.coalesce("parsed", fallback))
    parsed = pl.col("parsed")
    issue = (
        pl.when(pl.col("blank"))
        .then(pl.lit(None, dtype=pl.String))
        .when(parsed.is_null() & pl.col("has_local_time"))
        .then(pl.lit("nonexistent_local_time"))
        .when(parsed.is_null())
        .then(pl.lit("unparseable_timestamp"))
        .when(pl.col("ambiguous"))
        .then(pl.lit("ambiguous_day_month"))
        .when(pl.col("two_digit_year"))
        .then(pl.lit("two_digit_year"))
    )
    return parts.select(pl.struct(value=parsed, issue=issue)).to_series()

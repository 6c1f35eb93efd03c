"""standardize_date / standardize_timestamp: source spellings, day/month order, birth rules, Excel serials."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.standardize import dates
from assets.standardize.dates import standardize_date, standardize_timestamp

AS_OF = date(2026, 11, 1)
DATE_ALPHABET = st.sampled_from(list("0123456789０１２３４５６７８９-/.: T年月日Zz+janfebdecAPM,") + ["\u3000", "\x00"])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]


def dated(values: list, **options) -> pl.DataFrame:
    frame = pl.DataFrame({"raw": values}, schema={"raw": pl.String})
    return frame.select(std=standardize_date(pl.col("raw"), **options)).unnest("std")


def stamped(values: list, **options) -> pl.DataFrame:
    frame = pl.DataFrame({"raw": values}, schema={"raw": pl.String})
    return frame.select(std=standardize_timestamp(pl.col("raw"), **options)).unnest("std")


@pytest.mark.parametrize(
    ("raw", "options", "value", "issue"),
    [
        ("2024-01-05", {}, date(2024, 1, 5), None),
        ("2024/1/5", {}, date(2024, 1, 5), None),
        ("2024.1.5", {}, date(2024, 1, 5), None),
        ("2024年1月5日", {}, date(2024, 1, 5), None),
        ("２０２４年０１月０５日", {}, date(2024, 1, 5), None),
        ("20240105", {}, date(2024, 1, 5), None),
        (" 1985/3/7 ", {}, date(1985, 3, 7), None),
        ("05-01-2024", {}, date(2024, 1, 5), "ambiguous_day_month"),
        ("05.01.2024", {}, date(2024, 1, 5), "ambiguous_day_month"),
        ("05/01/2024", {}, date(2024, 5, 1), "ambiguous_day_month"),
        ("05/01/2024", {"day_first": True}, date(2024, 1, 5), None),
        ("05-01-2024", {"day_first": False}, date(2024, 5, 1), None),
        ("05/05/2024", {}, date(2024, 5, 5), None),
        ("13/01/2024", {}, date(2024, 1, 13), None),
        ("01/13/2024", {"day_first": True}, date(2024, 1, 13), None),
        ("Jan 5, 2024", {}, date(2024, 1, 5), None),
        ("5 Jan 2024", {}, date(2024, 1, 5), None),
        ("January 5 2024", {}, date(2024, 1, 5), None),
        ("05-JAN-2024", {}, date(2024, 1, 5), None),
        ("Sept. 30, 2023", {}, date(2023, 9, 30), None),
        ("Friday, January 5, 2024", {}, date(2024, 1, 5), None),
        ("2024-01-05T10:00:00+08:00", {}, date(2024, 1, 5), None),
        ("2024-01-05 23:30:00", {}, date(2024, 1, 5), None),
        ("2024/1/5 10:00", {}, date(2024, 1, 5), None),
        ("45296", {}, date(2024, 1, 5), None),
        ("45296.75", {}, date(2024, 1, 5), None),
        ("5-Jan-80", {"as_of": AS_OF}, date(1980, 1, 5), "two_digit_year"),
        ("2024-02-30", {}, None, "unparseable_date"),
        ("0000-00-00", {}, None, "unparseable_date"),
        ("2024年1月", {}, None, "unparseable_date"),
        ("Jan 2024", {}, None, "unparseable_date"),
        ("unknown", {}, None, "unparseable_date"),
        ("1234", {}, None, "unparseable_date"),
        ("1850-01-01", {}, None, "date_before_min_year"),
        ("1850-01-01", {"min_year": 1800}, date(1850, 1, 1), None),
        ("", {}, None, None),
        (None, {}, None, None),
    ],
)
def test_real_world_date_spellings(raw, options, value, issue):
    assert dated([raw], **options).row(0, named=True) == {"value": value, "issue": issue}


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        ("1990年1月5日", date(1990, 1, 5), None),
        ("2026-11-01", date(2026, 11, 1), None),
        ("2026-11-02", None, "birth_date_in_future"),
        ("2030/1/1", None, "birth_date_in_future"),
        ("1906-11-01", date(1906, 11, 1), None),
        ("1906-10-31", None, "age_over_120"),
        ("1900-01-01", None, "age_over_120"),
    ],
)
def test_birth_dates_are_checked_against_as_of(raw, value, issue):
    assert dated([raw], kind="birth", as_of=AS_OF).row(0, named=True) == {"value": value, "issue": issue}


def test_birth_date_age_limit_on_leap_day():
    out = dated(["1900-02-28", "1900-02-27"], kind="birth", as_of=date(2020, 2, 29))
    assert out["issue"].to_list() == [None, "age_over_120"]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("raw", "options", "value", "issue"),
    [
        ("2024-01-05T10:00:00+08:00", {}, utc(2024, 1, 5, 2), None),
        ("2024-01-05T02:00:00Z", {}, utc(2024, 1, 5, 2), None),
        ("2024-01-05T10:00:00.123456+0800", {}, utc(2024, 1, 5, 2, 0, 0, 123456), None),
        ("2024-01-04 21:00:00-05:00", {}, utc(2024, 1, 5, 2), None),
        ("2024-01-05 10:00:00", {}, utc(2024, 1, 5, 2), None),
        ("2024-01-05 10:00:00", {"default_tz": "UTC"}, utc(2024, 1, 5, 10), None),
        ("2024-07-05 10:00:00", {"default_tz": "Europe/London"}, utc(2024, 7, 5, 9), None),
        ("2024/1/5 10:00", {}, utc(2024, 1, 5, 2), None),
        ("2024年1月5日 10:00", {}, utc(2024, 1, 5, 2), None),
        ("2024-01-05", {}, utc(2024, 1, 4, 16), None),
        ("20240105103000", {}, utc(2024, 1, 5, 2, 30), None),
        ("Jan 5, 2024 10:00 PM", {}, utc(2024, 1, 5, 14), None),
        ("Fri, 05 Jan 2024 10:00:00 +0800", {}, utc(2024, 1, 5, 2), None),
        ("45296.75", {}, utc(2024, 1, 5, 10), None),
        ("1704420000", {}, utc(2024, 1, 5, 2), None),
        ("1704420000000", {}, utc(2024, 1, 5, 2), None),
        ("2024-01-05 00:00:00.000000+00:00", {}, utc(2024, 1, 5), None),
        ("05/01/2024 10:00", {}, utc(2024, 5, 1, 2), "ambiguous_day_month"),
        ("2024-03-31 02:30:00", {"default_tz": "Europe/Berlin"}, None, "nonexistent_local_time"),
        ("2024-01-05 25:00:00", {}, None, "unparseable_timestamp"),
        ("yesterday", {}, None, "unparseable_timestamp"),
        ("", {}, None, None),
        (None, {}, None, None),
    ],
)
def test_real_world_timestamp_spellings(raw, options, value, issue):
    assert stamped([raw], **options).row(0, named=True) == {"value": value, "issue": issue}


def test_excel_serials_skip_the_phantom_leap_day():
    origin = date(1899, 12, 30)
    serials = [10_000, 45_296, 60_000, 80_000]
    expected = [origin + timedelta(days=s) for s in serials]
    assert dated([str(s) for s in serials])["value"].to_list() == expected
    assert dated(["9999", "80001"])["issue"].to_list() == ["unparseable_date", "unparseable_date"]


def test_date_and_datetime_columns_pass_through():
    frame = pl.DataFrame({"d": [date(2024, 1, 5), None], "t": [utc(2024, 1, 5, 2), None]})
    out = frame.select(d=standardize_date(pl.col("d")).struct.field("value"),
                       t=standardize_timestamp(pl.col("t")).struct.field("value"))
    assert out.row(0) == (date(2024, 1, 5), utc(2024, 1, 5, 2))


def test_dateutil_runs_once_per_distinct_leftover(monkeypatch):
    calls: list[str] = []
    fallback = dates._fallback_date
    monkeypatch.setattr(dates, "_fallback_date", lambda text, dayfirst: calls.append(text) or fallback(text, dayfirst))
    values = ["Friday, January 5, 2024", "friday, january 5, 2024", "2024-01-05", "Jan 5, 2024", "n/a"] * 2_000
    out = dated(values)
    assert out["value"].null_count() == 2_000
    assert sorted(calls) == ["friday, january 5, 2024", "n/a"]


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_unambiguous_spellings_of_one_date_agree(day):
    spellings = [
        day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d"), f"{MONTH_NAMES[day.month - 1]} {day.day}, {day.year}",
        f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}", f"{day.isoformat()}T08:15:00+08:00",
        f"{day.day:02d}-{day.month:02d}-{day.year}", f"{day.month:02d}/{day.day:02d}/{day.year}",
    ]
    assert dated(spellings)["value"].to_list() == [day] * len(spellings)


@FUZZ
@given(st.lists(st.one_of(st.none(), st.text(), st.text(DATE_ALPHABET, max_size=30)), max_size=20))
def test_dates_never_raise_and_are_idempotent(values):
    first = dated(values, kind="birth", as_of=AS_OF)
    again = dated(first["value"].cast(pl.String).to_list(), kind="birth", as_of=AS_OF)
    assert again["value"].to_list() == first["value"].to_list()
    assert again["issue"].drop_nulls().to_list() == []


@FUZZ
@given(st.lists(st.one_of(st.none(), st.text(), st.text(DATE_ALPHABET, max_size=30)), max_size=20))
def test_timestamps_never_raise_and_are_idempotent(values):
    first = stamped(values)
    frame = first.select(pl.col("value"))
    again = frame.select(std=standardize_timestamp(pl.col("value"))).unnest("std")
    assert again["value"].to_list() == first["value"].to_list()

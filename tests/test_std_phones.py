"""standardize_phone: real-world spellings onto E.164, the CN fast paths, and the per-distinct Python path."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.standardize import phones
from assets.standardize.phones import standardize_phone

PHONE_ALPHABET = st.sampled_from(list("0123456789０１２３４５６７８９+＋-－ .()（）/;,、xX#转ext") + ["\u3000", "\x00", "٣"])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def standardized(values: list[str | None], region: str | pl.Expr = "CN", regions: list[str | None] | None = None):
    frame = pl.DataFrame({"raw": values, "region": regions or [None] * len(values)},
                         schema={"raw": pl.String, "region": pl.String})
    region_expr = pl.col("region") if regions is not None else region
    return frame.select(std=standardize_phone(pl.col("raw"), default_region=region_expr)).unnest("std")


@pytest.mark.parametrize(
    ("raw", "region", "value", "line_type", "extension", "issue"),
    [
        ("13800138000", "CN", "+8613800138000", "mobile", None, None),
        ("138 0013 8000", "CN", "+8613800138000", "mobile", None, None),
        ("138-0013-8000", "CN", "+8613800138000", "mobile", None, None),
        ("+86 138 0013 8000", "US", "+8613800138000", "mobile", None, None),
        ("+86-138-0013-8000", "CN", "+8613800138000", "mobile", None, None),
        ("0086 13800138000", "CN", "+8613800138000", "mobile", None, None),
        ("86 13800138000", "CN", "+8613800138000", "mobile", None, None),
        ("０１３９１２３４５６７８", "CN", "+8613912345678", "mobile", None, None),
        ("＋８６ １３８ ００１３ ８０００", "CN", "+8613800138000", "mobile", None, None),
        ("(020) 8888 8888", "CN", "+862088888888", "fixed", None, None),
        ("020-88888888", "CN", "+862088888888", "fixed", None, None),
        ("0755-86013388", "CN", "+8675586013388", "fixed", None, None),
        ("+86 (0)20 8888 8888", "CN", "+862088888888", "fixed", None, None),
        ("020-88888888转8001", "CN", "+862088888888", "fixed", "8001", None),
        ("010-12345678 分机 123", "CN", "+861012345678", "fixed", "123", None),
        ("4008123123", "CN", "+864008123123", "other", None, None),
        ("(415) 555-0123", "US", "+14155550123", "fixed_or_mobile", None, None),
        ("+1 415-555-0123", "CN", "+14155550123", "fixed_or_mobile", None, None),
        ("1-415-555-0123", "US", "+14155550123", "fixed_or_mobile", None, None),
        ("415.555.0123 x123", "US", "+14155550123", "fixed_or_mobile", "123", None),
        ("415-555-0123 ext. 45", "US", "+14155550123", "fixed_or_mobile", "45", None),
        ("020 7946 0958", "GB", "+442079460958", "fixed", None, None),
        ("020 7946 0958", "UK", "+442079460958", "fixed", None, None),
        ("+44 (0)20 7946 0958", "CN", "+442079460958", "fixed", None, None),
        ("(02) 9374 4000", "AU", "+61293744000", "fixed", None, None),
        ("0412 345 678", "AU", "+61412345678", "mobile", None, None),
        ("13800138000/13900139000", "CN", "+8613800138000", "mobile", None, "multiple_phones"),
        ("13800138000；020-88888888", "CN", "+8613800138000", "mobile", None, "multiple_phones"),
        ("13800138000", "US", None, None, None, "invalid_phone"),
        ("020-88888888-8001", "CN", None, None, None, "invalid_phone"),
        ("11111111111", "CN", None, None, None, "invalid_phone"),
        ("(02) 2222 2222", "AU", None, None, None, "invalid_phone"),
        ("8888", "CN", None, None, None, "invalid_phone"),
        ("88888888", "CN", None, None, None, "invalid_phone"),
        ("abc123", "CN", None, None, None, "not_a_number"),
        ("无", "CN", None, None, None, "not_a_number"),
        ("-", "CN", None, None, None, None),
        ("   ", "CN", None, None, None, None),
        (None, "CN", None, None, None, None),
    ],
)
def test_real_world_phone_spellings(raw, region, value, line_type, extension, issue):
    row = standardized([raw], region).row(0, named=True)
    assert row == {"value": value, "line_type": line_type, "extension": extension, "issue": issue}


def test_region_can_be_a_per_row_column():
    out = standardized(["(415) 555-0123", "020 7946 0958", "13800138000", "+8613800138000"],
                       regions=["US", "GB", "CN", None])
    assert out["value"].to_list() == ["+14155550123", "+442079460958", "+8613800138000", "+8613800138000"]


def test_null_region_needs_an_explicit_country_code():
    out = standardized(["13800138000", "+1 415 555 0123"], regions=[None, None])
    assert out["value"].to_list() == [None, "+14155550123"]
    assert out["issue"].to_list() == ["invalid_phone", None]


def test_phonenumbers_runs_once_per_distinct_number_and_region(monkeypatch):
    calls: list[tuple[str, str]] = []
    parse = phones._parse_phone
    monkeypatch.setattr(phones, "_parse_phone", lambda number, region: calls.append((number, region)) or parse(number, region))
    values = ["(415) 555-0123", "415-555-0123", "020 7946 0958", "13800138000", "020-88888888"] * 2_000
    out = standardized(values, "US")
    assert out["value"].null_count() == 3 * 2_000
    assert sorted(calls) == [("02079460958", "US"), ("02088888888", "US"), ("13800138000", "US"), ("4155550123", "US")]


def test_cn_fast_paths_skip_phonenumbers(monkeypatch):
    monkeypatch.setattr(phones, "_parse_phone", lambda number, region: pytest.fail(f"slow path for {number}"))
    out = standardized(["13800138000", "+86 139 1234 5678", "0086-138-0013-8000", "(020) 8888 8888", "0755-86013388"])
    assert out["value"].null_count() == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.from_regex(r"(\+86|0086|0)[1-9][0-9]{6,11}", fullmatch=True), min_size=1, max_size=40))
def test_cn_landline_fast_path_agrees_with_phonenumbers(numbers):
    out = standardized(numbers, "CN")
    for number, value, line_type in zip(numbers, out["value"], out["line_type"], strict=True):
        if line_type == "mobile":
            continue
        reference = phones._parse_phone(number, "CN")
        assert (value, line_type) == ((reference or {}).get("e164"), (reference or {}).get("line_type")), number


@FUZZ
@given(st.lists(st.one_of(st.none(), st.text(), st.text(PHONE_ALPHABET, max_size=30)), max_size=20),
       st.sampled_from(["CN", "US", "GB", "AU", "ZZ", "", "xx|y"]))
def test_never_raises_and_is_idempotent(values, region):
    first = standardized(values, region)
    assert first["value"].drop_nulls().str.contains(r"^\+[1-9][0-9]{6,14}$").all()
    again = standardized(first["value"].to_list(), region)
    assert again["value"].to_list() == first["value"].to_list()

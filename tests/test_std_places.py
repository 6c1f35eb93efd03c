"""Place standardizers: countries, provinces, cities, postcodes and address lines."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.standardize.places import (
    standardize_address_line,
    standardize_city,
    standardize_country,
    standardize_postcode,
    standardize_province,
)
from assets.standardize.reference import regions
from assets.standardize.distinct import on_distinct


def run(expr, **columns) -> list[dict]:
    frame = pl.DataFrame(columns, schema={k: pl.String for k in columns})
    return frame.select(out=expr)["out"].to_list()


COUNTRIES = [
    ("中国", "CN"), ("中华人民共和国", "CN"), ("China", "CN"), ("PRC", "CN"), ("CN", "CN"), ("CHN", "CN"),
    ("People's Republic of China", "CN"), ("ｃｈｉｎａ", "CN"), ("美国", "US"), ("USA", "US"), ("US", "US"),
    ("United States", "US"), ("United States of America", "US"), ("U.S.A.", "US"), ("英国", "GB"), ("UK", "GB"),
    ("GB", "GB"), ("United Kingdom", "GB"), ("Great Britain", "GB"), ("England", "GB"), ("澳大利亚", "AU"),
    ("Australia", "AU"), ("AU", "AU"), ("AUS", "AU"), ("香港", "HK"), ("Hong Kong", "HK"), ("台湾", "TW"),
    ("Singapore", "SG"), ("日本", "JP"), ("South Korea", "KR"), ("韩国", "KR"), ("Germany", "DE"), ("France", "FR"),
    ("Canada", "CA"), ("New Zealand", "NZ"), ("India", "IN"), ("the Netherlands", "NL"), ("Viet Nam", "VN"),
]


@pytest.mark.parametrize(("raw", "iso"), COUNTRIES)
def test_country_spellings_become_iso_alpha2(raw, iso):
    assert run(standardize_country(pl.col("c")), c=[raw]) == [{"value": iso, "issue": None}]


def test_unknown_country_is_nulled_and_missing_takes_default():
    out = run(standardize_country(pl.col("c"), default="CN"), c=["Atlantis", None, "", "N/A", "US", "NA", "0nA"])
    assert [o["value"] for o in out] == [None, "CN", "CN", "CN", "US", "NA", None]
    assert [o["issue"] for o in out] == ["unknown_country", None, None, None, None, None, "unknown_country"]
    assert run(standardize_country(pl.col("c")), c=[None]) == [{"value": None, "issue": None}]


def test_bad_default_country_is_a_programming_error():
    with pytest.raises(ValueError):
        standardize_country(pl.col("c"), default="Narnia")


PROVINCES = [
    ("广东", "CN", "广东省", "CN-GD"), ("广东省", "CN", "广东省", "CN-GD"), ("Guangdong", "CN", "广东省", "CN-GD"),
    ("guang dong", "CN", "广东省", "CN-GD"), ("GD", "CN", "广东省", "CN-GD"), ("Guangdong Province", "CN", "广东省", "CN-GD"),
    ("粤", "CN", "广东省", "CN-GD"), ("北京", "CN", "北京市", "CN-BJ"), ("北京市", "CN", "北京市", "CN-BJ"),
    ("Beijing", "CN", "北京市", "CN-BJ"), ("内蒙", "CN", "内蒙古自治区", "CN-NM"), ("内蒙古", "CN", "内蒙古自治区", "CN-NM"),
    ("Inner Mongolia", "CN", "内蒙古自治区", "CN-NM"), ("广西", "CN", "广西壮族自治区", "CN-GX"),
    ("新疆维吾尔族自治区", "CN", "新疆维吾尔自治区", "CN-XJ"), ("香港", "CN", "香港特别行政区", "CN-HK"),
    ("Shaanxi", "CN", "陕西省", "CN-SN"), ("Shanxi", "CN", "山西省", "CN-SX"), ("廣東", "CN", "广东省", "CN-GD"),
    ("广东省广州市", "CN", "广东省", "CN-GD"), ("广东", None, "广东省", "CN-GD"), ("CA", "US", "CA", "US-CA"),
    ("California", "US", "CA", "US-CA"), ("california", "USA", "CA", "US-CA"), ("NSW", "AU", "NSW", "AU-NSW"),
    ("New South Wales", "AU", "NSW", "AU-NSW"), ("England", "GB", "ENG", "GB-ENG"), ("Scotland", "UK", "SCT", "GB-SCT"),
    ("Ontario", "CA", "ON", "CA-ON"), ("Bayern", "DE", "Bayern", None),
]


@pytest.mark.parametrize(("raw", "country", "value", "code"), PROVINCES)
def test_province_spellings_become_one_canonical_form(raw, country, value, code):
    out = run(standardize_province(pl.col("p"), pl.col("c")), p=[raw], c=[country])[0]
    assert (out["value"], out["code"], out["issue"]) == (value, code, None)


def test_all_34_chinese_provincial_divisions_round_trip():
    lines = regions.CN_PROVINCES.strip().splitlines()
    full = [line.split(" ")[2] for line in lines]
    short = [line.split(" ")[3].split("|")[0] for line in lines]
    pinyin = [next(a for a in line.split(" ", 3)[3].split("|") if a.isascii()) for line in lines]
    assert len(full) == 34
    for spellings in (full, short, pinyin):
        out = run(standardize_province(pl.col("p"), "CN"), p=spellings)
        assert [o["value"] for o in out] == full
    assert [o["gb_code"] for o in run(standardize_province(pl.col("p")), p=full)] == [line[:2] for line in lines]


def test_unknown_province_and_city_in_province_field():
    out = run(standardize_province(pl.col("p"), "CN"), p=["Atlantis", "广州", None, "未知"])
    assert [(o["value"], o["issue"]) for o in out] == [
        (None, "unknown_province"), ("广东省", "province_from_city"), (None, None), (None, None)
    ]


CITIES = [
    ("广州市", "CN", "广州"), ("广州", "CN", "广州"), ("Guangzhou", "CN", "广州"), ("guangzhou city", "CN", "广州"),
    ("广东省广州市", "CN", "广州"), ("广州市天河区", "CN", "广州"), ("北京市", "CN", "北京"), ("Beijing", "CN", "北京"),
    ("上海", "CN", "上海"), ("Xi'an", "CN", "西安"), ("吉林市", "CN", "吉林"), ("Shenzhen", None, "深圳"),
    ("佛山市", None, "佛山"), ("延边朝鲜族自治州", "CN", "延边朝鲜族自治州"), ("san francisco", "US", "San Francisco"),
    ("NEW YORK", "US", "New York"), ("NYC", "US", "New York"), ("London", "GB", "London"), ("McAllen", "US", "McAllen"),
    ("sydney", "AU", "Sydney"), ("悉尼", "AU", "Sydney"),
]


@pytest.mark.parametrize(("raw", "country", "value"), CITIES)
def test_city_spellings_become_one_canonical_form(raw, country, value):
    assert run(standardize_city(pl.col("p"), pl.col("c")), p=[raw], c=[country]) == [{"value": value, "issue": None}]


def test_city_without_letters_is_invalid():
    out = run(standardize_city(pl.col("p"), "US"), p=["12345", "N/A", None])
    assert out == [{"value": None, "issue": "invalid_city"}, {"value": None, "issue": None}, {"value": None, "issue": None}]


POSTCODES = [
    ("510000", "CN", "510000", None), ("１００１００", "CN", "100100", None), ("510000.0", "CN", "510000", None),
    ("10000", "CN", "010000", "leading_zero_restored"), ("5100000", "CN", None, "invalid_postcode"),
    ("910000", "CN", None, "invalid_postcode"), ("94105", "US", "94105", None), ("94105-1234", "US", "94105-1234", None),
    ("941051234", "US", "94105-1234", None), ("94105 1234", "US", "94105-1234", None),
    ("2108", "US", "02108", "leading_zero_restored"), ("9410", "US", "09410", "leading_zero_restored"),
    ("ABCDE", "US", None, "invalid_postcode"), ("sw1a1aa", "GB", "SW1A 1AA", None), ("SW1A 1AA", "GB", "SW1A 1AA", None),
    ("ec1a  1bb", "GB", "EC1A 1BB", None), ("m1 1ae", "GB", "M1 1AE", None), ("W1D 3QF", "GB", "W1D 3QF", None),
    ("QQ1 1AA", "GB", None, "invalid_postcode"), ("2000", "AU", "2000", None), ("800", "AU", "0800", "leading_zero_restored"),
    ("20000", "AU", None, "invalid_postcode"), ("k1a0b1", "CA", "K1A 0B1", None), ("75001", "FR", "75001", None),
    ("d02 x285", "IE", "D02 X285", None), (None, "CN", None, None), ("-", "US", None, None),
]


@pytest.mark.parametrize(("raw", "country", "value", "issue"), POSTCODES)
def test_postcodes_are_normalized_and_validated(raw, country, value, issue):
    assert run(standardize_postcode(pl.col("p"), pl.col("c")), p=[raw], c=[country]) == [{"value": value, "issue": issue}]


def test_postcode_country_may_be_a_literal_or_a_spelled_out_country():
    assert run(standardize_postcode(pl.col("p"), "中国"), p=["510000"])[0]["value"] == "510000"
    assert run(standardize_postcode(pl.col("p"), "United Kingdom"), p=["sw1a1aa"])[0]["value"] == "SW1A 1AA"


ADDRESSES = [
    ("天河路1号", "天河路1号", "天河路1号"),
    ("广州市 天河区 天河路 1 号", "广州市 天河区 天河路 1 号", "广州市天河区天河路1号"),
    ("朝阳区建国路八十八号", "朝阳区建国路八十八号", "朝阳区建国路88号"),
    ("朝阳区建国路88号", "朝阳区建国路88号", "朝阳区建国路88号"),
    ("北京市朝阳区建国路８８号院３号楼２单元１０１室", "北京市朝阳区建国路88号院3号楼2单元101室", "北京市朝阳区建国路88号院3号楼2单元101室"),
    ("中山路十号", "中山路十号", "中山路10号"),
    ("深圳市南山区科技园（北区）", "深圳市南山区科技园(北区)", "深圳市南山区科技园北区"),
    ("1 Market St", "1 Market St", "1 market street"),
    ("1 Market Street", "1 Market Street", "1 market street"),
    ("１２３　Ｍａｉｎ　Ｓｔ．", "123 Main St.", "123 main street"),
    ("Apt 4B, 12 Main Rd.", "Apt 4B, 12 Main Rd.", "unit 4b 12 main road"),
    ("#4B 12 main road", "#4B 12 main road", "unit 4b 12 main road"),
    ("Unit 4B 12 Main Road", "Unit 4B 12 Main Road", "unit 4b 12 main road"),
    ("221B Baker St, London", "221B Baker St, London", "221b baker street london"),
    ("350 5th Ave", "350 5th Ave", "350 5th avenue"),
    ("10 Downing St.", "10 Downing St.", "10 downing street"),
    ("No.1 Street", "No.1 Street", "1 street"),
    ("12 N Main Blvd", "12 N Main Blvd", "12 north main boulevard"),
]


@pytest.mark.parametrize(("raw", "value", "key"), ADDRESSES)
def test_address_lines_get_a_clean_value_and_a_matching_key(raw, value, key):
    assert run(standardize_address_line(pl.col("a")), a=[raw]) == [{"value": value, "key": key, "issue": None}]


def test_address_without_letters_or_digits_is_invalid():
    out = run(standardize_address_line(pl.col("a")), a=["!!!", None, "  "])
    assert out == [{"value": None, "key": None, "issue": "invalid_address"}, {"value": None, "key": None, "issue": None},
                   {"value": None, "key": None, "issue": None}]


def test_distinct_inputs_are_computed_once_and_mapped_back_in_order():
    seen: list[int] = []

    def compute(values: pl.Series) -> pl.Series:
        seen.append(len(values))
        return values.str.to_uppercase()

    out = pl.DataFrame({"x": ["a", "b", None, "a"] * 1000}).select(on_distinct(pl.col("x"), compute, pl.String))
    assert seen == [3]
    assert out["x"].to_list() == ["A", "B", None, "A"] * 1000


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
_COUNTRY = st.sampled_from(["CN", "US", "GB", "AU", "CA", "DE", None])
_PLACEISH = st.sampled_from(
    ["广东省", "北京", "Guangdong", "CA", "nsw", "England", "广州市", "Guangzhou", "san francisco", "sw1a1aa", "94105-1234",
     "2108", "510000", "天河路1号", "1 Market St", "No.5", "Apt 4B", "八十八号"]
) | _TEXT


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_PLACEISH, _COUNTRY), min_size=1, max_size=30))
def test_place_values_are_idempotent_and_never_raise(rows):
    texts, countries = [r[0] for r in rows], [r[1] for r in rows]
    cases = [
        (lambda: standardize_country(pl.col("t")), False),
        (lambda: standardize_province(pl.col("t"), pl.col("c")), True),
        (lambda: standardize_city(pl.col("t"), pl.col("c")), True),
        (lambda: standardize_postcode(pl.col("t"), pl.col("c")), True),
        (lambda: standardize_address_line(pl.col("t")), False),
    ]
    for make, _ in cases:
        first = [o["value"] for o in run(make(), t=texts, c=countries)]
        again = [o["value"] for o in run(make(), t=first, c=countries)]
        assert again == first

"""Company standardizers: names, USCC and resident-ID check digits (cross-checked with python-stdnum),
industry sections and size classes."""

from __future__ import annotations

from datetime import date
from importlib import resources

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from assets.standardize.companies import (
    USCC_ALPHABET,
    standardize_company_name,
    standardize_company_size,
    standardize_industry,
    validate_resident_id,
    validate_uscc,
)


def run(expr, values) -> list[dict]:
    return pl.DataFrame({"x": values}, schema={"x": pl.String}).select(out=expr)["out"].to_list()


COMPANIES = [
    ("北京星辰科技有限公司", "北京星辰科技有限公司", "有限公司", "星辰科技"),
    ("星辰科技(北京)有限公司", "星辰科技(北京)有限公司", "有限公司", "星辰科技"),
    ("星辰科技（北京）有限责任公司", "星辰科技(北京)有限公司", "有限公司", "星辰科技"),
    ("星辰科技", "星辰科技", None, "星辰科技"),
    ("星辰 科技 有限公司", "星辰科技有限公司", "有限公司", "星辰科技"),
    ("广州市星辰科技股份有限公司", "广州市星辰科技股份有限公司", "股份有限公司", "星辰科技"),
    ("星辰科技股份公司", "星辰科技股份有限公司", "股份有限公司", "星辰科技"),
    ("深圳市腾讯计算机系统有限公司", "深圳市腾讯计算机系统有限公司", "有限公司", "腾讯计算机系统"),
    ("中国平安保险(集团)股份有限公司", "中国平安保险(集团)股份有限公司", "股份有限公司", "平安保险"),
    ("长沙华德科技集团有限公司", "长沙华德科技集团有限公司", "有限公司", "华德科技"),
    ("Acme Holdings Ltd", "Acme Holdings Ltd", "Ltd", "acme"),
    ("北京银行股份有限公司", "北京银行股份有限公司", "股份有限公司", "北京银行"),
    ("星辰科技有限公司广州分公司", "星辰科技有限公司广州分公司", "分公司", "星辰科技广州"),
    ("星辰创投(有限合伙)", "星辰创投(有限合伙)", "有限合伙", "星辰创投"),
    ("ACME LIMITED", "ACME Ltd", "Ltd", "acme"),
    ("Acme Co., Ltd.", "Acme Ltd", "Ltd", "acme"),
    ("Acme Co. Ltd", "Acme Ltd", "Ltd", "acme"),
    ("Acme Company Limited", "Acme Ltd", "Ltd", "acme"),
    ("Acme", "Acme", None, "acme"),
    ("Acme, Inc.", "Acme Inc", "Inc", "acme"),
    ("Acme Incorporated", "Acme Inc", "Inc", "acme"),
    ("The Acme Corporation", "The Acme Corp", "Corp", "acme"),
    ("Acme (Shanghai) Co., Ltd.", "Acme (Shanghai) Ltd", "Ltd", "acme"),
    ("Acme L.L.C.", "Acme LLC", "LLC", "acme"),
    ("Acme GmbH", "Acme GmbH", "GmbH", "acme"),
    ("Acme Pty. Ltd.", "Acme Pty Ltd", "Pty Ltd", "acme"),
    ("Johnson & Johnson", "Johnson & Johnson", None, "johnson and johnson"),
    ("Costco", "Costco", None, "costco"),
    ("ＡＣＭＥ　ＬＴＤ", "ACME Ltd", "Ltd", "acme"),
]


@pytest.mark.parametrize(("raw", "value", "legal_form", "key"), COMPANIES)
def test_company_names_get_one_legal_form_and_a_matching_key(raw, value, legal_form, key):
    out = run(standardize_company_name(pl.col("x")), [raw])[0]
    assert (out["value"], out["legal_form"], out["name_key"], out["issue"]) == (value, legal_form, key, None)


@pytest.mark.parametrize("raw", ["无", "个人", "N/A", "test", "测试公司", "xxx", "123", "---"])
def test_placeholder_company_names_are_invalid(raw):
    assert run(standardize_company_name(pl.col("x")), [raw]) == [
        {"value": None, "legal_form": None, "name_key": None, "issue": "invalid_company_name"}
    ]


def test_blank_company_name_is_null_without_issue():
    out = run(standardize_company_name(pl.col("x")), [None, "", "  "])
    assert all(o == {"value": None, "legal_form": None, "name_key": None, "issue": None} for o in out)


USCCS = [
    ("91350100M000100Y43", "91350100M000100Y43", None),
    ("91110000600037341L", "91110000600037341L", None),
    ("91110000600037341l", "91110000600037341L", None),
    ("9111 0000 6000 3734 1L", "91110000600037341L", None),
    ("91110000-600037341L", "91110000600037341L", None),
    ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L", None),
    ("91110000600037341A", None, "invalid_uscc"),
    ("A1110000600037341L", None, "invalid_uscc"),
    ("9111000060003734IL", None, "invalid_uscc"),
    ("123", None, "invalid_uscc"),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("raw", "value", "issue"), USCCS)
def test_uscc_check_character(raw, value, issue):
    assert run(validate_uscc(pl.col("x")), [raw]) == [{"value": value, "issue": issue}]


_USCC_CHAR = st.sampled_from(USCC_ALPHABET)


@st.composite
def uscc_codes(draw) -> str:
    head = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    body = head + "".join(draw(st.lists(_USCC_CHAR, min_size=9, max_size=9)))
    return body + uscc.calc_check_digit(body + "0")


@settings(max_examples=60, deadline=None)
@given(st.lists(uscc_codes(), min_size=1, max_size=40), st.data())
def test_uscc_agrees_with_stdnum_on_valid_and_corrupted_codes(codes, data):
    corrupted = []
    for code in codes:
        i = data.draw(st.integers(0, 17))
        replacement = data.draw(_USCC_CHAR.filter(lambda c, old=code[i]: c != old))
        corrupted.append(code[:i] + replacement + code[i + 1:])
    noise = data.draw(st.lists(st.text(alphabet=USCC_ALPHABET + "IOSVZ -", min_size=16, max_size=20), max_size=20))
    values = codes + corrupted + noise
    ours = [o["value"] is not None for o in run(validate_uscc(pl.col("x")), values)]
    assert ours == [uscc.is_valid(v) for v in values]
    assert all(ours[: len(codes)]) and not any(ours[len(codes): 2 * len(codes)])


RESIDENT_IDS = [
    ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), "F", None),
    ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "F", None),
    ("110105 19491231 002X", "11010519491231002X", date(1949, 12, 31), "F", None),
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", date(1949, 12, 31), "F", None),
    ("360426199101010071", "360426199101010071", date(1991, 1, 1), "M", None),
    ("360426910101007", "360426199101010071", date(1991, 1, 1), "M", "upgraded_from_15_digits"),
    ("110105194912310021", None, None, None, "invalid_id_number"),
    ("990426199101010071", None, None, None, "invalid_id_number"),
    ("110105199913310021", None, None, None, "invalid_id_number"),
    ("11010519491231002", None, None, None, "invalid_id_number"),
    ("abc", None, None, None, "invalid_id_number"),
    (None, None, None, None, None),
]


@pytest.mark.parametrize(("raw", "value", "birth", "gender", "issue"), RESIDENT_IDS)
def test_resident_id_check_digit_birth_date_and_gender(raw, value, birth, gender, issue):
    assert run(validate_resident_id(pl.col("x")), [raw]) == [
        {"value": value, "birth_date": birth, "gender": gender, "issue": issue}
    ]


def _always_valid_area_codes() -> list[str]:
    """Division codes python-stdnum accepts for any birth year."""
    codes, province = [], ""
    for line in resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if not line.startswith(" "):
            province = line.split(" ", 1)[0]
        elif "[" not in line:
            codes.append(province + line.strip().split(" ", 1)[0])
    return codes


_AREA = st.sampled_from(_always_valid_area_codes())


@st.composite
def resident_ids(draw) -> str:
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)))
    body = draw(_AREA) + born.strftime("%Y%m%d") + draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return body + ric.calc_check_digit(body + "0")


@settings(max_examples=60, deadline=None)
@given(st.lists(resident_ids(), min_size=1, max_size=40), st.data())
def test_resident_id_agrees_with_stdnum_on_valid_and_corrupted_ids(ids, data):
    corrupted = []
    for number in ids:
        i = data.draw(st.integers(0, 17))
        alphabet = "0123456789X" if i == 17 else "0123456789"
        replacement = data.draw(st.sampled_from(alphabet).filter(lambda c, old=number[i]: c != old))
        corrupted.append(number[:i] + replacement + number[i + 1:])
    values = ids + corrupted
    ours = run(validate_resident_id(pl.col("x")), values)
    assert [o["value"] is not None for o in ours] == [ric.is_valid(v) for v in values]
    assert [o["birth_date"] for o in ours[: len(ids)]] == [ric.get_birth_date(v) for v in ids]
    assert [o["gender"] for o in ours[: len(ids)]] == ["M" if int(v[16]) % 2 else "F" for v in ids]


def _stdnum_accepts(value: str) -> bool:
    """stdnum's is_valid raises KeyError on some birth-place codes (python-stdnum 2.2): that is a no."""
    try:
        return ric.is_valid(value)
    except KeyError:
        return False


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="0123456789Xx", min_size=18, max_size=18), max_size=40))
def test_resident_id_accepts_nothing_stdnum_rejects_except_by_year_of_area_code(values):
    ours = run(validate_resident_id(pl.col("x")), values)
    for value, out in zip(values, ours):
        if _stdnum_accepts(value):
            assert out["value"] == value.upper()
        elif out["value"] is not None:
            assert value.upper()[17] == ric.calc_check_digit(value.upper())


INDUSTRIES = [
    ("IT", "I"), ("互联网", "I"), ("软件", "I"), ("Software", "I"), ("Technology", "I"), ("软件和信息技术服务业", "I"),
    ("信息传输、软件和信息技术服务业", "I"), ("I65", "I"), ("65", "I"), ("IT咨询", "I"), ("网络科技", "I"),
    ("Manufacturing", "C"), ("制造", "C"), ("汽车零部件制造", "C"), ("医疗器械制造", "C"), ("Retail", "F"), ("零售", "F"),
    ("批发", "F"), ("电子商务", "F"), ("Finance", "J"), ("银行", "J"), ("保险", "J"), ("Banking & Insurance", "J"),
    ("Education", "P"), ("教育", "P"), ("Healthcare", "Q"), ("医疗", "Q"), ("Real estate", "K"), ("房地产", "K"),
    ("Construction", "E"), ("建筑", "E"), ("Logistics", "G"), ("物流", "G"), ("运输", "G"), ("Hospitality", "H"),
    ("餐饮", "H"), ("酒店", "H"), ("Agriculture", "A"), ("Mining", "B"), ("Energy", "D"), ("Consulting", "L"),
    ("Biotechnology", "M"), ("Government", "S"), ("Media & Entertainment", "R"), ("C", "C"),
    ("农、林、牧、渔业", "A"), ("科技推广和应用服务业", "M"), ("非金属矿物制品业", "C"), ("互联网和相关服务", "I"),
    ("批发业", "F"), ("道路运输业", "G"), ("计算机、通信和其他电子设备制造业", "C"),
]


@pytest.mark.parametrize(("raw", "code"), INDUSTRIES)
def test_industries_map_to_gbt4754_sections(raw, code):
    from assets.standardize.reference.companies import INDUSTRY_SECTIONS

    assert run(standardize_industry(pl.col("x")), [raw]) == [{"value": INDUSTRY_SECTIONS[code], "code": code, "issue": None}]


def test_unknown_industry_is_nulled():
    out = run(standardize_industry(pl.col("x")), ["xyz", "其他", None])
    assert [o["issue"] for o in out] == ["unknown_industry", "unknown_industry", None]
    assert all(o["value"] is None for o in out)


SIZES = [
    ("微型", "micro", None), ("小型", "small", None), ("中型", "medium", None), ("大型", "large", None),
    ("1-9", "micro", None), ("10-49", "small", None), ("50-249", "medium", None), ("250+", "large", None),
    ("500人以上", "large", None), ("50人以下", "small", None), ("<10", "micro", None), ("约200人", "medium", None),
    ("1,000-5,000", "large", None), ("1000+ employees", "large", None), ("1万人以上", "large", None),
    ("11-50", "small", None), ("small", "small", None), ("Medium-sized", "medium", None),
    ("Large Enterprise", "large", None), ("micro", "micro", None), ("SME", "medium", "ambiguous_size"),
    ("中小企业", "medium", "ambiguous_size"), ("小微企业", "small", "ambiguous_size"),
    ("xyz", None, "unknown_company_size"), (None, None, None),
]


@pytest.mark.parametrize(("raw", "value", "issue"), SIZES)
def test_company_size_classes(raw, value, issue):
    assert run(standardize_company_size(pl.col("x")), [raw]) == [{"value": value, "issue": issue}]


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
_COMPANYISH = st.sampled_from(
    ["星辰科技有限公司", "Acme Co., Ltd.", "ACME LIMITED", "北京星辰科技", "(有限合伙)", "Co", "Ltd", "公司", "Inc.", "IT",
     "软件", "250+", "SME", "中型", "91110000600037341L", "11010519491231002X", "360426910101007"]
) | _TEXT


@settings(max_examples=40, deadline=None)
@given(st.lists(_COMPANYISH, min_size=1, max_size=30))
def test_company_values_are_idempotent_and_never_raise(values):
    for standardizer in (standardize_company_name, validate_uscc, validate_resident_id, standardize_industry,
                         standardize_company_size):
        first = [o["value"] for o in run(standardizer(pl.col("x")), values)]
        again = [o["value"] for o in run(standardizer(pl.col("x")), [str(v) if v is not None else None for v in first])]
        assert again == first

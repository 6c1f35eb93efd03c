"""Text safety across the standardizers: invisible (format) characters are removed before phones, emails, person
names and company names are parsed, and spreadsheet formulas in name fields are nulled (`spreadsheet_formula`)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.standardize.companies import standardize_company_name
from assets.standardize.emails import standardize_email
from assets.standardize.names import standardize_person_name
from assets.standardize.phones import standardize_phone
from assets.standardize.reference.text import clean_text, is_spreadsheet_formula

# Characters that render as nothing: removed without a trace.
FORMAT_CHARS = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "left-to-right embedding": "\u202a",
    "right-to-left embedding": "\u202b",
    "pop directional formatting": "\u202c",
    "left-to-right override": "\u202d",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "right-to-left isolate": "\u2067",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "arabic letter mark": "\u061c",
    "mongolian vowel separator": "\u180e",
    "invisible times": "\u2062",
    "combining grapheme joiner": "\u034f",
    "variation selector 16": "\ufe0f",
    "hangul filler": "\u3164",
    "tag space": "\U000e0020",
}
# Line/paragraph separators and control characters: read as whitespace.
SPACE_CHARS = {
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "tab": "\t",
    "line feed": "\n",
    "carriage return": "\r",
    "nul": "\x00",
    "unit separator": "\x1f",
    "next line": "\x85",
}
FORMATS = pytest.mark.parametrize("char", list(FORMAT_CHARS.values()), ids=list(FORMAT_CHARS))
SPACES = pytest.mark.parametrize("char", list(SPACE_CHARS.values()), ids=list(SPACE_CHARS))

FORMULAS = [
    '=HYPERLINK("http://x","Bob")',
    "=1+2",
    "@SUM(A1:A2)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "=A1",
    "=$B$2:C3",
    "=Sheet1!A1",
    '="a"&"b"',
    "=10%",
    "+A1*2",
    "=-2+3",
    "=(1+2)*3",
    "@HYPERLINK(\"http://evil\")",
    "=_xlfn.CONCAT(A1,B1)",
    "=cmd|'/C calc'!A0",
    "＝１＋２",  # full-width, NFKC makes it "=1+2"
    "  =1+2",
    "\t=HYPERLINK(\"http://x\",\"Bob\")",
    "\u200b=HYPERLINK(\"http://x\",\"Bob\")",
    "=HYPER\u200bLINK(\"http://x\",\"Bob\")",
]
# Leading = + - @ without a formula's shape, and ordinary names: never flagged.
NOT_FORMULAS = [
    "-John Smith", "+Plus Inc", "@Home Network Ltd", "A1 Motors Ltd", "-5 Star Hotels Ltd", "+86 Tech Ltd",
    "=Bob", "O'Brien", "Jean-Luc Picard", "Anne-Marie", "欧阳娜娜", "Müller", "3M Company", "AT&T Inc",
    "@星辰(北京)科技有限公司", "-", "+", "=", "-.", "Yahoo! Inc",
]

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(expr_fn, values: list[str | None]) -> list[dict]:
    frame = pl.DataFrame({"x": values}, schema={"x": pl.String})
    return frame.select(out=expr_fn(pl.col("x")))["out"].to_list()


def phones(values: list[str | None], region: str = "CN") -> list[dict]:
    return run(lambda e: standardize_phone(e, default_region=region), values)


def names(values: list[str | None], **parts: list[str | None]) -> list[dict]:
    frame = pl.DataFrame({"full": values, **parts}, schema={c: pl.String for c in ["full", *parts]})
    exprs = {k: pl.col(k) for k in parts}
    return frame.select(out=standardize_person_name(pl.col("full"), **exprs))["out"].to_list()


# --- the shared helpers ---------------------------------------------------------------------------------------


@FORMATS
def test_clean_text_removes_format_characters(char):
    raw = [f"{char}Wang{char}Wei{char}", f"王{char}伟", char, f" {char} "]
    out = pl.DataFrame({"x": raw}).select(clean_text(pl.col("x")))["x"].to_list()
    assert out == ["WangWei", "王伟", None, None]


@SPACES
def test_clean_text_reads_separators_and_controls_as_spaces(char):
    raw = [f"John{char}Smith", f"{char}John  {char}Smith{char}"]
    out = pl.DataFrame({"x": raw}).select(clean_text(pl.col("x")))["x"].to_list()
    assert out == ["John Smith", "John Smith"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_shapes_are_detected(text):
    out = pl.DataFrame({"x": [text]}).select(is_spreadsheet_formula(clean_text(pl.col("x"))))["x"].to_list()
    assert out == [True]


@pytest.mark.parametrize("text", NOT_FORMULAS)
def test_leading_symbols_without_formula_shape_are_not_formulas(text):
    out = pl.DataFrame({"x": [text]}).select(is_spreadsheet_formula(clean_text(pl.col("x"))))["x"].to_list()
    assert out == [False]


def test_formula_detection_keeps_null():
    out = pl.DataFrame({"x": [None]}, schema={"x": pl.String}).select(is_spreadsheet_formula(pl.col("x")))
    assert out["x"].to_list() == [None]


# --- format characters, per standardizer -------------------------------------------------------------------------


@FORMATS
def test_phone_format_characters_are_removed(char):
    raw = [f"+86 138{char}0013 8000", f"{char}13800138000{char}", f"1{char}3{char}8{char}00138000", f"+{char}86 13800138000"]
    for out in phones(raw):
        assert out == {"value": "+8613800138000", "line_type": "mobile", "extension": None, "issue": None}


def test_phone_zero_width_space_example():
    assert phones(["+86 138\u200b0013 8000"])[0]["value"] == "+8613800138000"


@FORMATS
def test_phone_format_characters_in_foreign_numbers_and_extensions(char):
    us = phones([f"(415) 555{char}-0123 x{char}123"], region="US")[0]
    assert us == {"value": "+14155550123", "line_type": "fixed_or_mobile", "extension": "123", "issue": None}
    cn = phones([f"020-8888{char}8888转80{char}01"])[0]
    assert cn == {"value": "+862088888888", "line_type": "fixed", "extension": "8001", "issue": None}


@SPACES
def test_phone_separators_and_controls_are_whitespace(char):
    out = phones([f"+86{char}138{char}0013{char}8000", f"{char}13800138000{char}"])
    assert [o["value"] for o in out] == ["+8613800138000", "+8613800138000"]
    assert [o["issue"] for o in out] == [None, None]


@FORMATS
def test_email_format_characters_are_removed(char):
    raw = [f"wang.wei{char}@163.com", f"{char}wang.wei@163.com{char}", f"wang{char}.wei@16{char}3.com",
           f"Wang.Wei@{char}163.COM"]
    for out in run(standardize_email, raw):
        assert out == {"value": "wang.wei@163.com", "domain": "163.com", "corrected_from": None,
                       "match_key": "wang.wei@163.com", "issue": None}


def test_email_zero_width_space_example():
    assert run(standardize_email, ["wang.wei\u200b@163.com"])[0]["value"] == "wang.wei@163.com"


@FORMATS
def test_email_format_characters_do_not_hide_a_typo_correction(char):
    out = run(standardize_email, [f"john.smith@gm{char}ial.com"])[0]
    assert (out["value"], out["corrected_from"], out["issue"]) == (
        "john.smith@gmail.com", "gmial.com", "email_domain_corrected"
    )


@SPACES
def test_email_separators_and_controls_are_whitespace(char):
    trimmed, inside = run(standardize_email, [f"{char}wang.wei@163.com{char}", f"wang{char}wei@163.com"])
    assert (trimmed["value"], trimmed["issue"]) == ("wang.wei@163.com", None)
    assert (inside["value"], inside["issue"]) == (None, "email_syntax")


@FORMATS
@pytest.mark.parametrize("name", ["John Smith", "王伟", "欧阳娜娜", "Mary-Jane O'Brien", "José García", "WANG Wei"])
def test_name_format_characters_are_removed(char, name):
    dirty = char + char.join(name) + char
    clean, out = names([name, dirty])
    assert out == clean
    assert out["issue"] is None


def test_soft_hyphen_inside_a_word_joins_it():
    cleaned = pl.DataFrame({"x": ["Wang\u00adwei"]}).select(clean_text(pl.col("x")))["x"].to_list()
    assert cleaned == ["Wangwei"]
    soft, joined = names(["Wang\u00adwei", "Wangwei"])
    assert soft == joined
    assert soft["issue"] is None
    soft, hyphen = names(["Mar\u00adgaret Thatcher", "Mar-garet Thatcher"])
    assert (soft["value"], soft["given_name"], soft["issue"]) == ("Margaret Thatcher", "Margaret", None)
    assert hyphen["value"] == "Mar-garet Thatcher"  # a visible hyphen stays


def test_right_to_left_override_before_a_name():
    out = names(["\u202eJohn Smith"])[0]
    assert (out["value"], out["family_name"], out["given_name"], out["issue"]) == ("John Smith", "Smith", "John", None)


@FORMATS
def test_name_format_characters_in_given_and_family_columns(char):
    clean, dirty = names([None, None], given=["Wei", f"W{char}ei"], family=["王", f"{char}王"])
    assert dirty == clean


@SPACES
def test_name_separators_and_controls_are_whitespace(char):
    out = names([f"John{char}Smith", f"王{char}伟"])
    assert [o["value"] for o in out] == ["John Smith", "王伟"]
    assert [o["issue"] for o in out] == [None, None]


@FORMATS
@pytest.mark.parametrize(
    ("raw", "value", "legal_form"),
    [("星辰科技有限公司", "星辰科技有限公司", "有限公司"), ("Acme Co., Ltd.", "Acme Ltd", "Ltd"),
     ("ACME LIMITED", "ACME Ltd", "Ltd")],
)
def test_company_format_characters_are_removed(char, raw, value, legal_form):
    clean, dirty = run(standardize_company_name, [raw, char + char.join(raw) + char])
    assert dirty == clean
    assert (dirty["value"], dirty["legal_form"], dirty["issue"]) == (value, legal_form, None)


# --- spreadsheet formulas -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_in_person_name_is_nulled(formula):
    out = names([formula])[0]
    assert out["issue"] == "spreadsheet_formula"
    assert all(v is None for k, v in out.items() if k != "issue")


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x","Bob")', "=1+2", "@SUM(A1:A2)"])
def test_formula_in_given_or_family_column_nulls_the_name(formula):
    out = names(["John Smith", None], given=[formula, "John"], family=["Smith", formula])
    for row in out:
        assert (row["value"], row["issue"]) == (None, "spreadsheet_formula")


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_in_company_name_is_nulled(formula):
    out = run(standardize_company_name, [formula])[0]
    assert out == {"value": None, "legal_form": None, "name_key": None, "issue": "spreadsheet_formula"}


@pytest.mark.parametrize(
    ("raw", "value", "family", "given_", "issue"),
    [
        ("O'Brien", "O'Brien", None, "O'Brien", "incomplete_name"),
        ("Jean-Luc Picard", "Jean-Luc Picard", "Picard", "Jean-Luc", None),
        ("Anne-Marie", "Anne-Marie", None, "Anne-Marie", "incomplete_name"),
        ("欧阳娜娜", "欧阳娜娜", "欧阳", "娜娜", None),
        ("Müller", "Müller", None, "Müller", "incomplete_name"),
        ("-John Smith", "John Smith", "Smith", "John", None),
        ("+John Smith", "John Smith", "Smith", "John", "invalid_characters"),
    ],
)
def test_legitimate_names_are_unchanged(raw, value, family, given_, issue):
    out = names([raw])[0]
    assert (out["value"], out["family_name"], out["given_name"], out["issue"]) == (value, family, given_, issue)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("+Plus Inc", "+Plus Inc"), ("@Home Network Ltd", "@Home Network Ltd"), ("A1 Motors Ltd", "A1 Motors Ltd"),
     ("-5 Star Hotels Ltd", "-5 Star Hotels Ltd"), ("AT&T Inc", "AT&T Inc"), ("Yahoo! Inc", "Yahoo! Inc")],
)
def test_legitimate_company_names_are_not_formulas(raw, value):
    out = run(standardize_company_name, [raw])[0]
    assert (out["value"], out["issue"]) == (value, None)


@pytest.mark.parametrize("formula", ["=1+2", '=HYPERLINK("http://x")', "@SUM(A1:A2)", "+cmd|' /C calc'!A0", "-2+3"])
def test_formula_in_phone_is_not_a_number(formula):
    assert phones([formula])[0] == {"value": None, "line_type": None, "extension": None, "issue": "not_a_number"}


@pytest.mark.parametrize(
    "formula", ['=HYPERLINK("http://x","a@b.com")', "@SUM(A1:A2)", "+cmd|' /C calc'!A0@x.com", "=1+2", "=A1"]
)
def test_formula_in_email_fails_validation_with_a_clear_issue(formula):
    out = run(standardize_email, [formula])[0]
    assert out == {"value": None, "domain": None, "corrected_from": None, "match_key": None, "issue": "email_syntax"}


@pytest.mark.parametrize("raw", ["=1+2@x.com", "=cmd@x.com", "-x@example.com"])
def test_email_valid_under_rfc_5322_is_kept_even_with_a_leading_symbol(raw):
    # "=", "+", "-" and "|" are legal in a local part, and test_std_emails requires every valid address to be kept.
    out = run(standardize_email, [raw])[0]
    assert (out["value"], out["issue"]) == (raw, None)


# --- properties: invisible characters anywhere change nothing ------------------------------------------------------

INVISIBLE = st.one_of(st.sampled_from(list(FORMAT_CHARS.values())), st.characters(categories=("Cf",)))
WHITESPACE = st.sampled_from(list(SPACE_CHARS.values()) + [" ", "\u3000", "\u00a0"])

PHONE_POOL = [
    ("13800138000", "CN"), ("+86 138 0013 8000", "CN"), ("(020) 8888 8888", "CN"), ("0755-86013388", "CN"),
    ("+1 415-555-0123", "CN"), ("(415) 555-0123", "US"), ("020 7946 0958", "GB"), ("0412 345 678", "AU"),
    ("０１３９１２３４５６７８", "CN"),
]
EMAIL_POOL = [
    "wangwei@163.com", "John.Smith+news@Gmail.com", "li.na@qq.com", "o'neil@example.com", "用户@例子.中国",
    "zhang@qq.co", "mary.jones+crm@outlook.com", "12345678@qq.com",
]
NAME_POOL = [
    "王伟", "欧阳娜娜", "John Smith", "Mary-Jane O'Brien", "José García", "WANG Wei", "Ludwig van Beethoven",
    "Müller", "约翰·史密斯", "Dr. Jane Goodall, PhD", "Jean-Luc Picard", "Zhangxiaoming", "王伟 David",
]
COMPANY_POOL = ["北京星辰科技有限公司", "星辰科技(北京)有限公司", "Acme Co., Ltd.", "ACME LIMITED", "Morris Technologies Inc"]


@st.composite
def inserted(draw, value: str, chars: st.SearchStrategy[str]) -> str:
    out = list(value)
    for _ in range(draw(st.integers(1, 5))):
        out.insert(draw(st.integers(0, len(out))), draw(chars))
    return "".join(out)


@st.composite
def dirty_phone(draw, chars: st.SearchStrategy[str]) -> tuple[str, str, str]:
    value, region = draw(st.sampled_from(PHONE_POOL))
    return value, draw(inserted(value, chars)), region


@st.composite
def dirty(draw, pool: list[str]) -> tuple[str, str]:
    value = draw(st.sampled_from(pool))
    return value, draw(inserted(value, INVISIBLE))


@FUZZ
@given(dirty_phone(INVISIBLE))
def test_invisible_characters_anywhere_leave_a_phone_unchanged(case):
    clean, noisy, region = case
    a, b = phones([clean, noisy], region=region)
    assert a["value"] is not None
    assert b == a


@FUZZ
@given(dirty_phone(st.one_of(INVISIBLE, WHITESPACE)))
def test_invisible_and_space_characters_anywhere_leave_a_phone_unchanged(case):
    clean, noisy, region = case
    a, b = phones([clean, noisy], region=region)
    assert b == a


@FUZZ
@given(dirty(EMAIL_POOL))
def test_invisible_characters_anywhere_leave_an_email_unchanged(case):
    clean, noisy = case
    a, b = run(standardize_email, [clean, noisy])
    assert a["value"] is not None
    assert b == a


@FUZZ
@given(dirty(NAME_POOL))
def test_invisible_characters_anywhere_leave_a_name_unchanged(case):
    clean, noisy = case
    a, b = names([clean, noisy])
    assert a["value"] is not None
    assert b == a


@FUZZ
@given(dirty(COMPANY_POOL))
def test_invisible_characters_anywhere_leave_a_company_name_unchanged(case):
    clean, noisy = case
    a, b = run(standardize_company_name, [clean, noisy])
    assert a["value"] is not None
    assert b == a


@FUZZ
@given(
    st.sampled_from("=+-@"),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,15}", fullmatch=True),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
)
def test_any_function_call_is_a_formula(prefix, function, arguments):
    formula = f"{prefix}{function}({arguments}"
    assert names([formula])[0]["issue"] == "spreadsheet_formula"
    assert run(standardize_company_name, [formula])[0]["issue"] == "spreadsheet_formula"


@FUZZ
@given(st.sampled_from("+-@"), st.sampled_from(NAME_POOL))
def test_a_leading_symbol_before_a_real_name_is_not_a_formula(prefix, name):
    assert names([prefix + name])[0]["issue"] != "spreadsheet_formula"

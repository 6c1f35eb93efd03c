"""Masking of personal data in exports, on hand-made golden records: names, contacts, ids, dates, addresses."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.exports.consumers import declared_consumers
from assets.exports.masking import mask
from pipelines.hashing import keyed_hash, keyed_hashes

BI = {"email": "hash", "phone": "hash", "id_number": "hash", "name": "family_initial", "given_name": "initial",
      "birth_date": "year", "street": "drop", "postcode": "drop"}
KEY = b"test-key"


def golden(**overrides) -> pl.DataFrame:
    row = {"golden_id": "G1", "customer_kind": "person", "full_name": "王伟", "given_name": "伟", "family_name": "王",
           "company_name": None, "email": "wang.wei@163.com", "emails": ["wang.wei@163.com", "ww@qq.com"],
           "phone": "+8613800138000", "phones": ["+8613800138000"], "id_number": "110101199003074514",
           "identifiers": [{"scheme": "cn_resident", "value": "110101199003074514"}],
           "birth_date": date(1990, 3, 7), "address_line1": "天河路1号", "address_line2": "天河区", "postcode": "510000",
           "city": "广州", "clv": 1234.5}
    row.update(overrides)
    return pl.DataFrame([row])


@pytest.mark.parametrize("overrides, expected", [
    ({}, "王*"),
    ({"full_name": "欧阳娜娜", "family_name": "欧阳", "given_name": "娜娜"}, "欧阳*"),
    ({"full_name": "John Smith", "family_name": "Smith", "given_name": "John"}, "Smith J."),
    ({"full_name": "Smith", "family_name": "Smith", "given_name": None}, "Smith"),
    ({"customer_kind": "company", "full_name": "星辰科技有限公司", "company_name": "星辰科技有限公司", "family_name": None,
      "given_name": None}, "星辰科技有限公司"),
    ({"customer_kind": "company", "full_name": "李娜", "company_name": "星辰科技有限公司", "family_name": None,
      "given_name": None}, None),  # a contact person's unparsed name on a company record is dropped
])
def test_names_become_family_name_and_initial(overrides, expected):
    assert mask(golden(**overrides), BI, KEY)["full_name"].item() == expected


def test_contacts_and_ids_become_keyed_hashes_lists_included():
    masked = mask(golden(), BI, KEY).row(0, named=True)
    assert masked["email"] == keyed_hash("email:wang.wei@163.com", KEY)
    assert masked["emails"] == [keyed_hash("email:wang.wei@163.com", KEY), keyed_hash("email:ww@qq.com", KEY)]
    assert masked["phones"] == [keyed_hash("phone:+8613800138000", KEY)]
    assert masked["id_number"] == masked["identifiers"][0] == keyed_hash("id_number:110101199003074514", KEY)
    assert masked["given_name"] == "*"


def test_birth_date_becomes_the_year_and_street_address_goes():
    masked = mask(golden(), BI, KEY)
    assert masked["birth_date"].item() == 1990
    assert {"address_line1", "address_line2", "postcode"}.isdisjoint(masked.columns)
    assert masked.select("city", "clv").row(0) == ("广州", 1234.5)  # not personal data: kept


def test_empty_and_null_lists_and_no_rows():
    frame = pl.concat([golden(), golden(golden_id="G2", emails=[], phones=None, email=None)])
    masked = mask(frame, BI, KEY)
    assert masked["emails"].to_list()[1] == [] and masked["email"][1] is None
    assert mask(frame.clear(), BI, KEY).height == 0


def test_the_hash_depends_on_the_key():
    assert keyed_hash("email:a@b.cn", b"one") != keyed_hash("email:a@b.cn", b"two")
    values = pl.Series(["x", None, "x", "y"])
    hashed = keyed_hashes(values, KEY)
    assert hashed[0] == hashed[2] != hashed[3] and hashed[1] is None


def test_an_unmasked_policy_changes_nothing():
    frame = golden()
    assert mask(frame, {}, KEY).equals(frame)


def test_consumers_in_configuration_are_checked():
    with pytest.raises(ValueError, match="unknown masking actions"):
        declared_consumers({"x": {"tables": ["core.golden_customer"], "masking": {"email": "scramble"}}})
    with pytest.raises(ValueError, match="unknown kinds"):
        declared_consumers({"x": {"tables": ["core.golden_customer"], "masking": {"salary": "drop"}}})
    (consumer,) = declared_consumers({"x": {"tables": ["marts.customer_clv"], "consent_only": True}})
    assert consumer.tables == (("marts", "customer_clv"),) and consumer.consent_only and not consumer.masked


@settings(max_examples=60, deadline=None)
@given(email=st.emails(), phone=st.from_regex(r"\+86 ?1[3-9]\d{9}", fullmatch=True))
def test_no_masked_value_survives_in_any_column(email, phone):
    masked = mask(golden(email=email, emails=[email], phone=phone, phones=[phone]), BI, KEY)
    text = str(masked.rows())
    assert email not in text and phone not in text and "110101199003074514" not in text


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"y" * 65, bytes(range(32))])
def test_vectorized_keyed_hashes_are_hmac_sha256(key):
    values = pl.Series("v", ["wang.wei@163.com", "王伟", "", None, "+8613800138000", "a" * 200])
    expected = [None if v is None else keyed_hash("email:" + v, key) for v in values]
    assert keyed_hashes(values, key, prefix="email:").to_list() == expected
    assert keyed_hashes(pl.Series("v", [], dtype=pl.String), key).to_list() == []

"""Company names as evidence: a typo in a short name is its own level, between a close name and a
shared brand, and never reached by names too short for one character to be a typo."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.resolve.compare import compare
from assets.resolve.fields import FIELD_LEVELS
from assets.resolve.prepare import prepare
from assets.standardize.customers import standardize_customers
from assets.standardize.mapping import SourceMapping, to_canonical

MAPPING = SourceMapping.model_validate({
    "source": "accounts", "id": "acct", "default_country": "CN", "kind": "company",
    "fields": {"company_name": "name", "phone": "tel", "city": "city"},
})


def company_level(left: str, right: str) -> str:
    raw = pl.DataFrame({"acct": ["A", "B"], "name": [left, right], "tel": ["010-62345678", "010-62345678"],
                        "city": ["北京", "北京"]})
    staged = standardize_customers(to_canonical(raw, MAPPING), date(2026, 11, 1)).staged
    prepared = prepare(staged)
    pairs = pl.DataFrame({"rid_l": [0], "rid_r": [1]}, schema={"rid_l": pl.UInt32, "rid_r": pl.UInt32})
    return FIELD_LEVELS["company"][compare(prepared, pairs)["company"].item()]


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("北京旭信咨询有限公司", "北京旭信咨询有限公司", "exact"),
    ("济南旭信咨询有限公司", "济南旭诚咨询", "one_character"),  # one character of the brand, legal form dropped
    ("昆明立天机械有限公司", "昆明立添机械有限公司", "one_character"),
    ("Meridian Logistics Ltd", "Meridain Logistics Ltd", "close"),  # long enough for token similarity
    ("明隆建材有限公司", "明隆有限公司", "same_brand"),
    ("和华机械有限公司", "和桦有限公司", "different"),  # two characters apart: not a typo
    ("天津美辉科技有限公司", "天津美晖科技有限公司", "one_character"),
])
def test_company_name_levels(left, right, expected):
    assert company_level(left, right) == expected


def test_a_two_character_name_one_character_off_is_not_a_typo():
    assert company_level("明隆", "明华") in ("different", "same_brand")

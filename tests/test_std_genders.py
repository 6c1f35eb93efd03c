"""standardize_gender and gender_from_honorific: Chinese and Latin spellings, codes and titles."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.standardize.genders import GENDER_CODES, gender_from_honorific, standardize_gender

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GENDER_WORDS = st.sampled_from([*GENDER_CODES, "男性", "Mrs.", " Ｍ ", "FEMALE", "先生", "xyz", ""])


def gendered(values: list[str | None]) -> pl.DataFrame:
    frame = pl.DataFrame({"raw": values}, schema={"raw": pl.String})
    return frame.select(std=standardize_gender(pl.col("raw"))).unnest("std")


def honorific(names: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"name": names}, schema={"name": pl.String})
    return frame.select(gender_from_honorific(pl.col("name"))).to_series().to_list()


@pytest.mark.parametrize(
    ("raw", "value", "issue"),
    [
        ("男", "M", None),
        ("女", "F", None),
        ("男性", "M", None),
        ("女性", "F", None),
        ("M", "M", None),
        ("f", "F", None),
        ("Male", "M", None),
        ("FEMALE", "F", None),
        ("先生", "M", None),
        ("女士", "F", None),
        ("小姐", "F", None),
        ("Mr", "M", None),
        ("Mrs.", "F", None),
        ("Ms", "F", None),
        ("Miss", "F", None),
        ("1", "M", None),
        ("2", "F", None),
        ("１", "M", None),
        (" Ｆ ", "F", None),
        ("0", None, None),
        ("9", None, None),
        ("未知", None, None),
        ("保密", None, None),
        ("unknown", None, None),
        ("3", None, "unknown_gender"),
        ("男女", None, "unknown_gender"),
        ("xyz", None, "unknown_gender"),
        ("", None, None),
        ("  ", None, None),
        (None, None, None),
    ],
)
def test_real_world_gender_spellings(raw, value, issue):
    assert gendered([raw]).row(0, named=True) == {"value": value, "issue": issue}


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("王先生", "M"),
        ("李女士", "F"),
        ("欧阳小姐", "F"),
        ("马太太", "F"),
        ("张夫人", "F"),
        ("Mrs Smith", "F"),
        ("Mr John Smith", "M"),
        ("Mr. Bean", "M"),
        ("MS. Jane Doe", "F"),
        ("Miss Marple", "F"),
        ("Smith, Mrs", "F"),
        ("Sir Elton John", "M"),
        ("Dr. Who", None),
        ("Mrsmith", None),
        ("张伟", None),
        ("John Smith", None),
        ("星辰科技有限公司", None),
        ("", None),
        (None, None),
    ],
)
def test_gender_from_honorific_in_name(name, gender):
    assert honorific([name]) == [gender]


def test_gender_stays_a_plain_expression_in_lazy_and_streaming_queries():
    lazy = pl.LazyFrame({"g": ["男", "F", "?", "xyz"] * 3})
    out = lazy.select(standardize_gender(pl.col("g")).struct.field("value")).collect(engine="streaming")
    assert out.to_series().to_list() == ["M", "F", None, None] * 3


@FUZZ
@given(st.lists(st.one_of(st.none(), st.text(), GENDER_WORDS), max_size=20))
def test_never_raises_and_is_idempotent(values):
    first = gendered(values)
    assert set(first["value"].drop_nulls()) <= {"F", "M"}
    again = gendered(first["value"].to_list())
    assert again["value"].to_list() == first["value"].to_list()
    assert again["issue"].drop_nulls().to_list() == []
    honorific(values)

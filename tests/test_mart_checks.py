"""The checks every mart passes before it is published."""

from __future__ import annotations

import math

import polars as pl
import pytest

from quality.mart_checks import one_row_per_customer, values_between

CUSTOMERS = pl.DataFrame({"golden_id": ["G1", "G2", "G3"]})


@pytest.mark.parametrize(("ids", "every", "passed", "problems"), [
    (["G1", "G2", "G3"], True, True, {"duplicated": 0, "unknown": 0, "missing": 0}),
    (["G1", "G2"], True, False, {"duplicated": 0, "unknown": 0, "missing": 1}),
    (["G1", "G2"], False, True, {"duplicated": 0, "unknown": 0, "missing": 0}),
    (["G1", "G1", "G2", "G3"], True, False, {"duplicated": 2, "unknown": 0, "missing": 0}),
    (["G1", "G2", "G3", "G9"], False, False, {"duplicated": 0, "unknown": 1, "missing": 0}),
])
def test_one_row_per_customer(ids, every, passed, problems):
    outcome = one_row_per_customer("m", pl.DataFrame({"golden_id": ids}), CUSTOMERS, every_customer=every)
    assert outcome.passed is passed and outcome.blocking
    assert outcome.metadata == problems
    assert outcome.failing_rows == sum(problems.values()) == len(outcome.sample)


def test_values_between_flags_out_of_range_and_nan_but_not_null():
    frame = pl.DataFrame({"golden_id": ["G1", "G2", "G3", "G4", "G5"],
                          "p": [0.0, 1.0, None, 1.2, math.nan], "n": [0, 3, 2, 1, -1]})
    outcome = values_between("m", frame, {"p": (0, 1), "n": (0, None)})
    assert not outcome.passed
    assert outcome.metadata["out_of_range"] == {"p": 2, "n": 1}
    assert outcome.failing_rows == 2 and {row["golden_id"] for row in outcome.sample} == {"G4", "G5"}
    assert values_between("m", frame.head(3), {"p": (0, 1), "n": (0, None)}).passed

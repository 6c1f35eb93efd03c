"""The pieces of resolution that keep evidence from counting twice, and blocking's pair budget, on
frames small enough to read: each rule stated, then shown to hold and to stop holding."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from assets.resolve.blocking import PAIRS_PER_RECORD, RULE_LIBRARY, block_cap, rule_bit, rule_names
from assets.resolve.fields import FIELD_LEVELS, level
from assets.resolve.guards import household_guard, implied_fields, number_on_its_street
from models.match_model import FieldParams, MatchModel, match_weights


def levels(role: str = "person", **named: str) -> pl.DataFrame:
    """One pair's levels: every field missing but those named."""
    row = {f: level(f, named.get(f, "missing")) for f in FIELD_LEVELS}
    return pl.DataFrame([{"role": role, **row, "contacts_differ": named.get("contacts_differ") == "yes"}],
                        schema={"role": pl.String, **{f: pl.Int8 for f in FIELD_LEVELS}, "contacts_differ": pl.Boolean})


ADDRESS = {"street_number": "exact", "street": "exact", "locality": "exact", "postcode": "exact"}


@pytest.mark.parametrize(("case", "named", "guarded"), [
    ("two given names at one address", {"given_name": "different", "birth_date": "different"}, True),
    ("twins' names differ but the birth date is the same", {"given_name": "different", "birth_date": "exact"}, False),
    ("two genders", {"given_name": "exact", "gender": "different"}, True),
    ("a mother and daughter of one name, phones that differ",
     {"given_name": "exact", "birth_date": "different", "contacts_differ": "yes"}, True),
    ("a birth date years off and nothing else against", {"given_name": "exact", "birth_date": "different"}, False),
    ("one person, a typo in the given name", {"given_name": "one_typo", "birth_date": "exact"}, False),
])
def test_household_guard_drops_address_evidence_for_family_members(case, named, guarded):
    out = household_guard(levels(**ADDRESS, **named)).row(0, named=True)
    address = [out[p] for p in ("street_number", "street", "locality", "postcode")]
    assert address == ([0] * 4 if guarded else [level(p, "exact") for p in ADDRESS]), case
    assert "contacts_differ" not in household_guard(levels(**named)).columns


def test_household_guard_leaves_companies_alone():
    out = household_guard(levels("company", **ADDRESS, given_name="different", gender="different")).row(0, named=True)
    assert out["street"] == level("street", "exact")


def test_a_shared_landline_counts_only_without_the_shared_street():
    with_street = household_guard(levels(phone="household_line", **ADDRESS, given_name="exact")).row(0, named=True)
    without = household_guard(levels(phone="household_line", given_name="exact")).row(0, named=True)
    assert with_street["phone"] == 0 and without["phone"] == level("phone", "household_line")


@pytest.mark.parametrize(("street", "number_counts"), [("exact", True), ("close", True), ("different", False),
                                                      ("missing", False)])
def test_a_house_number_counts_only_on_the_same_street(street, number_counts):
    out = number_on_its_street(levels(street=street, street_number="different")).row(0, named=True)
    assert out["street_number"] == (level("street_number", "different") if number_counts else 0)


def prepared_places(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame({"role": ["person"] * len(pairs), "postcode": [p for p, _ in pairs], "city": [c for _, c in pairs]})


def test_a_locality_is_implied_by_its_postcode_only_where_the_data_says_so():
    rng = np.random.default_rng(3)
    real = [(f"{2000 + k % 50}", f"town{k % 50}") for k in range(1000)]  # each postcode names one town
    synthetic = [(f"{2000 + k % 50}", f"town{int(rng.integers(0, 50))}") for k in range(1000)]  # drawn apart
    assert implied_fields(prepared_places(real), "person") == {"locality": "postcode"}
    assert implied_fields(prepared_places(synthetic), "person") == {}
    assert implied_fields(prepared_places(real), "company") == {}


def test_block_cap_keeps_rare_keys_within_the_pair_budget():
    records = 1000
    sizes = pl.Series([2] * 100 + [10] * 5 + [40] * 2 + [300], dtype=pl.Int64)  # 100 + 225 + 1560 + 44850 pairs
    cap = block_cap(sizes, records, max_block_size=500)
    kept = sizes.filter(sizes <= cap)
    assert (kept * (kept - 1) // 2).sum() <= PAIRS_PER_RECORD * records
    assert cap >= 10  # the rare keys stay
    assert block_cap(pl.Series([2, 3], dtype=pl.Int64), records, max_block_size=500) == 500  # within budget: no cut


def test_rule_names_read_every_bit_of_a_mask():
    both = rule_bit("phone") | rule_bit("name_birth_date")
    names = rule_names(pl.Series([both, rule_bit("email"), both], dtype=pl.UInt32)).to_list()
    assert names == [["phone", "name_birth_date"], ["email"], ["phone", "name_birth_date"]]
    assert len(RULE_LIBRARY) <= 32


def name_model() -> MatchModel:
    fields = {}
    for f in ("family_name", "given_name"):
        n = len(FIELD_LEVELS[f])
        m = np.full(n, 0.01)
        m[level(f, "exact")] = 0.95
        u = np.full(n, 0.1)
        u[level(f, "exact")] = 0.01
        fields[f] = FieldParams(FIELD_LEVELS[f], m, u)
    return MatchModel(fields, candidate_match_share=0.5, prior=1e-4, iterations=1)


def test_a_common_whole_name_weighs_less_than_its_rare_parts_suggest():
    frame = pl.DataFrame({"family_name": [level("family_name", "exact")] * 2, "given_name": [level("given_name", "exact")] * 2,
                          "tf_family_name": [1e-3, 1e-3], "tf_given_name": [1e-3, 1e-3], "tf_name": [1e-3, 1e-7]},
                         schema_overrides={"family_name": pl.Int8, "given_name": pl.Int8})
    tf = {"family_name": "tf_family_name", "given_name": "tf_given_name"}
    scored = match_weights(frame, name_model(), tf, {"tf_name": ("family_name", "given_name")})
    common, rare = scored.to_dicts()
    parts = 2 * (np.log2(0.95) - np.log2(1e-3))
    assert rare["family_name_weight"] + rare["given_name_weight"] == pytest.approx(parts, abs=1e-3)  # never raised
    assert common["family_name_weight"] + common["given_name_weight"] == pytest.approx(
        2 * np.log2(0.95) - np.log2(1e-3), abs=1e-3)
    for row in (common, rare):  # still the sum of its explanation
        assert row["match_weight"] == pytest.approx(row["family_name_weight"] + row["given_name_weight"]
                                                    + name_model().prior_weight, abs=1e-4)



def _phone_params(candidate_m: float | None, candidate_u: float | None) -> FieldParams:
    """Phone levels with 'same_last_8_digits' rare among matches (m at its floor) and among random pairs."""
    levels = FIELD_LEVELS["phone"]
    m = np.array([1.0, 0.8, 0.005, 0.02, 0.175])
    u = np.array([1.0, 1.5e-6, 1.5e-6, 1.5e-6, 1.0])
    cm = cu = None
    if candidate_m is not None:
        cm, cu = m.copy(), u.copy()
        cm[levels.index("same_last_8_digits")], cu[levels.index("same_last_8_digits")] = candidate_m, candidate_u
    return FieldParams(levels, m, u, np.array([0, 100, 50, 10, 100]), cm, cu)


@pytest.mark.parametrize(("candidate_m", "candidate_u", "counts"), [
    (None, None, False),  # no candidate estimate: a level at the floor of m is no evidence
    (0.0008, 0.0003, True),  # found more among matches than among the non-matches blocked with them
    (0.0027, 0.0136, False),  # namesakes share it more often than matches do (an email's local part)
])
def test_a_rare_level_counts_only_where_em_found_it_among_matches(candidate_m, candidate_u, counts):
    weight = _phone_params(candidate_m, candidate_u).weights[FIELD_LEVELS["phone"].index("same_last_8_digits")]
    assert (weight > 10) if counts else (weight == 0.0)

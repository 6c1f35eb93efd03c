"""Scoring a crosswalk against ground truth: pairwise precision/recall/F1 per script and kind, and
household false merges, on hand-made frames whose figures are worked out by hand below."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
import polars as pl
import pytest

from assets.resolve.evaluate import household_accuracy, pairwise_accuracy

# Truth. E1 and E2 are two people of household H1, E3 and E6 two of H2; E4, E5 are companies.
ENTITIES = pl.DataFrame({
    "entity_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
    "kind": ["person", "person", "person", "company", "company", "person"],
    "script": ["zh", "zh", "latin", "zh", "latin", "latin"],
    "household_id": ["H1", "H1", "H2", None, None, "H2"],
})
TRUTH = {  # record -> entity; u1, u2 are registry rows of non-customers (null entity); q1 never reached resolution
    "a1": "E1", "a2": "E1", "a3": "E1", "q1": "E1",
    "b1": "E2", "b2": "E2",
    "c1": "E3", "c2": "E3",
    "d1": "E4", "d2": "E4",
    "e1": "E5",
    "f1": "E6",
    "u1": None, "u2": None,
}
# The resolution. G1 merges E1 with E2 (household over-merge); E1 is also split (G2); G4 merges a
# Latin person with a Latin company; E4 is split over G5 and G6, and G6 takes in an untracked
# record; u3 has no truth row at all.
CLUSTERS = {
    "G1": ["a1", "a2", "b1"], "G2": ["a3"], "G3": ["b2"], "G4": ["c1", "c2", "e1"], "G5": ["d1"],
    "G6": ["d2", "u1"], "G7": ["u2"], "G8": ["u3"], "G9": ["f1"],
}


def _source(record: str) -> str:
    return "company_registry" if record.startswith(("u", "d", "e")) else "erp_customers"


def _xref(clusters: dict[str, list[str]]) -> pl.DataFrame:
    rows = [(_source(r), r, g) for g, records in clusters.items() for r in records]
    return pl.DataFrame(rows, schema=["source", "record_id", "golden_id"], orient="row")


def _truth() -> pl.DataFrame:
    return pl.DataFrame([(_source(r), r, e) for r, e in TRUTH.items()],
                        schema={"source": pl.String, "record_id": pl.String, "entity_id": pl.String}, orient="row")


def _rows(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["group"]: row for row in frame.iter_rows(named=True)}


def _f1(p: Fraction, r: Fraction) -> float:
    return float(2 * p * r / (p + r))


def test_hand_worked_example():
    got = _rows(pairwise_accuracy(_xref(CLUSTERS), _truth(), ENTITIES))
    assert list(got) == ["all", "zh", "latin", "person", "company"]
    # all: 14 records (q1 is not in the crosswalk). True pairs E1 3 + E2 1 + E3 1 + E4 1 = 6.
    # Predicted: G1 3 + G4 3 + G6 1 = 7. True positives: (a1,a2) and (c1,c2) = 2.
    expected = {
        "all": (14, 6, 7, 2),
        # zh records a1-a3, b1, b2, d1, d2: true 3+1+1; predicted G1's 3 (G6 has only d2 in zh); TP (a1,a2).
        "zh": (7, 5, 3, 1),
        # latin records c1, c2, e1, f1: true (c1,c2); predicted G4's 3; TP (c1,c2).
        "latin": (4, 1, 3, 1),
        # persons a*, b*, c*, f1: true 3+1+1; predicted G1 3 + (c1,c2) of G4; TP (a1,a2), (c1,c2).
        "person": (8, 5, 4, 2),
        # companies d1, d2, e1: true (d1,d2); no predicted pair among them.
        "company": (3, 1, 0, 0),
    }
    for group, (records, true_pairs, predicted, tp) in expected.items():
        row = got[group]
        assert (row["records"], row["true_pairs"], row["predicted_pairs"], row["true_positives"]) == \
            (records, true_pairs, predicted, tp), group
    assert got["all"]["precision"] == pytest.approx(2 / 7)
    assert got["all"]["recall"] == pytest.approx(1 / 3)
    assert got["all"]["f1"] == pytest.approx(_f1(Fraction(2, 7), Fraction(1, 3)))  # 4/13
    assert (got["zh"]["precision"], got["zh"]["recall"], got["zh"]["f1"]) == pytest.approx((1 / 3, 1 / 5, 1 / 4))
    assert (got["latin"]["precision"], got["latin"]["recall"], got["latin"]["f1"]) == pytest.approx((1 / 3, 1, 1 / 2))
    assert (got["person"]["precision"], got["person"]["recall"], got["person"]["f1"]) == \
        pytest.approx((1 / 2, 2 / 5, 4 / 9))
    # No predicted pair: precision is undefined (null), not 1.0; recall is 0.
    assert got["company"]["precision"] is None
    assert got["company"]["recall"] == 0.0
    assert got["company"]["f1"] is None


def test_perfect_resolution_scores_one_and_untracked_records_stay_apart():
    clusters: dict[str, list[str]] = {}
    for record, entity in TRUTH.items():
        if record != "q1":
            clusters.setdefault(entity or f"own-{record}", []).append(record)
    clusters["own-u3"] = ["u3"]
    got = _rows(pairwise_accuracy(_xref(clusters), _truth(), ENTITIES))
    for group in ("all", "zh", "latin", "person", "company"):
        assert got[group]["precision"] == got[group]["recall"] == got[group]["f1"] == 1.0, group
    assert got["all"]["true_pairs"] == got["all"]["true_positives"] == 6


def test_merging_two_untracked_records_is_a_false_positive():
    clusters = {"G1": ["u1", "u2"], "G2": ["u3"]}
    got = _rows(pairwise_accuracy(_xref(clusters), _truth(), ENTITIES))
    assert (got["all"]["records"], got["all"]["true_pairs"], got["all"]["predicted_pairs"],
            got["all"]["true_positives"]) == (3, 0, 1, 0)
    assert got["all"]["precision"] == 0.0
    assert got["all"]["recall"] is None and got["all"]["f1"] is None
    # Untracked records have no script or kind: the other groups are empty.
    assert all(got[g]["records"] == 0 and got[g]["precision"] is None for g in ("zh", "latin", "person", "company"))


def test_all_singletons():
    clusters = {f"G-{r}": [r] for r in TRUTH if r != "q1"}
    got = _rows(pairwise_accuracy(_xref(clusters), _truth(), ENTITIES))
    assert got["all"]["predicted_pairs"] == 0 and got["all"]["precision"] is None
    assert got["all"]["recall"] == 0.0


def test_row_order_does_not_matter():
    xref = _xref(CLUSTERS)
    shuffled = xref.sample(fraction=1.0, shuffle=True, seed=3)
    assert pairwise_accuracy(xref, _truth(), ENTITIES).equals(
        pairwise_accuracy(shuffled, _truth().reverse(), ENTITIES.reverse()))


def test_duplicate_or_missing_keys_are_refused():
    xref = _xref(CLUSTERS)
    with pytest.raises(ValueError, match="xref has 2 rows sharing"):
        pairwise_accuracy(pl.concat([xref, xref.head(1)]), _truth(), ENTITIES)
    with pytest.raises(ValueError, match="truth_records"):
        pairwise_accuracy(xref, pl.concat([_truth(), _truth().head(1)]), ENTITIES)
    with pytest.raises(ValueError, match="without a golden_id"):
        pairwise_accuracy(xref.with_columns(golden_id=pl.when(pl.col("record_id") != "a1").then("golden_id")),
                          _truth(), ENTITIES)


def test_counts_agree_with_enumerated_pairs_on_random_frames():
    rng = np.random.default_rng(11)
    for _ in range(20):
        n = int(rng.integers(1, 60))
        entity = rng.integers(0, max(1, n // 3), n)
        tracked = rng.random(n) > 0.15
        golden = np.where(rng.random(n) < 0.7, entity, rng.integers(0, n, n))  # mostly right, some noise
        scripts = np.array(["zh", "latin"])[rng.integers(0, 2, entity.max() + 1)]
        ids = [f"r{i}" for i in range(n)]
        xref = pl.DataFrame({"source": "s", "record_id": ids, "golden_id": [f"G{g}" for g in golden]})
        truth = pl.DataFrame({"source": "s", "record_id": ids,
                              "entity_id": [f"E{e}" if t else None for e, t in zip(entity, tracked)]})
        entities = pl.DataFrame({"entity_id": [f"E{e}" for e in range(entity.max() + 1)],
                                 "kind": "person", "script": scripts})
        got = _rows(pairwise_accuracy(xref, truth, entities))
        for group, keep in (("all", lambda i: True), ("zh", lambda i: tracked[i] and scripts[entity[i]] == "zh")):
            members = [i for i in range(n) if keep(i)]
            pairs = list(combinations(members, 2))
            same_truth = {(i, j) for i, j in pairs if tracked[i] and tracked[j] and entity[i] == entity[j]}
            same_golden = {(i, j) for i, j in pairs if golden[i] == golden[j]}
            row = got[group]
            assert (row["records"], row["true_pairs"], row["predicted_pairs"], row["true_positives"]) == \
                (len(members), len(same_truth), len(same_golden), len(same_truth & same_golden))


def test_household_false_merges():
    got = household_accuracy(_xref(CLUSTERS), _truth(), ENTITIES).row(0, named=True)
    # G1 holds E1 (a1, a2) and E2 (b1) of H1: pairs (a1,b1), (a2,b1). H2's E3 and E6 stay apart;
    # G4 joins E3 with a company, which has no household.
    assert got == {"clusters": 1, "households": 1, "persons": 2, "false_pairs": 2, "false_positive_pairs": 5}


def test_household_no_merge():
    clusters = {"G1": ["a1", "a2", "a3"], "G2": ["b1", "b2"], "G3": ["c1", "c2"], "G4": ["f1"]}
    got = household_accuracy(_xref(clusters), _truth(), ENTITIES).row(0, named=True)
    assert got == {"clusters": 0, "households": 0, "persons": 0, "false_pairs": 0, "false_positive_pairs": 0}

"""Stable golden ids across runs, and the events core.golden_id_history records."""

from __future__ import annotations

import polars as pl

from assets.resolve.ids import assign_golden_ids, new_golden_id


def members(groups: dict[int, list[str]]) -> pl.DataFrame:
    return pl.DataFrame([{"source": "s", "record_id": r, "label": label} for label, ids in groups.items() for r in ids])


def previous(groups: dict[str, list[str]]) -> pl.DataFrame:
    return pl.DataFrame([{"source": "s", "record_id": r, "golden_id": g} for g, ids in groups.items() for r in ids])


def ids_of(result, groups: dict[int, list[str]]) -> dict[int, str]:
    return dict(result.labels.filter(pl.col("label").is_in(list(groups))).iter_rows())


def events(result) -> set[tuple]:
    return {(r["golden_id"], r["event"], r["related_golden_id"], r["records"]) for r in result.history.to_dicts()}


def test_first_run_creates_an_id_per_cluster_derived_from_its_smallest_member():
    result = assign_golden_ids(members({0: ["b", "a"], 1: ["c"]}), None)
    ids = ids_of(result, {0: [], 1: []})
    assert ids[0] == new_golden_id("s\x1fa") and ids[1] == new_golden_id("s\x1fc")
    assert events(result) == {(ids[0], "created", None, 2), (ids[1], "created", None, 1)}


def test_unchanged_clusters_keep_their_ids_and_record_nothing():
    result = assign_golden_ids(members({5: ["a", "b"], 9: ["c"]}), previous({"G1": ["a", "b"], "G2": ["c"]}))
    assert ids_of(result, {5: [], 9: []}) == {5: "G1", 9: "G2"}
    assert result.history.height == 0


def test_a_new_record_joins_an_existing_customer_without_changing_its_id():
    result = assign_golden_ids(members({0: ["a", "b", "new"]}), previous({"G1": ["a", "b"]}))
    assert ids_of(result, {0: []}) == {0: "G1"}
    assert result.history.height == 0


def test_a_merge_keeps_the_larger_id_and_records_the_other_as_merged():
    result = assign_golden_ids(members({0: ["a", "b", "c"]}), previous({"G1": ["a", "b"], "G2": ["c"]}))
    assert ids_of(result, {0: []}) == {0: "G1"}
    assert events(result) == {("G2", "merged", "G1", 1)}


def test_a_split_keeps_the_id_on_the_larger_part_and_gives_the_other_a_new_one():
    result = assign_golden_ids(members({0: ["a", "b"], 1: ["c"]}), previous({"G1": ["a", "b", "c"]}))
    ids = ids_of(result, {0: [], 1: []})
    assert ids[0] == "G1" and ids[1] not in {"G1"}
    assert events(result) == {(ids[1], "split", "G1", 1)}


def test_a_customer_whose_records_are_gone_is_retired():
    result = assign_golden_ids(members({0: ["a"]}), previous({"G1": ["a"], "G2": ["x", "y"]}))
    assert events(result) == {("G2", "retired", None, 2)}


def test_new_ids_never_reuse_an_id_seen_before():
    taken = new_golden_id("s\x1fa")
    result = assign_golden_ids(members({0: ["a"], 1: ["z"]}), previous({taken: ["z"]}))
    ids = ids_of(result, {0: [], 1: []})
    assert ids[1] == taken
    assert ids[0] != taken and ids[0].startswith("G")


# ------------------------------------------------------------------ properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import numpy as np  # noqa: E402

from assets.resolve.cluster import cluster  # noqa: E402

partitions = st.lists(st.integers(0, 6), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(partitions, partitions)
def test_every_cluster_gets_one_distinct_id_and_unchanged_clusters_keep_theirs(now, before):
    records = [f"r{i}" for i in range(len(now))]
    current = pl.DataFrame({"source": "s", "record_id": records, "label": now})
    first = assign_golden_ids(current, None)
    assert first.labels["label"].n_unique() == first.labels.height == len(set(now))
    assert first.labels["golden_id"].n_unique() == first.labels.height
    last = current.join(first.labels, on="label").select("source", "record_id", "golden_id")
    again = assign_golden_ids(current, last)
    assert again.labels.sort("label").equals(first.labels.sort("label")) and again.history.height == 0
    old = pl.DataFrame({"source": "s", "record_id": records[:len(before)],
                        "golden_id": [f"G{b}" for b in before[:len(records)]]})
    later = assign_golden_ids(current, old)
    assert later.labels["golden_id"].n_unique() == later.labels.height == len(set(now))


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0, 40)), max_size=60),
    st.lists(st.one_of(st.none(), st.sampled_from(["ID1", "ID2", "ID3"])), min_size=n, max_size=n))))
def test_no_cluster_ever_holds_two_different_ids(case):
    n, edges, ids = case
    edges = [(min(a, b), max(a, b), w) for a, b, w in edges if a != b]
    accepted = pl.DataFrame(edges, schema={"rid_l": pl.UInt32, "rid_r": pl.UInt32, "match_weight": pl.Float64},
                            orient="row")
    result = cluster(n, accepted, pl.Series(ids, dtype=pl.String))
    labelled = pl.DataFrame({"label": result.labels, "id": ids})
    assert labelled.drop_nulls("id").group_by("label").agg(pl.col("id").n_unique())["id"].max() in (None, 1)
    # records are only ever together when linked by accepted pairs, and only cut pairs are left out
    kept = accepted.join(result.cut, on=["rid_l", "rid_r"], how="anti")
    same = np.asarray(result.labels)
    assert all(same[a] == same[b] for a, b in kept.select("rid_l", "rid_r").iter_rows())

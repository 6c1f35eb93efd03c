"""Clustering: connected components over accepted pairs, guarded against chaining.

A component whose records hold two different valid id numbers (resident id or credit code)
was chained through a weak link: it is rebuilt from its strongest links down, skipping any
link that would put two different ids in one cluster, so it splits at its weakest links.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass
class Clusters:
    labels: np.ndarray  # cluster label per rid
    cut: pl.DataFrame  # rid_l, rid_r of accepted pairs left out to keep ids apart
    split_components: int


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _split(members: np.ndarray, edges: pl.DataFrame, ids: dict[int, str]) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Constrained union-find (strongest links first) within one conflicting component."""
    index = {rid: k for k, rid in enumerate(members.tolist())}
    parent = list(range(len(members)))
    held: list[set[str]] = [{ids[rid]} if rid in ids else set() for rid in members.tolist()]
    cut = []
    for left, right in edges.sort("match_weight", descending=True).select("rid_l", "rid_r").iter_rows():
        a, b = _find(parent, index[left]), _find(parent, index[right])
        if a == b:
            continue
        if held[a] and held[b] and held[a] != held[b]:
            cut.append((left, right))
            continue
        parent[b] = a
        held[a] |= held[b]
    return {rid: _find(parent, index[rid]) for rid in members.tolist()}, cut


def cluster(n: int, accepted: pl.DataFrame, id_numbers: pl.Series) -> Clusters:
    """``accepted``: rid_l, rid_r, match_weight; ``id_numbers``: valid id per rid (null if none)."""
    rows = accepted["rid_l"].to_numpy().astype(np.int64)
    cols = accepted["rid_r"].to_numpy().astype(np.int64)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    labelled = pl.DataFrame({"rid": np.arange(n, dtype=np.uint32), "label": labels.astype(np.int64),
                             "id_number": id_numbers})
    conflicts = (labelled.drop_nulls("id_number").group_by("label").agg(pl.col("id_number").n_unique().alias("ids"))
                 .filter(pl.col("ids") > 1)["label"])
    cut_pairs: list[tuple[int, int]] = []
    if conflicts.len():
        next_label = int(labels.max()) + 1
        ids = dict(labelled.drop_nulls("id_number").select("rid", "id_number").iter_rows())
        edge_label = accepted.with_columns(pl.Series("label", labels[rows]))
        for label in conflicts.to_list():
            members = np.flatnonzero(labels == label)
            roots, cut = _split(members, edge_label.filter(pl.col("label") == label), ids)
            cut_pairs.extend(cut)
            renumber = {}
            for rid, root in roots.items():
                if root not in renumber:
                    renumber[root] = label if not renumber else next_label + len(renumber) - 1
                labels[rid] = renumber[root]
            next_label += len(renumber) - 1
    cut = pl.DataFrame(cut_pairs, schema={"rid_l": pl.UInt32, "rid_r": pl.UInt32}, orient="row")
    return Clusters(labels, cut, int(conflicts.len()))

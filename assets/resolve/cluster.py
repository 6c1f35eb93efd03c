"""Clustering: connected components over accepted pairs, guarded against chaining.

A component whose records hold two different valid identifiers of one checked scheme (two
resident ids, two US social security numbers) was chained through a weak link: it is rebuilt
from its strongest links down, skipping any link that would put two different identifiers of a
scheme in one cluster, so it splits at its weakest links. Opaque identifiers (member numbers)
are not trusted for this: a typo in one is common and undetectable.
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


def _conflict(a: dict[str, str], b: dict[str, str]) -> bool:
    return any(scheme in b and b[scheme] != value for scheme, value in a.items())


def _split(members: np.ndarray, edges: pl.DataFrame, ids: dict[int, dict[str, str]]) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Constrained union-find (strongest links first) within one conflicting component."""
    index = {rid: k for k, rid in enumerate(members.tolist())}
    parent = list(range(len(members)))
    held: list[dict[str, str]] = [dict(ids.get(rid, {})) for rid in members.tolist()]
    cut = []
    for left, right in edges.sort("match_weight", descending=True).select("rid_l", "rid_r").iter_rows():
        a, b = _find(parent, index[left]), _find(parent, index[right])
        if a == b:
            continue
        if _conflict(held[a], held[b]):
            cut.append((left, right))
            continue
        parent[b] = a
        held[a] = {**held[b], **held[a]}
    return {rid: _find(parent, index[rid]) for rid in members.tolist()}, cut


def _identifiers(id_lists: pl.Series) -> pl.DataFrame:
    """rid, scheme, value: one row per checked identifier. ``id_lists`` holds ``scheme:value``
    lists, or (older callers) one id per rid, null if none."""
    frame = pl.DataFrame({"rid": np.arange(len(id_lists), dtype=np.uint32), "id": id_lists})
    if not isinstance(frame.schema["id"], pl.List):
        frame = frame.with_columns(pl.concat_list(pl.lit("id:") + pl.col("id")).alias("id"))
    return (frame.explode("id").drop_nulls("id")
            .select("rid", pl.col("id").str.extract(r"^([^:]+):", 1).alias("scheme"),
                    pl.col("id").str.replace(r"^[^:]+:", "").alias("value")))


def cluster(n: int, accepted: pl.DataFrame, id_numbers: pl.Series) -> Clusters:
    """``accepted``: rid_l, rid_r, match_weight; ``id_numbers``: the checked identifiers of each rid
    (``scheme:value`` lists)."""
    rows = accepted["rid_l"].to_numpy().astype(np.int64)
    cols = accepted["rid_r"].to_numpy().astype(np.int64)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    labelled = pl.DataFrame({"rid": np.arange(n, dtype=np.uint32), "label": labels.astype(np.int64)})
    held = _identifiers(id_numbers).join(labelled, on="rid")
    conflicts = (held.group_by("label", "scheme").agg(pl.col("value").n_unique().alias("ids"))
                 .filter(pl.col("ids") > 1)["label"].unique().sort())
    cut_pairs: list[tuple[int, int]] = []
    if conflicts.len():
        next_label = int(labels.max()) + 1
        ids: dict[int, dict[str, str]] = {}
        for rid, scheme, value in held.filter(pl.col("label").is_in(conflicts.to_list())).select(
                "rid", "scheme", "value").iter_rows():
            ids.setdefault(rid, {})[scheme] = value
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

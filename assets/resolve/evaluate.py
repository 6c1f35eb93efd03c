"""Score a resolution against the generator's ground truth, without enumerating record pairs.

Pairwise metrics count unordered record pairs. A cluster of n records holds n*(n-1)/2 pairs, so

- predicted pairs = sum over golden clusters of C(n, 2),
- true pairs = sum over truth entities of C(n, 2),
- true positives = sum over (golden cluster, truth entity) cells of C(n, 2),

and precision = TP / predicted, recall = TP / true. Only records present in the crosswalk are
scored: truth rows for records that never reached resolution (quarantined, other sources) are
ignored. A record with no truth entity (a company_registry entry for a company that is not a
customer, or a record missing from truth altogether) is its own singleton entity: it adds no true
pair, and any predicted pair it is in is a false positive.

Groups: ``all`` scores every record. ``zh``/``latin`` and ``person``/``company`` restrict the
crosswalk to the records whose truth entity has that script or kind and score within them, so a
golden cluster mixing a Chinese and a Latin entity counts only its same-script pairs in each
script group (its cross-script pairs count in ``all``). Records without a truth entity are in
``all`` only.
"""

from __future__ import annotations

import polars as pl

GROUPS: dict[str, pl.Expr | None] = {
    "all": None,
    "zh": pl.col("script") == "zh",
    "latin": pl.col("script") == "latin",
    "person": pl.col("kind") == "person",
    "company": pl.col("kind") == "company",
}
KEY = ["source", "record_id"]
ACCURACY_SCHEMA = {
    "group": pl.String, "records": pl.Int64, "true_pairs": pl.Int64, "predicted_pairs": pl.Int64,
    "true_positives": pl.Int64, "precision": pl.Float64, "recall": pl.Float64, "f1": pl.Float64,
}


def _pairs(*by: str) -> pl.Expr:
    """Sum of C(n, 2) over the groups of ``by``, as a scalar expression (no pair is materialized)."""
    n = pl.len().over(*by).cast(pl.Int64)
    # Each record of a group of n contributes (n - 1) / 2: the n records together give C(n, 2).
    return ((n - 1).sum() // 2).cast(pl.Int64)


def _check_unique(frame: pl.DataFrame, name: str) -> None:
    duplicated = frame.select(KEY).is_duplicated()
    if duplicated.any():
        example = frame.filter(duplicated).row(0, named=True)
        raise ValueError(f"{name} has {int(duplicated.sum())} rows sharing (source, record_id), "
                         f"e.g. {example['source']}/{example['record_id']}")


def labelled(xref: pl.DataFrame, truth_records: pl.DataFrame, truth_entities: pl.DataFrame) -> pl.DataFrame:
    """The crosswalk's records with their truth: source, record_id, golden_id, entity_id, truth_key,
    kind, script, household_id. ``truth_key`` is the entity_id, or a key of the record's own for a
    record without a truth entity (so it never shares an entity with another record)."""
    _check_unique(xref, "xref")
    if xref["golden_id"].null_count():
        raise ValueError(f"xref has {xref['golden_id'].null_count()} records without a golden_id")
    _check_unique(truth_records, "truth_records")
    if truth_entities["entity_id"].is_duplicated().any():
        raise ValueError("truth_entities has duplicate entity_id values")
    entity_columns = [c for c in ("entity_id", "kind", "script", "household_id") if c in truth_entities.columns]
    frame = (
        xref.select(*KEY, "golden_id")
        .join(truth_records.select(*KEY, "entity_id"), on=KEY, how="left")
        .join(truth_entities.select(entity_columns), on="entity_id", how="left")
    )
    for column in ("kind", "script", "household_id"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    # Entity ids and the untracked keys cannot collide: the latter start with a NUL character.
    untracked = pl.concat_str(pl.lit("\x00"), pl.col("source"), pl.lit("\x00"), pl.col("record_id"))
    return frame.with_columns(truth_key=pl.coalesce(pl.col("entity_id").cast(pl.String), untracked))


def _score(frame: pl.DataFrame, group: str) -> dict:
    counts = frame.select(
        records=pl.len().cast(pl.Int64),
        true_pairs=_pairs("truth_key"),
        predicted_pairs=_pairs("golden_id"),
        true_positives=_pairs("golden_id", "truth_key"),
    ).row(0, named=True) if frame.height else dict(records=0, true_pairs=0, predicted_pairs=0, true_positives=0)
    tp, predicted, true = counts["true_positives"], counts["predicted_pairs"], counts["true_pairs"]
    # Undefined ratios (no predicted pairs, no true pairs) are null rather than a flattering 1.0.
    precision = tp / predicted if predicted else None
    recall = tp / true if true else None
    f1 = (2 * precision * recall / (precision + recall) if precision and recall
          else (0.0 if precision is not None and recall is not None else None))
    return {"group": group, **counts, "precision": precision, "recall": recall, "f1": f1}


def pairwise_accuracy(xref: pl.DataFrame, truth_records: pl.DataFrame,
                      truth_entities: pl.DataFrame) -> pl.DataFrame:
    """Pairwise precision, recall and F1 of ``xref`` (source, record_id, golden_id) against truth
    (records: source, record_id, entity_id; entities: entity_id, kind, script), one row per group:
    group, records, true_pairs, predicted_pairs, true_positives, precision, recall, f1."""
    frame = labelled(xref, truth_records, truth_entities)
    rows = [_score(frame if where is None else frame.filter(where), group) for group, where in GROUPS.items()]
    return pl.DataFrame(rows, schema=ACCURACY_SCHEMA)


def household_accuracy(xref: pl.DataFrame, truth_records: pl.DataFrame,
                       truth_entities: pl.DataFrame) -> pl.DataFrame:
    """Household false merges: golden clusters holding two or more different truth persons of the
    same truth household (family members sharing an address, a landline, a surname are the typical
    over-merge). One row: clusters (golden clusters with such a merge), households (distinct truth
    households involved), persons (truth persons involved), false_pairs (record pairs of one golden
    cluster whose records are different persons of one household), false_positive_pairs (all
    predicted pairs that are not true pairs, for scale)."""
    frame = labelled(xref, truth_records, truth_entities)
    cell = ["golden_id", "household_id"]
    merged = (
        frame.filter((pl.col("kind") == "person") & pl.col("household_id").is_not_null())
        .filter(pl.col("truth_key").n_unique().over(cell) > 1)
    )
    counts = merged.select(
        clusters=pl.col("golden_id").n_unique().cast(pl.Int64),
        households=pl.col("household_id").n_unique().cast(pl.Int64),
        persons=pl.col("truth_key").n_unique().cast(pl.Int64),
        # Pairs within a (cluster, household) cell minus those joining two records of one person.
        false_pairs=_pairs(*cell) - _pairs(*cell, "truth_key"),
    ).row(0, named=True) if merged.height else dict(clusters=0, households=0, persons=0, false_pairs=0)
    scores = _score(frame, "all")
    return pl.DataFrame([{**counts, "false_positive_pairs": scores["predicted_pairs"] - scores["true_positives"]}],
                        schema={"clusters": pl.Int64, "households": pl.Int64, "persons": pl.Int64,
                                "false_pairs": pl.Int64, "false_positive_pairs": pl.Int64})

"""Resolve staged customer records into golden customers: the one function behind the core
assets, ``crm360 resolve`` and the benchmark.

Stages: prepare (match keys) -> block (candidate pairs per rule) -> compare (levels per field,
rapidfuzz in batches) -> score (Fellegi-Sunter, m by EM, u from random pairs, term-frequency
adjusted) -> cluster (connected components, split where two valid ids would meet) ->
survivorship (golden fields) -> stable golden ids (carried over from the previous crosswalk)
-> households.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from assets.resolve.blocking import RULE_LIBRARY, block, count_matched_alone, rule_bit, rule_names
from assets.resolve.cluster import cluster
from assets.resolve.compare import compare
from assets.resolve.fields import FIELD_LEVELS, ROLE_FIELDS
from assets.resolve.frequencies import JOINT_TF, TF_FIELDS, attach_term_frequencies, term_frequencies
from assets.resolve.guards import implied_fields
from assets.resolve.households import households
from assets.resolve.ids import GoldenIds, assign_golden_ids
from assets.resolve.prepare import ROLE, prepare
from assets.resolve.survive import golden_records
from models.match_model import MatchModel, estimate_u, fit_model, match_weights
from pipelines import config

# Per-field comparison columns in match_pairs: <field>_level (str) and <field>_weight (f64).
COMPARED_FIELDS = tuple(FIELD_LEVELS)
TF_COLUMNS = {f: f"tf_{f}" for f in TF_FIELDS}
JOINT_TF_COLUMNS = {f"tf_{name}": fields for name, (_, fields) in JOINT_TF.items()}
U_SAMPLE_PAIRS = 400_000  # random pairs per role for u
COMPARE_CHUNK = 250_000
MIN_SESSION_PAIRS = 20  # an EM session needs this many pairs of its blocking rule
# Levels one customer can't produce, whatever EM makes of look-alike pairs: two different valid
# identifiers of one checked scheme are two parties (data errors aside, which the m floor allows for).
IMPOSSIBLE = {"id_number": ("different",)}
PAIR_FLOOR = 0.001  # core.match_pairs keeps pairs at least this likely (and every accepted or cut one)


@dataclass(frozen=True)
class ResolveSettings:
    threshold: float = config.MATCH_THRESHOLD  # match probability a pair needs to be accepted
    max_block_size: int = config.MAX_BLOCK_SIZE  # a blocking key shared by more records is skipped (and reported)
    source_trust: dict[str, int] = field(default_factory=lambda: dict(config.SOURCE_TRUST))
    seed: int = 42


@dataclass
class ResolveStats:
    records: int = 0
    candidate_pairs: int = 0
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    skipped_blocks: dict[str, int] = field(default_factory=dict)  # rule -> keys over its block cap
    blocking: dict[str, dict] = field(default_factory=dict)  # rule -> roles, pairs, block cap, skipped keys, matched alone
    matched_pairs: int = 0
    golden_customers: int = 0
    split_clusters: int = 0
    households: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    model: dict[str, dict] = field(default_factory=dict)  # role -> {lambda, m, u, weights per field level}
    mode: dict = field(default_factory=dict)  # full or incremental, and why


@dataclass
class Resolution:
    xref: pl.DataFrame  # source, record_id, golden_id, match_probability (null for a lone record), cluster_size
    pairs: pl.DataFrame  # match_pairs: source_l, record_id_l, source_r, record_id_r, role, rules, <field>_level, <field>_weight, match_weight, match_probability, decision
    golden: pl.DataFrame  # golden_customer: golden_id, customer_kind, survived fields, phones, emails, record_count, sources, ...
    history: pl.DataFrame  # golden_id, event (created/merged/split/retired), related_golden_id, records
    households: pl.DataFrame  # golden_id, household_id, household_size, evidence
    stats: ResolveStats
    # rid_l, rid_r of every pair blocking produced; a rid is a row of xref (and of staged)
    candidates: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"rid_l": pl.UInt32, "rid_r": pl.UInt32}))
    models: dict[str, MatchModel] = field(default_factory=dict)  # the match model of each role that scored the pairs

    def candidate_records(self) -> pl.DataFrame:
        """Candidate pairs by record (source_l, record_id_l, source_r, record_id_r): for measuring blocking."""
        names = self.xref.select("source", "record_id")
        left, right = names[self.candidates["rid_l"]], names[self.candidates["rid_r"]]
        return pl.concat([left.rename({"source": "source_l", "record_id": "record_id_l"}),
                          right.rename({"source": "source_r", "record_id": "record_id_r"})], how="horizontal")


Progress = Callable[[str], None]


class Timer:
    def __init__(self, stats: ResolveStats, progress: Progress | None):
        self.stats, self.progress, self.started = stats, progress, time.perf_counter()

    def lap(self, stage: str, note: str = "") -> None:
        now = time.perf_counter()
        self.stats.seconds[stage] = round(now - self.started, 3)
        self.started = now
        if self.progress:
            self.progress(f"{stage}: {self.stats.seconds[stage]:.1f}s{' - ' + note if note else ''}")


def compare_in_chunks(prepared: pl.DataFrame, pairs: pl.DataFrame,
                      tfs: dict[str, pl.DataFrame] | None = None) -> pl.DataFrame:
    """Levels of ``pairs`` a chunk at a time: the side-by-side values of a chunk are dropped as
    soon as its levels are known, which bounds memory at any number of pairs."""
    parts = []
    for start in range(0, max(pairs.height, 1), COMPARE_CHUNK):
        chunk = pairs.slice(start, COMPARE_CHUNK)
        levels = compare(prepared, chunk)
        if tfs is not None:
            levels = attach_term_frequencies(levels, tfs)
        parts.append(levels.with_columns(chunk.drop("rid_l", "rid_r", "role")))
    return pl.concat(parts)


def random_pairs(prepared: pl.DataFrame, role: str, size: int, seed: int) -> pl.DataFrame:
    """Record pairs drawn at random within a role: nearly all non-matches, for estimating u."""
    rids = prepared.filter(pl.col("role") == role)["rid"].to_numpy()
    if len(rids) < 2:
        return pl.DataFrame(schema={"rid_l": pl.UInt32, "rid_r": pl.UInt32, "role": ROLE})
    rng = np.random.default_rng(seed)
    size = min(size, len(rids) * (len(rids) - 1) // 2)
    a, b = rids[rng.integers(0, len(rids), size)], rids[rng.integers(0, len(rids), size)]
    keep = a != b
    a, b = a[keep], b[keep]
    return pl.DataFrame({"rid_l": np.minimum(a, b), "rid_r": np.maximum(a, b), "role": role},
                        schema={"rid_l": pl.UInt32, "rid_r": pl.UInt32, "role": ROLE})


def fit_role(prepared: pl.DataFrame, levels: pl.DataFrame, role: str, seed: int) -> MatchModel:
    fields = {f: FIELD_LEVELS[f] for f in ROLE_FIELDS[role]}
    sample = compare_in_chunks(prepared, random_pairs(prepared, role, U_SAMPLE_PAIRS, seed))
    u = estimate_u(sample, fields)
    # the distinct comparison vectors with the rules that found them: all EM needs, a few thousand rows
    by_mask = (levels.lazy().filter(pl.col("role") == role).group_by(*fields, "rule_mask")
               .agg(pl.len().alias("count")).collect())

    def patterns(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.group_by(list(fields)).agg(pl.col("count").sum()).sort(list(fields))  # sums in a fixed order

    # one EM session per blocking rule that ran for the role, without the fields the rule made agree
    by_rule = [(patterns(by_mask.filter((pl.col("rule_mask") & rule_bit(rule.name)) != 0)), rule)
               for rule in RULE_LIBRARY if role in rule.roles]
    sessions = [(found, tuple(f for f in rule.agrees if f in fields))
                for found, rule in by_rule if found["count"].sum() >= MIN_SESSION_PAIRS]
    n = int((prepared["role"] == role).sum())
    return fit_model(sessions, patterns(by_mask), u, fields, total_pairs=n * (n - 1) // 2, impossible=IMPOSSIBLE,
                     implied=implied_fields(prepared, role),
                     random_patterns=sample.group_by(list(fields)).agg(pl.len().alias("count")))


SCORED_COLUMNS = ["rid_l", "rid_r", "role", "rule_mask", *COMPARED_FIELDS, *(f"{f}_weight" for f in COMPARED_FIELDS),
                  "match_weight", "match_probability"]


def scored_pairs(by_role: dict[str, pl.DataFrame], models: dict[str, MatchModel], empty: pl.DataFrame) -> pl.DataFrame:
    """Each role's pairs weighed by its model; ``by_role`` is emptied as it goes, so at most one role's
    levels and its scores are held at once besides what is done."""
    parts = []
    for role in list(by_role):
        levels, model = by_role.pop(role), models[role]
        # a chunk at a time: the weights' intermediate columns never span every pair
        parts.append(pl.concat([
            match_weights(levels.slice(start, COMPARE_CHUNK), model, TF_COLUMNS, JOINT_TF_COLUMNS).with_columns(
                pl.lit(0.0, dtype=pl.Float32).alias(f"{f}_weight") for f in COMPARED_FIELDS if f not in model.fields
            ).select(SCORED_COLUMNS)
            for start in range(0, levels.height, COMPARE_CHUNK)]))
        del levels
    if not parts:  # no candidate pairs: the empty levels, typed as scores
        parts = [empty.with_columns(*(pl.lit(0.0, dtype=pl.Float32).alias(f"{f}_weight") for f in COMPARED_FIELDS),
                                    match_weight=pl.lit(0.0), match_probability=pl.lit(0.0)).select(SCORED_COLUMNS)]
    return pl.concat(parts)


def resolve(staged: pl.DataFrame, *, previous_xref: pl.DataFrame | None = None,
            settings: ResolveSettings | None = None, progress: Progress | None = None) -> Resolution:
    """Resolve ``staged`` (the columns of staging.customer_records) into golden customers."""
    settings = settings or ResolveSettings()
    stats = ResolveStats(records=staged.height)
    timer = Timer(stats, progress)
    prepared = prepare(staged)
    timer.lap("prepare", f"{prepared.height:,} records")

    blocked = block(prepared, settings.max_block_size)
    stats.candidate_pairs, stats.pairs_per_rule, stats.skipped_blocks = (
        blocked.pairs.height, blocked.pairs_per_rule, blocked.skipped_keys)
    timer.lap("block", f"{blocked.pairs.height:,} candidate pairs")

    levels = compare_in_chunks(prepared, blocked.pairs, term_frequencies(prepared))
    timer.lap("compare")

    roles = [r for r in ("person", "company") if (levels["role"] == r).any()]
    models = {role: fit_role(prepared, levels, role, settings.seed) for role in roles}
    stats.model = {role: model.describe() for role, model in models.items()}
    timer.lap("fit_model")

    by_role = {role: part for (role,), part in levels.partition_by("role", as_dict=True).items()}
    empty = levels.clear()
    del levels  # the widest frame of all; memory at a million records is the budget
    scored = scored_pairs(by_role, models, empty)
    accepted = scored.filter(pl.col("match_probability") >= settings.threshold)
    timer.lap("score", f"{accepted.height:,} pairs over the threshold")

    count_matched_alone(blocked.report, accepted["rule_mask"])
    stats.blocking = {name: dataclasses.asdict(r) for name, r in blocked.report.items()}
    candidates = blocked.pairs.select("rid_l", "rid_r")
    del blocked
    clusters = cluster(prepared.height, accepted.select("rid_l", "rid_r", "match_weight"), prepared["checked_ids"])
    del accepted
    stats.split_clusters = clusters.split_components
    # core.match_pairs keeps the pairs worth explaining; the rest go now
    kept = decide(scored.filter(pl.col("match_probability") >= min(PAIR_FLOOR, settings.threshold)), clusters.cut,
                  settings.threshold)
    del scored
    stats.matched_pairs = int((kept["decision"] == "match").sum())
    timer.lap("cluster")

    members, ids = golden_members(prepared, clusters.labels, previous_xref)
    timer.lap("golden_ids")

    household = households(prepared, members["golden_id"])
    del prepared
    xref = crosswalk(members, kept)
    kinds = members.group_by("golden_id").agg(pl.col("role").mode().first().alias("customer_kind"))
    golden = golden_records(staged.with_columns(members["golden_id"]), kinds, settings.source_trust)
    stats.golden_customers, stats.households = golden.height, int(household["household_id"].n_unique())
    timer.lap("survivorship")

    pairs = pairs_table(kept, members.select("source", "record_id"))
    timer.lap("pairs_table")
    return Resolution(xref=xref, pairs=pairs, golden=golden, history=ids.history, households=household, stats=stats,
                      candidates=candidates, models=models)


def decide(pairs: pl.DataFrame, cut: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The decision of each pair (rid_l, rid_r, match_probability): cut_conflict when clustering left it out
    to keep two identifiers apart, else match at or over the threshold, else non_match."""
    ordered = pairs.with_columns(pl.min_horizontal("rid_l", "rid_r").alias("_a"), pl.max_horizontal("rid_l", "rid_r").alias("_b"))
    marked = cut.select(pl.col("rid_l").alias("_a"), pl.col("rid_r").alias("_b"), pl.lit(True).alias("_cut"))
    return ordered.join(marked, on=["_a", "_b"], how="left", maintain_order="left").with_columns(
        pl.when(pl.col("_cut").is_not_null()).then(pl.lit("cut_conflict"))
        .when(pl.col("match_probability") >= threshold).then(pl.lit("match"))
        .otherwise(pl.lit("non_match")).alias("decision")).drop("_a", "_b", "_cut")


def golden_members(prepared: pl.DataFrame, labels, previous_xref: pl.DataFrame | None) -> tuple[pl.DataFrame, GoldenIds]:
    """rid, source, record_id, role, label, golden_id of every record (by rid), and the id changes."""
    members = prepared.select("rid", "source", "record_id", "role", pl.Series("label", labels))
    ids = assign_golden_ids(members.select("source", "record_id", "label"), previous_xref)
    return members.join(ids.labels, on="label", how="left").sort("rid"), ids


def crosswalk(members: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """core.customer_xref: each record's golden id, its best matched pair's probability and its cluster size."""
    linked = pairs.filter(pl.col("decision") == "match")
    best = pl.concat([linked.select(pl.col("rid_l").alias("rid"), "match_probability"),
                      linked.select(pl.col("rid_r").alias("rid"), "match_probability")]).group_by("rid").agg(
        pl.col("match_probability").max())
    return (members.join(best, on="rid", how="left", maintain_order="left")
            .with_columns(pl.len().over("golden_id").cast(pl.Int64).alias("cluster_size"))
            .select("source", "record_id", "golden_id", "match_probability", "cluster_size"))


def pairs_table(scored: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """``names``: source and record_id of each rid."""
    left, right = names[scored["rid_l"]], names[scored["rid_r"]]
    return pl.concat([
        left.rename({"source": "source_l", "record_id": "record_id_l"}),
        right.rename({"source": "source_r", "record_id": "record_id_r"}),
        scored.select(
            pl.col("role").cast(pl.String), rule_names(scored["rule_mask"]).alias("rules"),
            *(pl.col(f).replace_strict(list(range(len(FIELD_LEVELS[f]))), list(FIELD_LEVELS[f]), return_dtype=pl.String)
              .alias(f"{f}_level") for f in COMPARED_FIELDS),
            *(pl.col(f"{f}_weight").cast(pl.Float64) for f in COMPARED_FIELDS),
            "match_weight", "match_probability", "decision"),
    ], how="horizontal")

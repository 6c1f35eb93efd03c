"""Fellegi-Sunter match model, learned from the data alone (no labels).

u (how often a level occurs between two records of different customers) is counted on random
record pairs, which are almost all non-matches. m (how often it occurs between two records of
the same customer) and the share of matches among candidate pairs are fitted by
expectation-maximisation over the candidate pairs' comparison vectors, with u held fixed.
A pair's match weight is the sum over fields of log2(m/u) for the level it reached (missing
adds nothing), with exact agreement on a common value (王伟, a switchboard number) weighed by
that value's frequency instead of the average u; plus the prior log-odds of a match between
two records taken at random. Each term is kept, so every score is explainable.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import numpy as np
import polars as pl

MISSING = 0
U_FLOOR = 1e-7  # a level never seen in the random sample is rare, not impossible
M_FLOOR = 0.005  # no level is impossible for a match either: one bad field can't outvote all others


@dataclass
class FieldParams:
    levels: tuple[str, ...]
    m: np.ndarray
    u: np.ndarray
    observed: np.ndarray | None = None  # candidate pairs at each level; a level no pair reached is neutral
    # m and u as EM estimated them among candidate pairs (mean over sessions, before any floor)
    candidate_m: np.ndarray | None = None
    candidate_u: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        w = np.log2(self.m / self.u)
        if self.observed is not None:
            w[self.observed == 0] = 0.0
        # a level EM hardly saw among matches (m at its floor) is no evidence for a match, however
        # rare it is among random pairs (namesakes share an email's local part): cap it at zero;
        # unless EM found it more often among the matches than among the non-matches that share a
        # blocking key with them (a number one source wrote with the wrong country code)
        unseen = self.m <= M_FLOOR * 1.5
        if self.candidate_m is not None and self.candidate_u is not None:
            unseen &= self.candidate_m <= self.candidate_u
        w[unseen] = np.minimum(w[unseen], 0.0)
        w[MISSING] = 0.0
        return w


@dataclass
class MatchModel:
    fields: dict[str, FieldParams]
    candidate_match_share: float  # lambda among candidate pairs, from EM
    prior: float  # probability that two records drawn at random match
    iterations: int
    # field -> the field whose exact agreement, in this data, nearly always comes with its own (one
    # postcode, one locality): agreeing on both counts once
    implied: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def prior_weight(self) -> float:
        return float(np.log2(self.prior / (1 - self.prior)))

    def describe(self) -> dict:
        return {
            "prior_match_weight": round(self.prior_weight, 3),
            "candidate_match_share": round(self.candidate_match_share, 5),
            "em_iterations": self.iterations,
            "implied": dict(self.implied),
            "fields": {f: {lvl: {"m": round(float(p.m[i]), 5), "u": float(f"{p.u[i]:.3g}"),
                                 "weight": round(float(p.weights[i]), 3),
                                 "pairs": None if p.observed is None else int(p.observed[i])}
                           for i, lvl in enumerate(p.levels) if i != MISSING}
                       for f, p in self.fields.items()},
        }


def _array(values) -> np.ndarray | None:
    return None if values is None else np.asarray(values, dtype=np.float64)


def model_to_json(model: MatchModel) -> str:
    """The fitted model as JSON, exact to the last bit (floats round-trip), so that a later run scores
    new pairs with the very weights its pairs were scored with (incremental resolution)."""
    def arr(a):
        return None if a is None else np.asarray(a).tolist()
    return json.dumps({
        "candidate_match_share": model.candidate_match_share, "prior": model.prior, "iterations": model.iterations,
        "implied": model.implied,
        "fields": {f: {"levels": list(p.levels), "m": arr(p.m), "u": arr(p.u), "observed": arr(p.observed),
                       "candidate_m": arr(p.candidate_m), "candidate_u": arr(p.candidate_u)}
                   for f, p in model.fields.items()}})


def model_from_json(text: str) -> MatchModel:
    data = json.loads(text)
    fields = {f: FieldParams(tuple(p["levels"]), _array(p["m"]), _array(p["u"]),
                             None if p["observed"] is None else np.asarray(p["observed"], dtype=np.int64),
                             _array(p["candidate_m"]), _array(p["candidate_u"]))
              for f, p in data["fields"].items()}
    return MatchModel(fields, data["candidate_match_share"], data["prior"], data["iterations"], dict(data["implied"]))


def estimate_u(random_levels: pl.DataFrame, field_levels: dict[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
    """Level frequencies among random pairs where the field is present (add-one smoothed)."""
    u = {}
    for field, levels in field_levels.items():
        counts = np.zeros(len(levels))
        for level, n in random_levels.group_by(field).len().iter_rows():
            counts[level] = n
        present = counts[1:] + 0.5
        share = present / present.sum()
        u[field] = np.concatenate([[1.0], np.maximum(share, U_FLOOR)])
    return u


def _initial_m(levels: tuple[str, ...]) -> np.ndarray:
    """Agreement likely, disagreement unlikely, for a same-customer pair: EM's starting point."""
    m = np.linspace(1.0, 0.1, len(levels) - 1) ** 3
    return np.concatenate([[1.0], m / m.sum()])


def _posterior(gamma: np.ndarray, fields: list[str], m: dict, u: dict, share: float) -> np.ndarray:
    log_m = np.log(share) + sum(np.log(m[f][gamma[:, i]]) for i, f in enumerate(fields))
    log_u = np.log(1 - share) + sum(np.log(u[f][gamma[:, i]]) for i, f in enumerate(fields))
    return 1.0 / (1.0 + np.exp(np.clip(log_u - log_m, -700, 700)))


def em_session(patterns: pl.DataFrame, u: dict[str, np.ndarray], field_levels: dict[str, tuple[str, ...]],
               ignore: tuple[str, ...], initial_share: float = 0.3, max_iterations: int = 200,
               tolerance: float = 1e-6) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float, int]:
    """Two-class EM over the pairs one blocking rule found: m, u and the match share.

    The fields that rule blocked on agree by construction, so they say nothing here: they are
    left out (``ignore``) and their m comes from sessions blocked on other fields. u starts from
    the random-pair estimate but is refitted: non-matches that share a blocking key (family
    members, colleagues) agree on other fields far more often than random pairs do, and a fixed
    u would read them as matches.
    """
    fields = [f for f in field_levels if f not in ignore]
    gamma = patterns.select(fields).to_numpy().astype(np.int64)
    counts = patterns["count"].to_numpy().astype(np.float64)
    m = {f: _initial_m(field_levels[f]) for f in fields}
    uc = {f: u[f].copy() for f in fields}
    share, iteration = initial_share, 0

    def normalised(sums: np.ndarray) -> np.ndarray:
        present = sums[1:] + 1e-3
        return np.concatenate([[1.0], present / present.sum()])

    for iteration in range(1, max_iterations + 1):
        posterior = _posterior(gamma, fields, m, uc, share)
        matched, unmatched = counts * posterior, counts * (1 - posterior)
        new_share = min(max(float(matched.sum() / counts.sum()), 1e-9), 1 - 1e-9)
        new_m = {f: normalised(np.bincount(gamma[:, i], weights=matched, minlength=len(field_levels[f])))
                 for i, f in enumerate(fields)}
        new_u = {f: normalised(np.bincount(gamma[:, i], weights=unmatched, minlength=len(field_levels[f])))
                 for i, f in enumerate(fields)}
        change = max(abs(new_share - share), *(np.abs(new_m[f] - m[f]).max() for f in fields))
        m, uc, share = new_m, new_u, new_share
        if change < tolerance:
            break
    return m, uc, share, iteration


def _without_matches(u: np.ndarray, m: np.ndarray, prior: float) -> np.ndarray:
    """Random pairs hold a few true matches (the prior's share), and for an identifier they are
    most of the agreements seen: take their expected share out of each level's frequency."""
    present = np.maximum((u[1:] - prior * m[1:]) / (1 - prior), U_FLOOR)
    return np.concatenate([[1.0], present / present.sum()])


def _floored(m: np.ndarray) -> np.ndarray:
    present = np.maximum(m[1:], M_FLOOR)
    return np.concatenate([[1.0], present / present.sum()])


def _u_without_recognised_matches(random_patterns: pl.DataFrame, fields: list[str], m: dict[str, np.ndarray],
                                  u: dict[str, np.ndarray], prior: float) -> dict[str, np.ndarray]:
    """u counted again over the random pairs, each weighed by how unlikely the fitted model finds it a
    match. Random pairs hold a few true matches, and for an identifier duplicates copy they are most
    of its agreements; taking out the prior's share of every level assumes matches hold the field as
    often as strangers do, which a member number two copies of a record share disproves."""
    gamma = random_patterns.select(fields).to_numpy().astype(np.int64)
    counts = random_patterns["count"].to_numpy().astype(np.float64)
    strangers = counts * (1.0 - _posterior(gamma, fields, m, u, prior))
    out = {}
    for i, f in enumerate(fields):
        sums = np.bincount(gamma[:, i], weights=strangers, minlength=len(u[f]))[1:] + 0.5
        out[f] = np.concatenate([[1.0], np.maximum(sums / sums.sum(), U_FLOOR)])
    return out


def fit_model(sessions: list[tuple[pl.DataFrame, tuple[str, ...]]], everything: pl.DataFrame,
              u: dict[str, np.ndarray], field_levels: dict[str, tuple[str, ...]], total_pairs: int,
              impossible: dict[str, tuple[str, ...]] | None = None,
              implied: dict[str, str] | None = None, random_patterns: pl.DataFrame | None = None) -> MatchModel:
    """m per field: the mean over the EM sessions that estimated it (Splink's way of training on
    blocked pairs). Then the match share of all candidate pairs under those m and the sessions'
    u, which with the number of all possible pairs gives the prior. Scores use the random-pair u,
    less the random pairs the fitted model itself finds to be matches (``random_patterns``)."""
    estimates: dict[str, list[np.ndarray]] = {f: [] for f in field_levels}
    candidate_u: dict[str, list[np.ndarray]] = {f: [] for f in field_levels}
    iterations = 0
    for patterns, ignore in sessions:
        if patterns.height == 0:
            continue
        m, uc, _, its = em_session(patterns, u, field_levels, ignore)
        iterations += its
        for f in m:
            estimates[f].append(m[f])
            candidate_u[f].append(uc[f])
    raw = {f: np.mean(values, axis=0) for f, values in estimates.items() if values}
    m = {f: _floored(raw[f]) if f in raw else _initial_m(field_levels[f]) for f in estimates}
    uc = {f: np.mean(values, axis=0) if values else u[f] for f, values in candidate_u.items()}
    for f, levels in (impossible or {}).items():  # what the domain rules out for one customer
        if f in m:
            for level in levels:
                m[f][field_levels[f].index(level)] = 0.0
            m[f] = _floored(m[f])
    fields = list(field_levels)
    gamma = everything.select(fields).to_numpy().astype(np.int64)
    counts = everything["count"].to_numpy().astype(np.float64)
    share = 0.3
    for _ in range(200):
        new_share = float((counts * _posterior(gamma, fields, m, uc, share)).sum() / max(counts.sum(), 1))
        new_share = min(max(new_share, 1e-9), 1 - 1e-9)
        if abs(new_share - share) < 1e-9:
            break
        share = new_share
    candidates = float(counts.sum())
    prior_all = min(max(share * candidates / max(total_pairs, 1), 1e-12), 0.5)
    u = {f: _without_matches(u[f], m[f], prior_all) for f in fields}
    if random_patterns is not None and random_patterns.height:
        u = _u_without_recognised_matches(random_patterns, fields, m, u, prior_all)
    observed = {f: np.bincount(gamma[:, i], weights=counts, minlength=len(field_levels[f])).astype(np.int64)
                for i, f in enumerate(fields)}
    params = {f: FieldParams(field_levels[f], m[f], u[f], observed[f], raw.get(f), uc[f] if f in raw else None)
              for f in fields}
    return MatchModel(params, share, prior_all, iterations, dict(implied or {}))


def _joint_frequency(frame: pl.DataFrame, model: MatchModel, column: str, fields: tuple[str, ...]) -> pl.DataFrame:
    """Where every field of a group agrees exactly, their weights together are at most what the
    frequency of the combination allows (log2 of the product of m over the combination's tf);
    each field keeps its share, so the weights still sum to the total."""
    if column not in frame.columns or not all(f in model.fields for f in fields):
        return frame
    exact = pl.all_horizontal(pl.col(f) == model.fields[f].levels.index("exact") for f in fields)
    joint = (sum(float(np.log2(model.fields[f].m[model.fields[f].levels.index("exact")])) for f in fields)
             - pl.col(column).clip(lower_bound=U_FLOOR).log(2))
    parts = pl.sum_horizontal(pl.col(f"{f}_weight").cast(pl.Float64) for f in fields)
    scale = pl.when(exact & pl.col(column).is_not_null() & (parts > joint) & (parts > 0)).then(
        joint.clip(lower_bound=0.0) / parts).otherwise(1.0)
    return frame.with_columns((pl.col(f"{f}_weight") * scale).cast(pl.Float32) for f in fields)


def match_weights(levels: pl.DataFrame, model: MatchModel, tf_columns: dict[str, str],
                  joint_tf: dict[str, tuple[str, ...]] | None = None) -> pl.DataFrame:
    """Per-field weights (``<field>_weight``, Float32) and the total ``match_weight`` and ``match_probability``.
    ``joint_tf``: frequency column -> the fields whose joint exact agreement it weighs."""
    out = []
    for field, params in model.fields.items():
        weight = pl.col(field).replace_strict(list(range(len(params.levels))), params.weights.tolist(),
                                              return_dtype=pl.Float64)
        column = tf_columns.get(field)
        if column is not None and column in levels.columns:
            exact = params.levels.index("exact")
            tf_weight = np.log2(params.m[exact]) - pl.col(column).clip(lower_bound=U_FLOOR).log(2)
            weight = pl.when((pl.col(field) == exact) & pl.col(column).is_not_null()).then(tf_weight).otherwise(weight)
        out.append(weight.cast(pl.Float32).alias(f"{field}_weight"))
    # per-field weights in single precision (they are many columns over millions of pairs); the total
    # is their exact sum, so every score stays the sum of its explanation
    frame = levels.with_columns(out)
    frame = frame.with_columns(
        pl.when((pl.col(dependent) == model.fields[dependent].levels.index("exact"))
                & (pl.col(given) == model.fields[given].levels.index("exact")))
        .then(pl.lit(0.0, dtype=pl.Float32)).otherwise(pl.col(f"{dependent}_weight")).alias(f"{dependent}_weight")
        for dependent, given in model.implied.items())
    for column, fields in (joint_tf or {}).items():
        frame = _joint_frequency(frame, model, column, fields)
    total = pl.sum_horizontal([pl.col(f"{f}_weight").cast(pl.Float64) for f in model.fields]) + model.prior_weight
    return frame.with_columns(total.alias("match_weight")).with_columns(
        (1.0 / (1.0 + (2.0 ** -pl.col("match_weight")))).alias("match_probability"))

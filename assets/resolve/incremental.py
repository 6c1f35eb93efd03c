"""Incremental resolution: what a day brought, resolved against what is already resolved.

Only the new and changed records are blocked (their pairs with each other and with every other
record, out of the same blocks a full run would use), compared, and scored with the stored match
model. Clustering runs over the accepted links of earlier runs that touch no changed record plus
the new ones, so a cluster no new link touches comes out with the same members, and keeps its
golden id and its golden row (survivorship runs for the touched golden customers only).

Where incremental and full results may differ (documented in README, "Daily runs"): an old pair
keeps the score it was given, while a full run would score it again with term frequencies of
today's data; and a full run refits the model.
"""

from __future__ import annotations

import polars as pl
import polars.selectors as cs

from assets.resolve import engine
from assets.resolve.blocking import block, count_matched_alone
from assets.resolve.cluster import cluster
from assets.resolve.frequencies import term_frequencies
from assets.resolve.households import households
from assets.resolve.prepare import prepare
from assets.resolve.survive import golden_records
from models.match_model import MatchModel


class NeedsFullResolve(Exception):
    """The stored state can't score today's records (a role without a fitted model)."""


def _utc(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB hands time zones back as Etc/UTC; the frames built here say UTC."""
    return frame.with_columns(cs.datetime(time_zone="*").dt.convert_time_zone("UTC"))


def _rids(pairs: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` (source_l, record_id_l, source_r, record_id_r, ...) with today's rid of each side;
    pairs with a record no longer staged are dropped."""
    left = names.rename({"rid": "rid_l", "source": "source_l", "record_id": "record_id_l"})
    right = names.rename({"rid": "rid_r", "source": "source_r", "record_id": "record_id_r"})
    return (pairs.join(left, on=["source_l", "record_id_l"], how="inner", maintain_order="left")
            .join(right, on=["source_r", "record_id_r"], how="inner", maintain_order="left"))


def touched_golden_ids(members: pl.DataFrame, previous_xref: pl.DataFrame, changed: pl.DataFrame) -> pl.Series:
    """Golden ids whose members are not what they were: a record joined, left or changed."""
    now = members.select("source", "record_id", "golden_id")
    before = previous_xref.select("source", "record_id", pl.col("golden_id").alias("old"))
    both = now.join(before, on=["source", "record_id"], how="full", coalesce=True)
    moved = both.filter(pl.col("golden_id").is_null() | pl.col("old").is_null() | (pl.col("golden_id") != pl.col("old")))
    edited = now.join(changed, on=["source", "record_id"], how="semi")["golden_id"]
    return pl.concat([moved["golden_id"], moved["old"], edited]).drop_nulls().unique().sort()


def resolve_changes(staged: pl.DataFrame, changed: pl.DataFrame, previous_pairs: pl.DataFrame,
                    previous_golden: pl.DataFrame, previous_xref: pl.DataFrame, models: dict[str, MatchModel],
                    settings: engine.ResolveSettings, progress: engine.Progress | None = None) -> engine.Resolution:
    """``staged``: every staged record (as for a full resolve); ``changed``: source, record_id of the records
    new or changed since the last resolve; the rest: the last resolve's match_pairs, golden_customer and
    crosswalk, and its models by role."""
    stats = engine.ResolveStats(records=staged.height)
    timer = engine.Timer(stats, progress)
    prepared = prepare(staged)
    names = prepared.select("rid", "source", "record_id")
    focus = names.join(changed, on=["source", "record_id"], how="semi")["rid"]
    timer.lap("prepare", f"{prepared.height:,} records, {focus.len():,} new or changed")

    blocked = block(prepared, settings.max_block_size, focus=focus)
    stats.candidate_pairs, stats.pairs_per_rule, stats.skipped_blocks = (
        blocked.pairs.height, blocked.pairs_per_rule, blocked.skipped_keys)
    timer.lap("block", f"{blocked.pairs.height:,} candidate pairs with a new or changed record")

    levels = engine.compare_in_chunks(prepared, blocked.pairs, term_frequencies(prepared))
    missing = set(levels["role"].unique().cast(pl.String).to_list()) - set(models)
    if missing:
        raise NeedsFullResolve(f"no stored match model for {', '.join(sorted(missing))} records")
    stats.model = {role: model.describe() for role, model in models.items()}
    by_role = {role: part for (role,), part in levels.partition_by("role", as_dict=True).items()}
    scored = engine.scored_pairs(by_role, models, levels.clear())
    del levels
    timer.lap("score", "stored model")

    old = _rids(previous_pairs, names).filter(~pl.col("rid_l").is_in(focus.implode()) & ~pl.col("rid_r").is_in(focus.implode()))
    accepted = pl.concat([
        old.filter(pl.col("match_probability") >= settings.threshold).select(
            pl.min_horizontal("rid_l", "rid_r").alias("rid_l"), pl.max_horizontal("rid_l", "rid_r").alias("rid_r"),
            pl.col("match_weight").cast(pl.Float64)),
        scored.filter(pl.col("match_probability") >= settings.threshold).select(
            "rid_l", "rid_r", pl.col("match_weight").cast(pl.Float64))])
    count_matched_alone(blocked.report, scored.filter(pl.col("match_probability") >= settings.threshold)["rule_mask"])
    stats.blocking = {name: vars(r) for name, r in blocked.report.items()}
    clusters = cluster(prepared.height, accepted, prepared["checked_ids"])
    stats.split_clusters = clusters.split_components
    new = engine.decide(scored.filter(pl.col("match_probability") >= min(engine.PAIR_FLOOR, settings.threshold)),
                        clusters.cut, settings.threshold)
    old = engine.decide(old, clusters.cut, settings.threshold)
    stats.matched_pairs = int((new["decision"] == "match").sum() + (old["decision"] == "match").sum())
    timer.lap("cluster", f"{accepted.height:,} accepted links")

    members, ids = engine.golden_members(prepared, clusters.labels, previous_xref)
    timer.lap("golden_ids")

    household = households(prepared, members["golden_id"])
    del prepared
    xref = engine.crosswalk(members, pl.concat([old.select("rid_l", "rid_r", "match_probability", "decision"),
                                                new.select("rid_l", "rid_r", "match_probability", "decision")]))
    pairs = pl.concat([old.drop("rid_l", "rid_r"), engine.pairs_table(new, names.drop("rid"))], how="vertical_relaxed")
    touched = touched_golden_ids(members, previous_xref, changed)
    # only the touched customers' records are copied: the whole staged table is the largest frame held
    again = members["golden_id"].is_in(touched.implode())
    kinds = members.filter(again).group_by("golden_id").agg(pl.col("role").mode().first().alias("customer_kind"))
    fresh = golden_records(staged.filter(again).with_columns(members["golden_id"].filter(again)), kinds,
                           settings.source_trust)
    kept = _utc(previous_golden.filter(~pl.col("golden_id").is_in(touched.implode())))
    golden = pl.concat([kept, _utc(fresh).select(kept.columns)], how="vertical_relaxed").sort("golden_id")
    stats.golden_customers, stats.households = golden.height, int(household["household_id"].n_unique())
    timer.lap("survivorship", f"{fresh.height:,} golden customers touched")
    return engine.Resolution(xref=xref, pairs=pairs.select(previous_pairs.columns), golden=golden, history=ids.history,
                             households=household, stats=stats, candidates=blocked.pairs.select("rid_l", "rid_r"),
                             models=models)

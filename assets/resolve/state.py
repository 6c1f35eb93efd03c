"""What incremental resolution keeps between runs, and when a full re-resolve is due.

``core.match_model`` holds each role's fitted model (exact, as JSON) with the settings it was fitted
under and how much the records have changed since; ``core.resolved_records`` a hash of every staged
record as last resolved, so a run finds its new, changed and removed records by comparing hashes,
whatever staging did to produce them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import duckdb
import polars as pl

from assets.resolve.engine import Resolution, ResolveSettings
from models.match_model import MatchModel, model_from_json, model_to_json
from pipelines import warehouse as wh

MODEL, RESOLVED = wh.TableRef("core", "match_model"), wh.TableRef("core", "resolved_records")
EARLIER = [wh.TableRef("core", t) for t in ("match_pairs", "golden_customer", "customer_xref")]
STATE_COMMENTS = {
    MODEL: ("The fitted match model of each role that incremental runs score new pairs with, the settings it was "
            "fitted under, and how many records changed since (a full re-resolve refits it).", {
                "role": "person or company.", "model": "The Fellegi-Sunter parameters (m, u, prior) as JSON.",
                "settings": "Resolve settings at the fit (threshold, block size, source trust).",
                "fitted_run": "Run that fitted the model.", "fitted_on": "Business date of that run.",
                "records_at_fit": "Staged records at the fit.",
                "changed_since_fit": "Records new, changed or removed in incremental runs since the fit."}),
    RESOLVED: ("A hash of every staged customer record as it was last resolved: how incremental runs find what "
               "changed.", {"record_hash": "Hash of the staged row."}),
}


@dataclass
class ResolvePlan:
    full: bool
    reason: str
    hashes: pl.DataFrame  # source, record_id, record_hash of every staged record now
    changed: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"source": pl.String, "record_id": pl.String}))
    removed: int = 0
    models: dict[str, MatchModel] = field(default_factory=dict)
    stored: dict = field(default_factory=dict)  # fitted_run, fitted_on, records_at_fit, changed_since_fit


def settings_json(settings: ResolveSettings) -> str:
    return json.dumps({"threshold": settings.threshold, "max_block_size": settings.max_block_size,
                       "source_trust": dict(sorted(settings.source_trust.items())), "seed": settings.seed},
                      sort_keys=True)


def plan_resolve(con: duckdb.DuckDBPyConnection, settings: ResolveSettings, as_of: date, *, force_full: bool = False,
                 refit_share: float, refit_days: int) -> ResolvePlan:
    hashes = wh.fetch_frame(con, wh.load_sql("staged_record_hashes"))

    def full(reason: str) -> ResolvePlan:
        return ResolvePlan(True, reason, hashes)

    if force_full:
        return full("a full re-resolve was asked for")
    if not all(wh.table_exists(con, ref) for ref in (MODEL, RESOLVED, *EARLIER)):
        return full("no earlier resolution to build on")
    stored = wh.fetch_frame(con, wh.load_sql("stored_match_models"))
    if stored.height == 0:
        return full("no stored match model")
    first = stored.row(0, named=True)
    if any(s != settings_json(settings) for s in stored["settings"]):
        return full("the resolve settings changed since the model was fitted")
    age = (as_of - first["fitted_on"]).days
    if age > refit_days:
        return full(f"the match model was fitted {age} days before this run (refit after {refit_days})")
    before = wh.fetch_frame(con, wh.load_sql("resolved_records"))
    changed = hashes.join(before, on=["source", "record_id", "record_hash"], how="anti").select("source", "record_id")
    removed = before.join(hashes, on=["source", "record_id"], how="anti").height
    drift = first["changed_since_fit"] + changed.height + removed
    if drift > refit_share * max(first["records_at_fit"], 1):
        return full(f"{drift:,} records new, changed or gone since the model was fitted on {first['records_at_fit']:,} "
                    f"(refit past {refit_share:.0%})")
    models = {row["role"]: model_from_json(row["model"]) for row in stored.iter_rows(named=True)}
    return ResolvePlan(False, f"{changed.height:,} records new or changed, {removed:,} gone", hashes, changed, removed,
                       models, {**first, "changed_since_fit": drift})


def state_frames(plan: ResolvePlan, resolution: Resolution, settings: ResolveSettings, as_of: date,
                 run_id: str | None) -> dict[wh.TableRef, pl.DataFrame]:
    """The state tables to publish with the core tables."""
    if plan.full:
        fitted = {"fitted_run": run_id, "fitted_on": as_of, "records_at_fit": plan.hashes.height, "changed_since_fit": 0}
    else:
        fitted = {k: plan.stored[k] for k in ("fitted_run", "fitted_on", "records_at_fit", "changed_since_fit")}
    roles = sorted(resolution.models)
    models = pl.DataFrame({
        "role": roles, "model": [model_to_json(resolution.models[r]) for r in roles],
        "settings": [settings_json(settings)] * len(roles),
        "fitted_run": [fitted["fitted_run"]] * len(roles), "fitted_on": [fitted["fitted_on"]] * len(roles),
        "records_at_fit": [fitted["records_at_fit"]] * len(roles),
        "changed_since_fit": [fitted["changed_since_fit"]] * len(roles)},
        schema={"role": pl.String, "model": pl.String, "settings": pl.String, "fitted_run": pl.String,
                "fitted_on": pl.Date, "records_at_fit": pl.Int64, "changed_since_fit": pl.Int64})
    return {MODEL: models, RESOLVED: plan.hashes}

"""Build the core layer from staged customer records: resolve, check, publish five tables atomically.

A pure function over a DuckDB connection (``build_core``) and one Dagster multi-asset
(``core_tables``) for the five tables it writes together; tests call the former.
"""


import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import dagster as dg
import duckdb
import polars as pl
from pydantic import Field

from assets.reporting import (carry_over, check_specs, finish_build, is_full_run, json_metadata, plan_build,
                              report_checks, stop_if_blocked)
from assets.resolve import engine, state
from assets.resolve.incremental import NeedsFullResolve, resolve_changes
from pipelines import warehouse as wh
from pipelines.config import MATCH_THRESHOLD, MAX_BLOCK_SIZE, REFIT_DAYS, REFIT_SHARE, SOURCE_TRUST, WAREHOUSE_POOL
from pipelines.partitions import daily_partitions
from pipelines.resources import QualityPolicy, Warehouse
from quality.core_checks import CHECK_TABLE, CORE_CHECKS, MAX_CLUSTER_SIZE, core_checks
from quality.gx_suites import gx_checks, run_suite
from quality.volume import DROP_CHECKS, MAX_CHANGE, row_count_drop
from quality.results import CheckOutcome, Policy

STAGED = wh.TableRef("staging", "customer_records")
PAIRS, XREF, GOLDEN = wh.TableRef("core", "match_pairs"), wh.TableRef("core", "customer_xref"), wh.TableRef("core", "golden_customer")
HISTORY, HOUSEHOLD = wh.TableRef("core", "golden_id_history"), wh.TableRef("core", "household")


@dataclass(frozen=True)
class CoreTable:
    ref: wh.TableRef
    description: str
    columns: dict[str, tuple[str, str]]  # column -> (type, description)


_FIELD_COLUMNS = {
    column: spec
    for name in engine.COMPARED_FIELDS
    for column, spec in {
        f"{name}_level": ("VARCHAR", f"How the two records' {name.replace('_', ' ')} compare (exact, close by a named "
                                     "measure, different, or null when either lacks it)."),
        f"{name}_weight": ("DOUBLE", f"Match weight (log2 Bayes factor) the {name.replace('_', ' ')} level adds."),
    }.items()
}

TABLES: dict[str, CoreTable] = {t.ref.table: t for t in [
    CoreTable(PAIRS, "Scored candidate pairs of customer records with their evidence field by field: which blocking "
                     "rules proposed the pair, the comparison level and match weight of each field, the total weight, "
                     "probability and decision.", {
        "source_l": ("VARCHAR", "Source of the left record."), "record_id_l": ("VARCHAR", "Record id of the left record."),
        "source_r": ("VARCHAR", "Source of the right record."), "record_id_r": ("VARCHAR", "Record id of the right record."),
        "role": ("VARCHAR", "Which match model scored the pair (person or company)."),
        "rules": ("VARCHAR[]", "Blocking rules that proposed the pair."),
        **_FIELD_COLUMNS,
        "match_weight": ("DOUBLE", "Total match weight: prior plus the weight of every field."),
        "match_probability": ("DOUBLE", "Probability that both records are the same customer."),
        "decision": ("VARCHAR", "match (probability at or over the threshold), non_match, or cut_conflict (a match cut "
                                "because it would join two different valid id numbers)."),
    }),
    CoreTable(XREF, "Crosswalk from every staged customer record to its golden customer.", {
        "source": ("VARCHAR", "Source of the record."), "record_id": ("VARCHAR", "Record id within the source."),
        "golden_id": ("VARCHAR", "Golden customer the record belongs to; stable across runs while its records still "
                                 "resolve together."),
        "match_probability": ("DOUBLE", "Best match probability linking the record into its golden customer; null for a "
                                        "lone record."),
        "cluster_size": ("BIGINT", "Records in the golden customer."),
    }),
    CoreTable(GOLDEN, "One row per real customer, person or company: each field survives from the most trusted source "
                      "that has it, then the most recent, then the most complete record.", {
        "golden_id": ("VARCHAR", "Stable golden customer id."), "customer_kind": ("VARCHAR", "person or company."),
        "full_name": ("VARCHAR", "Person's name."), "given_name": ("VARCHAR", "Given name."),
        "family_name": ("VARCHAR", "Family name."), "name_script": ("VARCHAR", "zh, latin or mixed."),
        "company_name": ("VARCHAR", "Company name (company, or a person's employer)."),
        "company_legal_form": ("VARCHAR", "Legal form of the company."),
        "email": ("VARCHAR", "Primary email."), "emails": ("VARCHAR[]", "Every valid email of the member records."),
        "phone": ("VARCHAR", "Primary phone, E.164."), "phones": ("VARCHAR[]", "Every valid phone of the member records, E.164."),
        "address_line1": ("VARCHAR", "Street address."), "address_line2": ("VARCHAR", "Address line 2 / district."),
        "city": ("VARCHAR", "City."), "province": ("VARCHAR", "Province or state."),
        "province_code": ("VARCHAR", "Province code."), "postcode": ("VARCHAR", "Postcode."),
        "country": ("VARCHAR", "ISO 3166 alpha-2."), "birth_date": ("DATE", "Birth date."), "gender": ("VARCHAR", "F or M."),
        "id_number": ("VARCHAR", "Valid resident id or unified social credit code."),
        "id_kind": ("VARCHAR", "resident_id or uscc."),
        "identifiers": ('STRUCT(scheme VARCHAR, "value" VARCHAR)[]',
                        "Every valid identifier of the member records, by scheme (cn_resident, cn_uscc, a python-stdnum "
                        "scheme such as us.ssn, or opaque for member numbers)."),
        "industry": ("VARCHAR", "Industry (GB/T 4754 section)."),
        "industry_code": ("VARCHAR", "Industry section letter."),
        "company_size": ("VARCHAR", "micro, small, medium or large."), "job_title": ("VARCHAR", "Job title."),
        "first_seen_at": ("TIMESTAMP WITH TIME ZONE", "Earliest creation time of a member record of a relationship source "
                                                      "(UTC); reference sources such as the company registry are left out."),
        "last_updated_at": ("TIMESTAMP WITH TIME ZONE", "Latest update time of any member record (UTC)."),
        "record_count": ("BIGINT", "Member records in customer_xref."), "sources": ("VARCHAR[]", "Sources of the member records."),
    }),
    CoreTable(HISTORY, "Every change of golden ids, appended each run: a golden customer created, merged into another, "
                       "split off another, or retired.", {
        "golden_id": ("VARCHAR", "Golden customer the event is about."),
        "event": ("VARCHAR", "created, merged, split or retired."),
        "related_golden_id": ("VARCHAR", "The other golden customer: merged into, split from."),
        "records": ("BIGINT", "Records concerned by the event."),
        "run_id": ("VARCHAR", "Dagster run that recorded the event."),
        "partition_date": ("DATE", "Business date of the run."),
        "recorded_at": ("TIMESTAMP WITH TIME ZONE", "When the event was published (UTC)."),
    }),
    CoreTable(HOUSEHOLD, "Every golden person customer with its household: customers sharing a street address or a "
                         "landline (a key shared by a few customers only); one living alone is a household of one.", {
        "golden_id": ("VARCHAR", "Golden customer."), "household_id": ("VARCHAR", "Household the customer belongs to."),
        "household_size": ("BIGINT", "Golden customers in the household."),
        "evidence": ("VARCHAR", "What the customer shares with the rest of the household: address, landline or "
                                 "address+landline; null for a household of one."),
    }),
]}
REPLACED = [PAIRS, XREF, GOLDEN, HOUSEHOLD]  # rebuilt each run; HISTORY is appended


@dataclass
class CoreOutcome:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows published (history: rows after the append)
    checks: dict[str, list[CheckOutcome]] = field(default_factory=dict)  # table -> its checks
    stats: engine.ResolveStats | None = None
    history_added: int = 0
    events: dict[str, int] = field(default_factory=dict)  # history event -> count this run
    published: bool = False

    @property
    def all_checks(self) -> list[CheckOutcome]:
        return [c for checks in self.checks.values() for c in checks]


def read_staged(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    if not wh.table_exists(con, STAGED):
        raise RuntimeError(f"{STAGED} has not been built yet; materialize the staging layer first")
    return wh.fetch_frame(con, wh.load_sql("staged_customer_records"))


def read_previous_xref(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    return wh.fetch_frame(con, wh.load_sql("previous_customer_xref")) if wh.table_exists(con, XREF) else None


def resolve_staged(con: duckdb.DuckDBPyConnection, staged: pl.DataFrame, plan: state.ResolvePlan,
                   settings: engine.ResolveSettings, progress: engine.Progress | None) -> engine.Resolution:
    """Incrementally when the plan allows it, else (or when the stored state can't serve) in full."""
    if not plan.full:
        try:
            return resolve_changes(staged, plan.changed, wh.fetch_frame(con, wh.load_sql("previous_match_pairs")),
                                   wh.fetch_frame(con, wh.load_sql("previous_golden_customers")),
                                   read_previous_xref(con), plan.models, settings, progress)
        except NeedsFullResolve as exc:
            plan.full, plan.reason = True, str(exc)
    if progress:
        progress(f"full resolve: {plan.reason}")
    return engine.resolve(staged, previous_xref=read_previous_xref(con), settings=settings, progress=progress)


def build_core(con: duckdb.DuckDBPyConnection, as_of: date, run_id: str | None = None,
               settings: engine.ResolveSettings | None = None, progress: engine.Progress | None = None,
               policy: Policy | None = None, *, full: bool = False, refit_share: float = REFIT_SHARE,
               refit_days: int = REFIT_DAYS) -> CoreOutcome:
    """Resolve the staged records, check the result, and publish it only if no blocking check failed.

    Incremental unless ``full``, there is nothing to build on, or the stored model is due for a refit
    (``refit_share`` of the records changed since it was fitted, or ``refit_days`` old)."""
    settings = settings or engine.ResolveSettings()
    staged = read_staged(con)
    plan = state.plan_resolve(con, settings, as_of, force_full=full, refit_share=refit_share, refit_days=refit_days)
    resolution = resolve_staged(con, staged, plan, settings, progress)
    resolution.stats.mode = {"full": plan.full, "reason": plan.reason, "changed_records": plan.changed.height,
                             "removed_records": plan.removed}
    outcome = CoreOutcome(stats=resolution.stats)
    policy = policy or Policy()
    checks = [*core_checks(staged, resolution.xref, resolution.golden, resolution.pairs, resolution.stats.candidate_pairs,
                           int(policy.threshold("cluster_size", MAX_CLUSTER_SIZE))),
              row_count_drop(str(GOLDEN), resolution.golden.height,
                             wh.fetch_value(con, wh.load_sql("count_rows").format(target=GOLDEN.sql))
                             if wh.table_exists(con, GOLDEN) else None,
                             policy.threshold("row_count_drop", MAX_CHANGE)),
              run_suite(str(GOLDEN), resolution.golden, None, wh.gx_docs_dir(con))]
    for check in checks:
        outcome.checks.setdefault(CHECK_TABLE[check.name], []).append(check)
    outcome.checks = {table: policy.apply(f"core.{table}", found) for table, found in outcome.checks.items()}
    if any(c.stops_run for c in outcome.all_checks):
        return outcome
    started = time.perf_counter()
    frames = {PAIRS: resolution.pairs, XREF: resolution.xref, GOLDEN: resolution.golden, HOUSEHOLD: resolution.households}
    history = resolution.history.with_columns(
        pl.lit(run_id, dtype=pl.String).alias("run_id"), pl.lit(as_of, dtype=pl.Date).alias("partition_date"),
        pl.lit(datetime.now(timezone.utc), dtype=pl.Datetime("us", "UTC")).alias("recorded_at"))
    kept = state.state_frames(plan, resolution, settings, as_of, run_id)
    for ref, frame in [*frames.items(), *kept.items(), (HISTORY, history)]:
        wh.stage(con, ref, frame)
    comments = {t.ref: (t.description, {c: text for c, (_, text) in t.columns.items()}) for t in TABLES.values()}
    wh.publish(con, [*REPLACED, *kept], appends=[HISTORY], comments={**comments, **state.STATE_COMMENTS})
    outcome.published = True
    outcome.rows = {ref.table: frame.height for ref, frame in frames.items()}
    outcome.rows[HISTORY.table] = wh.fetch_value(con, wh.load_sql("golden_id_history_rows"))
    outcome.history_added = history.height
    outcome.events = dict(history.group_by("event").len().sort("event").iter_rows()) if history.height else {}
    resolution.stats.seconds["publish"] = round(time.perf_counter() - started, 3)
    return outcome


# ---------------------------------------------------------------- Dagster wiring

CORE_KEYS = {name: dg.AssetKey(["core", name]) for name in TABLES}
STAGED_KEY = dg.AssetKey(["staging", "customer_records"])


class ResolveConfig(dg.Config):
    """Settings a run may change in the launchpad."""

    threshold: float = Field(default=MATCH_THRESHOLD, ge=0.0, le=1.0,
                             description="Match probability a candidate pair needs to be merged.")
    max_block_size: int = Field(default=MAX_BLOCK_SIZE, ge=2,
                                description="Records sharing one blocking key beyond which the key is skipped.")
    source_trust: dict[str, int] = Field(default_factory=lambda: dict(SOURCE_TRUST),
                                         description="Survivorship: higher wins; a source not listed counts 0.")
    refit_share: float = Field(default=REFIT_SHARE, ge=0.0,
                               description="Refit the match model and re-resolve everything once this share of the "
                                           "records is new, changed or gone since the model was fitted.")
    refit_days: int = Field(default=REFIT_DAYS, ge=0, description="Refit the match model when it is older than this.")


def _spec(table: CoreTable) -> dg.AssetSpec:
    schema = dg.TableSchema(columns=[dg.TableColumn(name, kind, description=text)
                                     for name, (kind, text) in table.columns.items()])
    return dg.AssetSpec(
        CORE_KEYS[table.ref.table], group_name="core", description=table.description, deps=[STAGED_KEY],
        kinds={"duckdb", "polars"},
        metadata={"dagster/table_name": str(table.ref), "dagster/column_schema": schema},
    )


def _core_check_specs() -> list[dg.AssetCheckSpec]:
    return [spec for name, key in CORE_KEYS.items()
            for spec in check_specs(key, {c: {**CORE_CHECKS, **DROP_CHECKS, **gx_checks(str(GOLDEN))}[c]
                                          for c, table in CHECK_TABLE.items() if table == name})]


def _metadata(outcome: CoreOutcome, threshold: float) -> dict[str, dict]:
    stats = outcome.stats
    rows = outcome.rows
    return {
        PAIRS.table: {"candidate_pairs": stats.candidate_pairs, "matched_pairs": stats.matched_pairs,
                      "pairs_per_rule": json_metadata(stats.pairs_per_rule),
                      "skipped_blocks": json_metadata(stats.skipped_blocks),
                      "blocking": json_metadata(stats.blocking),
                      "threshold": threshold, "model": json_metadata(stats.model)},
        XREF.table: {"records": stats.records, "golden_customers": stats.golden_customers},
        GOLDEN.table: {"split_clusters": stats.split_clusters, "resolve": json_metadata(stats.mode),
                       "records_per_customer": round(stats.records / max(rows[GOLDEN.table], 1), 3),
                       "seconds_per_stage": json_metadata(stats.seconds)},
        HISTORY.table: {"rows_added": outcome.history_added, "events": json_metadata(outcome.events)},
        HOUSEHOLD.table: {"households": stats.households},
    }


@dg.multi_asset(
    name="core_tables",
    specs=[_spec(t) for t in TABLES.values()],
    check_specs=_core_check_specs(),
    partitions_def=daily_partitions,
    pool=WAREHOUSE_POOL,
    description="Entity resolution: staged customer records into match pairs, golden customers and their crosswalk, "
                "golden-id history and households, checked and published together.",
)
def core_tables(context: dg.AssetExecutionContext, config: ResolveConfig, warehouse: Warehouse,
                quality: QualityPolicy) -> Iterator:
    as_of = date.fromisoformat(context.partition_key) if context.has_partition_key else date.today()
    settings = engine.ResolveSettings(threshold=config.threshold, max_block_size=config.max_block_size,
                                      source_trust=config.source_trust)
    with warehouse.get_connection() as con:
        plan = plan_build(context, con, settings=config.model_dump())
        if plan.carried:
            yield from carry_over(context, con, plan, {f"core.{t}": CORE_KEYS[t] for t in CHECK_TABLE.values()})
            return
        outcome = build_core(con, as_of, context.run.run_id, settings, progress=context.log.info,
                             policy=quality.policy(), full=is_full_run(context), refit_share=config.refit_share,
                             refit_days=config.refit_days)
        for table, checks in outcome.checks.items():
            yield from report_checks(context, con, f"core.{table}", checks, asset_key=CORE_KEYS[table])
        if outcome.published:
            finish_build(context, con, plan)
    stop_if_blocked("core layer", outcome.all_checks)
    for table, metadata in _metadata(outcome, config.threshold).items():
        yield dg.MaterializeResult(asset_key=CORE_KEYS[table], data_version=plan.data_version,
                                   metadata={"dagster/row_count": outcome.rows[table], **metadata})

"""Great Expectations suites on the core and mart tables, run through GX's own API before a table
is published, their results turned into the same outcomes as every other check.

The suites are declared here as data; GX itself (a few seconds to import) is loaded only when a
suite runs. GX 1.x has no Polars backend and its SQL path needs a DuckDB SQLAlchemy driver this
project does not carry, so each table reaches GX as a pandas frame of the columns its suite reads.
Membership in core.golden_customer is given to GX as a computed column (``_golden_id_known``), so a
million-id value set never lands in an expectation or its Data Docs page. Data Docs are built into
a folder beside the warehouse."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from models.churn import RISK_BANDS
from models.segments import LIFECYCLE_STAGES, RFM_SEGMENTS, VALUE_TIERS
from quality.results import CheckOutcome

KNOWN = "_golden_id_known"


@dataclass(frozen=True)
class Expect:
    """A GX expectation by its class name and arguments, declared without importing GX."""

    kind: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


def _between(column: str, low: float | None, high: float | None) -> Expect:
    return Expect("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high})


def _in_set(column: str, values) -> Expect:
    return Expect("ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)})


KEY = [Expect("ExpectColumnValuesToBeUnique", {"column": "golden_id"}),
       Expect("ExpectColumnValuesToNotBeNull", {"column": "golden_id"})]
SUITES: dict[str, list[Expect]] = {
    "core.golden_customer": [*KEY, _in_set("customer_kind", ["person", "company"]), _between("record_count", 1, None)],
    "marts.customer_segment": [*KEY, _in_set("rfm_segment", RFM_SEGMENTS), _in_set("value_tier", VALUE_TIERS),
                               _in_set("lifecycle_stage", LIFECYCLE_STAGES), _between("r_score", 1, 5),
                               _between("f_score", 1, 5), _between("m_score", 1, 5), _between("monetary_cny", 0, None)],
    "marts.customer_clv": [*KEY, _between("prob_alive", 0, 1), _between("clv", 0, None),
                           _between("expected_purchases", 0, None), _between("historical_value", 0, None)],
    "marts.customer_churn_risk": [*KEY, _between("churn_probability", 0, 1),
                                  _in_set("risk_band", ["low", *RISK_BANDS])],
    "marts.customer_satisfaction": [*KEY, _between("csat_mean", 1, 5), _between("latest_nps", 0, 10),
                                    _between("nps_score", -100, 100), _between("csat_score", 0, 100)],
}
# tables that hold every golden customer (the others hold a subset: churn scores eligible buyers)
EVERY_CUSTOMER = {"marts.customer_segment", "marts.customer_clv", "marts.customer_satisfaction"}


def check_name(table: str) -> str:
    return f"gx_{table.rsplit('.', 1)[-1]}"


def gx_checks(table: str) -> dict[str, tuple[bool, str]]:
    """The Dagster check spec of ``table``'s suite ({} when it has none)."""
    if table not in SUITES:
        return {}
    return {check_name(table): (True, f"Great Expectations suite {table}: golden ids unique and known, values in range, "
                                      "accepted values, row count against core.golden_customer.")}


def suite_for(table: str, golden_rows: int | None) -> list[Expect]:
    expectations = list(SUITES[table])
    if table != "core.golden_customer":
        expectations.append(_in_set(KNOWN, [True]))
        if golden_rows is not None:
            expectations.append(Expect("ExpectTableRowCountToEqual", {"value": golden_rows}) if table in EVERY_CUSTOMER
                                else Expect("ExpectTableRowCountToBeBetween", {"min_value": 0, "max_value": golden_rows}))
    return expectations


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network calls
    import great_expectations as gx

    return gx


def run_suite(table: str, frame: pl.DataFrame, golden_ids: pl.Series | None = None,
              docs_dir: Path | None = None) -> CheckOutcome:
    """Validate ``frame`` (the table about to be published) with its suite; GX's results as one outcome
    named after the suite, each failing expectation named in the message and the sample."""
    gx = _gx()
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    expectations = suite_for(table, None if golden_ids is None else golden_ids.len())
    columns = sorted({e.column for e in expectations if e.column and e.column != KNOWN} | {"golden_id"})
    data = frame.select([c for c in columns if c in frame.columns])
    if golden_ids is not None:
        data = data.with_columns(pl.col("golden_id").is_in(golden_ids.implode()).alias(KNOWN))
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

    # in memory, and without the temporary docs folder GX's default ephemeral context leaves behind
    context = gx.get_context(mode="ephemeral", project_config=DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False)))
    name = check_name(table)
    batch = (context.data_sources.add_pandas(name).add_dataframe_asset(table)
             .add_batch_definition_whole_dataframe("as_built"))
    suite = context.suites.add(gx.ExpectationSuite(name=table))
    for expectation in expectations:
        suite.add_expectation(getattr(gxe, expectation.kind)(**expectation.kwargs))
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    actions = []
    if docs_dir is not None:
        from great_expectations.checkpoint import UpdateDataDocsAction

        context.add_data_docs_site(site_name="crm360", site_config={
            "class_name": "SiteBuilder", "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
        actions.append(UpdateDataDocsAction(name="data_docs", site_names=["crm360"]))
    checkpoint = context.checkpoints.add(gx.Checkpoint(name=name, validation_definitions=[validation], actions=actions,
                                                       result_format={"result_format": "SUMMARY"}))
    run = checkpoint.run(batch_parameters={"dataframe": data.to_pandas()})
    (result,) = run.run_results.values()
    return _outcome(table, result.results, frame.height)


def _outcome(table: str, results, rows: int) -> CheckOutcome:
    failed = []
    for r in results:
        if r.success:
            continue
        config, found = r.expectation_config, r.result or {}
        column = config.kwargs.get("column")
        count = found.get("unexpected_count")
        if count is None and found.get("observed_value") is not None:  # a table-level expectation: the row count
            expected = config.kwargs.get("value", config.kwargs.get("max_value"))
            count = abs(int(found["observed_value"]) - int(expected or 0))
        failed.append({"expectation": config.type, "column": column, "unexpected_count": count,
                       "unexpected_percent": found.get("unexpected_percent"),
                       "observed_value": found.get("observed_value"),
                       "sample": [str(v) for v in (found.get("partial_unexpected_list") or [])[:3]]})
    message = "; ".join(f"{f['expectation']}({f['column'] or 'table'}): {f['unexpected_count']} rows"
                        + (f", e.g. {', '.join(f['sample'])}" if f["sample"] else "") for f in failed[:4])
    blocking, description = gx_checks(table)[check_name(table)]
    return CheckOutcome(check_name(table), not failed, blocking, description,
                        failing_rows=max((f["unexpected_count"] or 0 for f in failed), default=0), sample=failed,
                        metadata={"expectations": len(results), "failed_expectations": len(failed), "rows": rows,
                                  **({"message": message} if message else {})})

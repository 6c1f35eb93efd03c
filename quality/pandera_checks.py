"""Run a pandera schema over a Polars frame and report it as one CheckOutcome."""

from __future__ import annotations

import polars as pl
import pandera.polars as pa

from quality.results import CheckOutcome, SAMPLE_ROWS


def validate_frame(schema: type[pa.DataFrameModel], frame: pl.DataFrame, *, name: str, blocking: bool = True,
                   key_columns: tuple[str, ...] = ("source", "record_id")) -> CheckOutcome:
    """Validate all rows (not just the schema): failures are counted by row and sampled with their keys."""
    description = (schema.__doc__ or name).strip().splitlines()[0]
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        rows = cases["index"].drop_nulls().unique()
        by_check = (cases.group_by("column", "check").agg(pl.len().alias("failures"))
                    .sort("failures", descending=True))
        keys = [c for c in key_columns if c in frame.columns]
        sample = (frame.with_row_index("_index").join(cases.select(pl.col("index").cast(pl.UInt32).alias("_index"),
                                                                   "column", "check", "failure_case"), on="_index")
                  .select(*keys, "column", "check", "failure_case").head(SAMPLE_ROWS).to_dicts())
        return CheckOutcome(name, False, blocking, description, failing_rows=max(rows.len(), 1), sample=sample,
                            metadata={"failures_by_check": by_check.to_dicts()})
    return CheckOutcome(name, True, blocking, description)


def merge_validations(outcomes: list[CheckOutcome]) -> CheckOutcome:
    """One outcome for a frame validated in slices: the failing rows of all, the first samples, and the
    failures per column and check summed, as validating it whole reports them."""
    first = outcomes[0]
    failed = [o for o in outcomes if not o.passed]
    if not failed:
        return first
    by_check: dict[tuple[str, str], int] = {}
    for outcome in failed:
        for row in outcome.metadata.get("failures_by_check", []):
            by_check[(row["column"], row["check"])] = by_check.get((row["column"], row["check"]), 0) + row["failures"]
    merged = sorted(({"column": c, "check": k, "failures": n} for (c, k), n in by_check.items()),
                    key=lambda row: -row["failures"])
    return CheckOutcome(first.name, False, first.blocking, first.description,
                        failing_rows=sum(o.failing_rows for o in failed),
                        sample=[row for o in failed for row in o.sample][:SAMPLE_ROWS],
                        metadata={"failures_by_check": merged})

"""How every asset reports its checks: to quality.check_results, to Dagster, and by stopping."""

import json
from collections.abc import Iterator, Sequence

import dagster as dg

from pipelines import warehouse as wh
from quality.results import CheckOutcome


def check_specs(key: dg.AssetKey, checks: dict[str, tuple[bool, str]]) -> list[dg.AssetCheckSpec]:
    """Specs from {name: (blocking, description)}."""
    return [dg.AssetCheckSpec(name, asset=key, blocking=blocking, description=description)
            for name, (blocking, description) in checks.items()]


def _json_safe(value):
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def json_metadata(value) -> dg.MetadataValue:
    """Any nested dict/list (numpy numbers, dates included) as JSON metadata."""
    return dg.MetadataValue.json(_json_safe(value))


def report_checks(context: dg.AssetExecutionContext, con, table: str, checks: Sequence[CheckOutcome],
                  asset_key: dg.AssetKey | None = None) -> Iterator[dg.AssetCheckResult]:
    """Record every check in quality.check_results and yield it to Dagster.

    A multi-asset must name the ``asset_key`` each check belongs to; a single asset need not.
    """
    for check in checks:
        wh.record_check_result(
            con, run_id=context.run.run_id, asset=table, check_name=check.name, passed=check.passed,
            blocking=check.blocking, failing_rows=check.failing_rows, description=check.description, sample=check.sample,
            severity=check.severity, metadata=check.metadata,
        )
        yield dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=check.name,
            passed=check.passed,
            severity=dg.AssetCheckSeverity.ERROR if check.severity == "error" else dg.AssetCheckSeverity.WARN,
            description=check.description,
            metadata={
                "failing_rows": check.failing_rows,
                "sample": dg.MetadataValue.json(_json_safe(check.sample)),
                **{k: dg.MetadataValue.json(_json_safe(v)) if isinstance(v, (list, dict)) else v
                   for k, v in check.metadata.items()},
            },
        )


def stop_if_blocked(table: str, checks: Sequence[CheckOutcome]) -> None:
    """A failed blocking check fails the step, so everything downstream is skipped."""
    blocked = [c for c in checks if c.stops_run]
    if blocked:
        failed = ", ".join(f"{c.name}: {c.metadata['message']}" if c.metadata.get("message")
                           else f"{c.name} ({c.failing_rows} rows)" for c in blocked)
        raise dg.Failure(
            description=f"{table} not published: check failed with severity error: {failed}; "
                        "the last good table is unchanged.",
            allow_retries=False,
        )

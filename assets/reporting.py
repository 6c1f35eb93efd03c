"""How every asset reports its checks: to quality.check_results, to Dagster, and by stopping."""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import dagster as dg

from pipelines import builds
from pipelines import warehouse as wh
from pipelines.version import code_version
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


@dataclass(frozen=True)
class BuildPlan:
    """What a run does with an asset: build it (``carried`` is None) or carry over the build of ``carried``."""

    asset: str
    digest: str | None
    carried: str | None

    @property
    def data_version(self) -> dg.DataVersion | None:
        return dg.DataVersion(self.digest) if self.digest else None


def version_name(key: dg.AssetKey) -> str:
    """The name an asset's output has in quality.table_versions: its table, ``layer.table``."""
    return ".".join(key.path)


FULL_RUN_TAG = "crm360/full"  # a run tagged true rebuilds every asset (crm360 run --full; a tag in the launchpad)


def is_full_run(context: dg.AssetExecutionContext) -> bool:
    return context.run.tags.get(FULL_RUN_TAG, "").lower() == "true"


def plan_build(context: dg.AssetExecutionContext, con, settings: dict | None = None) -> BuildPlan:
    """Fingerprint the asset's upstream (its dependencies outside itself), the code version and
    ``settings``; carry it over when its last build had the same fingerprint, unless the run is full."""
    assets_def = context.assets_def
    own = set(assets_def.keys)
    inputs = {dep for key in own for dep in assets_def.asset_deps.get(key, ())} - own
    digest = builds.fingerprint(con, map(version_name, inputs), {**(settings or {}), "code": code_version()})
    asset = ",".join(sorted(map(version_name, own)))
    carried = None if is_full_run(context) else builds.carried_run(con, asset, digest, map(version_name, own))
    return BuildPlan(asset, digest, carried)


def carry_over(context: dg.AssetExecutionContext, con, plan: BuildPlan,
               check_tables: dict[str, dg.AssetKey | None]) -> Iterator:
    """Report the carried build's checks again (``check_tables``: the table name checks were recorded
    under -> the asset key they belong to) and a materialization per asset saying where it comes from."""
    context.log.info(f"inputs unchanged since run {plan.carried}: carried over")
    for table, key in check_tables.items():
        yield from report_checks(context, con, table, builds.carried_checks(con, table, plan.carried), asset_key=key)
    for key in sorted(context.selected_asset_keys, key=version_name):
        ref = wh.TableRef(*key.path) if len(key.path) == 2 and key.path[0] in wh.LAYERS else None
        rows = ({"dagster/row_count": wh.fetch_value(con, wh.load_sql("count_rows").format(target=ref.sql))}
                if ref and wh.table_exists(con, ref) else {})
        yield dg.MaterializeResult(asset_key=key, data_version=plan.data_version,
                                   metadata={"carried_over_from_run": plan.carried, **rows})


def finish_build(context: dg.AssetExecutionContext, con, plan: BuildPlan, files: bool = False) -> None:
    """Record a finished build; ``files``: outputs that are not published tables get a new version too."""
    if files:
        builds.bump(con, *(version_name(k) for k in context.selected_asset_keys))
    builds.record_build(con, plan.asset, plan.digest, context.run.run_id)

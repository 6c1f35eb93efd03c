"""What the checks said, run by run: the report behind `crm360 quality` (and anything else that
shows on-call what failed and since when), read from ``quality.check_results``."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SEVERITY_ORDER = {"error": 0, "warn": 1}


def with_severity(results: pl.DataFrame) -> pl.DataFrame:
    """Rows recorded before checks had a severity take it from ``blocking``."""
    declared = pl.when(pl.col("blocking")).then(pl.lit("error")).otherwise(pl.lit("warn"))
    if "severity" not in results.columns:
        return results.with_columns(declared.alias("severity"))
    return results.with_columns(pl.coalesce("severity", declared).alias("severity"))


def runs(results: pl.DataFrame) -> pl.DataFrame:
    """One row per run, oldest first: run_id, started (its first check), checks, error and warn failures."""
    failed = ~pl.col("passed")
    return (with_severity(results).group_by("run_id")
            .agg(pl.col("checked_at").min().alias("started"), pl.len().alias("checks"),
                 (failed & (pl.col("severity") == "error")).sum().alias("errors"),
                 (failed & (pl.col("severity") == "warn")).sum().alias("warnings"))
            .sort("started", "run_id"))


@dataclass(frozen=True)
class RunReport:
    run_id: str
    started: object
    checks: pl.DataFrame  # every check of the run, failures first (errors, then warnings)
    previous_runs: int

    @property
    def failures(self) -> pl.DataFrame:
        return self.checks.filter(~pl.col("passed"))

    @property
    def errors(self) -> int:
        return self.failures.filter(pl.col("severity") == "error").height


def run_report(results: pl.DataFrame, run_id: str | None = None) -> RunReport | None:
    """The checks of ``run_id`` (default: the latest run), each failure with the time its check
    has been failing since (``failing_since``: the first of the unbroken failing runs up to this one)."""
    order = runs(results)
    if order.is_empty():
        return None
    if run_id is None:
        run_id = order["run_id"][-1]
    matches = order.filter(pl.col("run_id").str.starts_with(run_id))
    if matches.height != 1:
        known = ", ".join(order["run_id"].tail(5).str.slice(0, 8).to_list())
        raise LookupError(f"run {run_id!r} {'is ambiguous' if matches.height else 'not found'}; latest runs: {known}")
    run_id, started = matches["run_id"][0], matches["started"][0]
    position = order["run_id"].to_list().index(run_id)
    upto = order.head(position + 1).with_row_index("run_number")
    history = (with_severity(results).join(upto.select("run_id", "run_number", "started"), on="run_id")
               .group_by("asset", "check_name", "run_number")
               .agg(pl.col("passed").all(), pl.col("started").first()))
    # the run number after the last time each check passed: its failures since then are one streak
    last_pass = (history.filter(pl.col("passed")).group_by("asset", "check_name")
                 .agg(pl.col("run_number").max().alias("last_pass")))
    since = (history.filter(~pl.col("passed")).join(last_pass, on=["asset", "check_name"], how="left")
             .filter(pl.col("run_number") > pl.col("last_pass").fill_null(-1))
             .group_by("asset", "check_name")
             .agg(pl.col("started").min().alias("failing_since"), pl.len().alias("failing_runs")))
    checks = (with_severity(results).filter(pl.col("run_id") == run_id)
              .join(since, on=["asset", "check_name"], how="left")
              .with_columns(pl.when(pl.col("passed")).then(None).otherwise(pl.col("failing_since")).alias("failing_since"),
                            pl.when(pl.col("passed")).then(0).otherwise(pl.col("failing_runs")).alias("failing_runs"))
              .sort(pl.col("passed"), pl.col("severity").replace_strict(SEVERITY_ORDER, default=2),
                    pl.col("failing_rows").fill_null(0), pl.col("asset"), pl.col("check_name"),
                    descending=[False, False, True, False, False]))
    return RunReport(run_id, started, checks, position)


def check_history(results: pl.DataFrame, check: str) -> pl.DataFrame:
    """Every evaluation of ``check`` (a check name, or ``<schema>.<table>.<check>``), oldest run first:
    run_id, started, asset, passed, severity, failing_rows."""
    asset, _, name = check.rpartition(".")
    picked = results.filter(pl.col("check_name") == name)
    if asset:
        picked = picked.filter(pl.col("asset") == asset)
    if picked.is_empty():
        known = sorted(set(results["check_name"].to_list()))
        raise LookupError(f"no check named {check!r} in quality.check_results; checks: {', '.join(known)}")
    return (with_severity(picked).join(runs(results).select("run_id", "started"), on="run_id")
            .select("run_id", "started", "asset", "passed", "severity", "failing_rows", "checked_at")
            .sort("started", "asset"))


SPARKS = "▁▂▃▄▅▆▇█"


def trend_line(counts: list[int | None], passed: list[bool]) -> str:
    """One character per run: ✓ for a pass, else a bar as high as its failing count among the runs shown."""
    top = max((c or 0 for c, ok in zip(counts, passed) if not ok), default=0)
    out = []
    for count, ok in zip(counts, passed):
        if ok:
            out.append("✓")
        else:
            level = 0 if top == 0 else round((count or 0) / top * (len(SPARKS) - 1))
            out.append(SPARKS[level])
    return "".join(out)

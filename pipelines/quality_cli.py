"""`crm360 quality`: what the checks of a run said, for on-call, read from the warehouse read-only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from pipelines.quality_report import QualityError, read_results
from quality.history import RunReport, check_history, run_report, trend_line

LINEAGE = (("_source_file", "source_file"), ("_row_number", "row_number"))


def _sample(raw: Any) -> list[dict]:
    if raw is None:
        return []
    rows = json.loads(raw) if isinstance(raw, str) else raw
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def where(row: dict) -> str:
    """Lineage of a sample row: file:row when the check kept them."""
    file = next((row[k] for k in ("_source_file", "source_file") if row.get(k)), None)
    number = next((row[k] for k in ("_row_number", "row_number") if row.get(k) is not None), None)
    if file is None:
        return ""
    return f"{file}:{number}" if number is not None else str(file)


def describe_sample_row(row: dict) -> str:
    lineage = where(row)
    rest = ", ".join(f"{k}={v}" for k, v in row.items()
                     if k not in {name for pair in LINEAGE for name in pair} and v is not None)
    return f"{lineage} {rest}".strip()


def failures_json(report: RunReport) -> list[dict]:
    return [{"asset": f["asset"], "check": f["check_name"], "severity": f["severity"],
             "failing_rows": f["failing_rows"], "description": f["description"],
             "failing_since": f["failing_since"].isoformat() if f["failing_since"] else None,
             "failing_runs": f["failing_runs"], "sample": _sample(f["sample"])}
            for f in report.failures.iter_rows(named=True)]


def report_json(warehouse: Path, report: RunReport, history: pl.DataFrame | None) -> dict:
    out = {"warehouse": str(warehouse), "run_id": report.run_id, "started": report.started.isoformat(),
           "checks": report.checks.height, "errors": report.errors,
           "warnings": report.failures.height - report.errors, "failures": failures_json(report)}
    if history is not None:
        out["history"] = [{**row, "started": row["started"].isoformat(), "checked_at": row["checked_at"].isoformat()}
                          for row in history.iter_rows(named=True)]
    return out


def print_report(console: Console, warehouse: Path, report: RunReport) -> None:
    failures = report.failures
    title = (f"run {report.run_id[:8]} started {report.started:%Y-%m-%d %H:%M %Z}: "
             + (f"[red]{report.errors} error[/], " if report.errors else "")
             + f"{failures.height - report.errors} warning, {report.checks.height - failures.height} passed "
             + f"of {report.checks.height} checks")
    if failures.is_empty():
        console.print(f"{title}\nall checks passed ({warehouse})", highlight=False)
        return
    table = Table(title=title, title_justify="left")
    for column in ("severity", "asset", "check", "failing rows", "failing since"):
        table.add_column(column, justify="right" if column == "failing rows" else "left", no_wrap=True)
    table.add_column("sample (file:row, values)", overflow="fold", min_width=24)
    for f in failures.iter_rows(named=True):
        sample = _sample(f["sample"])
        since = "" if f["failing_since"] is None else (
            f"{f['failing_since']:%Y-%m-%d %H:%M}" + (f" ({f['failing_runs']} runs)" if f["failing_runs"] > 1 else ""))
        table.add_row("[red]error[/]" if f["severity"] == "error" else "[yellow]warn[/]", f["asset"], f["check_name"],
                      f"{f['failing_rows']:,}" if f["failing_rows"] is not None else "", since,
                      "\n".join(describe_sample_row(r) for r in sample[:2]))
    console.print(table)


def print_history(console: Console, check: str, history: pl.DataFrame, limit: int) -> None:
    for asset, rows in history.group_by("asset", maintain_order=True):
        rows = rows.tail(limit)
        line = trend_line(rows["failing_rows"].to_list(), rows["passed"].to_list())
        console.print(f"{asset[0]} :: {check.rpartition('.')[2]}  last {rows.height} runs  {line}", highlight=False)
    table = Table(title=f"{check}: the last {min(limit, history['run_id'].n_unique())} runs", title_justify="left")
    for column in ("run", "started", "asset", "result", "severity", "failing rows"):
        table.add_column(column, justify="right" if column == "failing rows" else "left")
    shown = history.filter(pl.col("run_id").is_in(history["run_id"].unique(maintain_order=True).tail(limit).implode()))
    for row in shown.iter_rows(named=True):
        table.add_row(row["run_id"][:8], f"{row['started']:%Y-%m-%d %H:%M}", row["asset"],
                      "passed" if row["passed"] else "[red]failed[/]", row["severity"],
                      f"{row['failing_rows']:,}" if row["failing_rows"] is not None else "")
    console.print(table)


def quality_command(out: Console, warehouse: Path, run_id: str | None, check: str | None, as_json: bool,
                    limit: int) -> int:
    """Print the report; the exit code: 1 when the run shown has a failed check of severity error."""
    if not out.is_terminal:  # a log or a pipe: lines as long as the report needs, nothing cut
        out = Console(file=out.file, width=max(out.width, 200), highlight=False)
    results = read_results(warehouse)
    if results.is_empty():
        if as_json:
            out.print_json(data={"warehouse": str(warehouse), "run_id": None, "failures": []})
        else:
            out.print(f"no check results yet in {warehouse}", highlight=False)
        return 0
    try:
        report = run_report(results, run_id)
        history = check_history(results, check) if check else None
    except LookupError as exc:
        raise QualityError(str(exc)) from exc
    if as_json:
        out.print_json(data=report_json(warehouse, report, history))
    else:
        if history is not None:
            print_history(out, check, history, limit)
        print_report(out, warehouse, report)
    return 1 if report.errors else 0

"""What the daily pipeline costs, day by day: the first full load, each daily increment and a day with
nothing new, per step (seconds, peak memory) and per asset (rows).

Generates N customers over K days (the history, then K-1 dated deliveries), then runs `crm360 run` for
each day as a child process on one warehouse, sampling the memory of its process tree every 0.2 s; the
step times and row counts come from the run's Dagster events. Finally the last day runs again with
nothing changed (target: at most 10 s). Progress goes to stderr, the tables to stdout.
    .venv/bin/python bench/bench_pipeline.py --customers 20000 --days 3
    .venv/bin/python bench/bench_pipeline.py --customers 20000 --days 3 --full-every-day --json full.json
    .venv/bin/python bench/bench_pipeline.py --customers 20000 --days 3 --out DIR --reuse --again 3   # reruns only
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench._runs import Measured, RunEvents, latest_run_id, prepare_dagster_home, run_events, run_measured  # noqa: E402
from pipelines.generator import generate  # noqa: E402

GB = 1024**3
NOTHING_NEW_TARGET = 10.0  # seconds
EXECUTOR_NOTE = ("executor: in-process (pipelines/run.py: job.execute_in_process), one step at a time, "
                 "so a step's peak is its own")
OUTSIDE = ("start-up (imports, definitions)", "between steps (Dagster)", "after (run log, snapshot, report)")
progress = Console(stderr=True)
out = Console(width=None if sys.stdout.isatty() else 160)  # tables written to a file are not cut at 80


@dataclass
class DayRun:
    day: date
    kind: str  # first load, increment, nothing new
    exit_code: int
    seconds: float
    cpu_seconds: float
    peak: int  # bytes
    run_id: str | None
    start: float  # unix seconds of the process start and end
    end: float
    steps: dict[str, dict] = field(default_factory=dict)  # step -> start, end, seconds, peak (bytes), ok
    assets: dict[str, dict] = field(default_factory=dict)  # asset -> step, rows, rows_added
    erp_changes: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    repeat: int = 0  # the how-manieth nothing-new rerun of the day (0: the first)

    @property
    def new_raw_rows(self) -> int:
        return sum(a["rows_added"] or 0 for name, a in self.assets.items() if name.startswith("raw/"))

    @property
    def rebuilt(self) -> int:
        """Assets this run changed: raw tables that took rows, others built rather than carried over."""
        return sum(not a["carried_from"] and not (name.startswith("raw/") and not a["rows_added"])
                   for name, a in self.assets.items())

    @property
    def label(self) -> str:
        if self.kind != "nothing new":
            return str(self.day)
        return f"{self.day} again" + (f" ({self.repeat + 1})" if self.repeat else "")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=1, help="Days of deliveries: the history, then K-1 increments.")
    parser.add_argument("--out", type=Path, default=None,
                        help="Working folder, new or empty, kept (default a temporary one, deleted unless --keep).")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 1),
                        help="Date of the first load (default 2026-11-01).")
    parser.add_argument("--keep", action="store_true", help="Keep the working folder (landing, warehouse, logs).")
    parser.add_argument("--json", type=Path, default=None, help="Also write every figure to this JSON file.")
    parser.add_argument("--full-every-day", action="store_true", help="Pass --full to every run (a full re-resolve).")
    parser.add_argument("--again", type=int, default=1, help="Runs of the last day again with nothing new (default 1).")
    parser.add_argument("--reuse", action="store_true",
                        help="--out is a working folder an earlier bench left (same --customers, --days, --as-of): "
                             "only rerun its last day --again times, with nothing new.")
    args = parser.parse_args()
    if args.customers < 1 or args.days < 1 or args.again < 0:
        parser.error("--customers and --days must be at least 1, --again at least 0")
    if args.reuse and not (args.out and (args.out / "warehouse").is_dir()):
        parser.error("--reuse needs --out, a working folder with a warehouse an earlier bench left")
    if not args.reuse and args.out and args.out.exists() and any(args.out.iterdir()):
        parser.error(f"--out {args.out} is not empty")
    return args


def generate_days(landing: Path, customers: int, as_of: date, days: int) -> float:
    """Write the landing folder; seconds it took."""
    if days > 1 and "days" not in inspect.signature(generate).parameters:
        raise SystemExit("error: this generator writes one day only (generate() has no days parameter); use --days 1")
    started = time.perf_counter()
    with progress.status(f"generating {customers:,} customers over {days} day(s)…") as status:
        generate(landing, customers=customers, seed=42, as_of=as_of,
                 progress=lambda message: status.update(f"generating: {message}"),
                 **({"days": days} if days > 1 else {}))
    return time.perf_counter() - started


def run_plan(as_of: date, days: int, again: int = 1, reuse: bool = False) -> list[tuple[date, str]]:
    """(date, kind) of every run: the first load, the increments (not when reusing a folder that has
    them), then the last day ``again`` times more."""
    plan = [(as_of + timedelta(days=i), "increment" if i else "first load") for i in range(days)]
    return ([] if reuse else plan) + [(plan[-1][0], "nothing new")] * again


def crm360() -> str:
    """The crm360 command beside this Python (the project's .venv)."""
    command = Path(sys.executable).parent / "crm360"
    if not command.exists():
        raise SystemExit(f"error: {command} not found; run this with the project's .venv/bin/python")
    return str(command)


def has_full_flag() -> bool:
    return "--full" in subprocess.run([crm360(), "run", "--help"], capture_output=True, text=True, cwd=ROOT).stdout


def run_command(landing: Path, warehouse: Path, day: date, full: bool) -> list[str]:
    return [crm360(), "run", "--landing", str(landing), "--warehouse", str(warehouse), "--date", day.isoformat(),
            *(["--full"] if full else [])]


def step_figures(events: RunEvents, measured: Measured) -> dict[str, dict]:
    return {step: {"start": s.start, "end": s.end, "seconds": s.seconds, "peak": measured.peak_between(s.start, s.end),
                   "ok": s.ok} for step, s in events.steps.items()}


def last_lines(path: Path, n: int = 3) -> str:
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return " | ".join(lines[-n:]) or "no output"


def run_day(day: date, kind: str, work: Path, full: bool, repeat: int = 0) -> DayRun:
    """Apply the day's ERP changes (not for the rerun), run crm360 for the day and read its events."""
    landing, logs = work / "landing", work / "logs"
    erp_changes = {}
    if kind == "increment":
        from pipelines.generator.days import apply_erp_delivery

        erp_changes = apply_erp_delivery(landing, day)
    name = f"{day}{'-again' if kind == 'nothing new' else ''}{f'-{repeat + 1}' if repeat else ''}"
    env = {k: v for k, v in os.environ.items() if k != "CRM360_ERP_URL"}  # the ERP is the landing's erp.sqlite
    previous = latest_run_id()
    measured = run_measured(run_command(landing, work / "warehouse" / "warehouse.duckdb", day, full), env,
                            logs / f"{name}.out", logs / f"{name}.err")
    run_id = latest_run_id()
    run_id = run_id if run_id != previous else None
    events = run_events(run_id) if run_id else RunEvents()
    error = (f"run for {day} failed (exit code {measured.exit_code}): {last_lines(logs / f'{name}.err')}"
             if measured.exit_code else None)
    return DayRun(day, kind, measured.exit_code, measured.seconds, measured.cpu_seconds, measured.peak, run_id,
                  measured.start, measured.end, step_figures(events, measured),
                  {a: {"step": m.step, "rows": m.rows, "rows_added": m.rows_added, "carried_from": m.carried_from}
                   for a, m in events.assets.items()},
                  erp_changes, error, repeat)


def steps_overlap(run: DayRun) -> bool:
    """Whether a step started before the one before it ended (then a step's peak is not its own alone)."""
    windows = [(s["start"], s["end"]) for s in run.steps.values()]  # in the order they started
    return any(later[0] < earlier[1] for earlier, later in zip(windows, windows[1:]))


def step_label(step: str, run: DayRun) -> str:
    """An asset's step by its asset key (also when it failed); a step of several assets or a check by its name."""
    assets = [a for a, m in run.assets.items() if m["step"] == step]
    if len(assets) == 1 or (not assets and "__" in step):
        return assets[0] if assets else step.replace("__", "/")
    return re.sub(r"_[0-9a-f]{8}$", "", step) + (f" ({len(assets)} assets)" if assets else " steps")


def outside_steps(run: DayRun) -> dict[str, float]:
    """Seconds of the run not in any step: before the first, between steps and after the last."""
    if not run.steps:
        return {OUTSIDE[0]: run.seconds}
    first = min(s["start"] for s in run.steps.values())
    last = max(s["end"] for s in run.steps.values())
    between = last - first - sum(s["seconds"] for s in run.steps.values())
    return dict(zip(OUTSIDE, (first - run.start, between, run.end - last)))


def grouped_steps(run: DayRun) -> dict[str, tuple[float, int | None]]:
    """(seconds, peak) per step label, steps of one label (the freshness checks) summed; then outside steps."""
    groups: dict[str, tuple[float, int | None]] = {}
    for step, figures in run.steps.items():
        label = step_label(step, run)
        seconds, peak = groups.get(label, (0.0, None))
        peaks = [p for p in (peak, figures["peak"]) if p is not None]
        groups[label] = (seconds + figures["seconds"], max(peaks) if peaks else None)
    return groups | {label: (seconds, None) for label, seconds in outside_steps(run).items()}


def day_line(run: DayRun) -> str:
    target = f"; target ≤ {NOTHING_NEW_TARGET:.0f} s" if run.kind == "nothing new" else ""
    return (f"{run.label:<18} {run.kind:<11} {run.seconds:7.1f} s ({run.cpu_seconds:.1f} s CPU{target}), "
            f"peak {run.peak / GB:.2f} GB, "
            f"{run.new_raw_rows:,} new raw rows, {run.rebuilt} of {len(run.assets)} assets changed"
            + (f", run {run.run_id[:8]}" if run.run_id else "")
            + (" [steps overlapped: their peaks are shared]" if steps_overlap(run) else ""))


def matrix(title: str, runs: list[DayRun], rows: dict[str, list[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for run in runs:
        table.add_column(run.label, justify="right")
    for name, cells in rows.items():
        table.add_row(name, *cells, style="bold" if name == "whole run" else None)
    return table


def step_tables(runs: list[DayRun]) -> tuple[Table, Table]:
    grouped = [grouped_steps(run) for run in runs]
    labels = list(dict.fromkeys(label for g in grouped for label in g))
    seconds = {label: [f"{g[label][0]:.1f}" if label in g else "" for g in grouped] for label in labels}
    seconds["whole run"] = [f"{run.seconds:.1f}" for run in runs]
    peaks = {label: [f"{g[label][1] / GB:.2f}" if label in g and g[label][1] is not None else "" for g in grouped]
             for label in labels if label not in OUTSIDE}
    peaks["whole run"] = [f"{run.peak / GB:.2f}" for run in runs]
    return matrix("seconds per step", runs, seconds), matrix("peak RSS during the step (GB)", runs, peaks)


def rows_table(runs: list[DayRun]) -> Table:
    assets = list(dict.fromkeys(a for run in runs for a in run.assets))

    def cell(run: DayRun, asset: str) -> str:
        m = run.assets.get(asset)
        if m is None:
            return ""
        return " ".join(part for part in (f"{m['rows']:,}" if m["rows"] is not None else "",
                                          f"(+{m['rows_added']:,})" if m["rows_added"] is not None else "",
                                          "=" if m["carried_from"] else "") if part)

    return matrix("rows per asset (+ appended this run; = carried over from an earlier run)", runs,
                  {a: [cell(run, a) for run in runs] for a in assets})


def summary_table(runs: list[DayRun]) -> Table:
    table = Table(title="per day", title_justify="left")
    for column in ("day", "kind", "new raw rows", "assets changed", "seconds", "CPU seconds", "peak GB"):
        table.add_column(column, justify="left" if column in ("day", "kind") else "right")
    for run in runs:
        seconds = f"{run.seconds:.1f}"
        if run.kind == "nothing new" and run.seconds > NOTHING_NEW_TARGET:
            seconds = f"[red]{seconds}[/]"
        table.add_row(run.label, run.kind + (" (failed)" if run.exit_code else ""), f"{run.new_raw_rows:,}",
                      f"{run.rebuilt} of {len(run.assets)}", seconds, f"{run.cpu_seconds:.1f}",
                      f"{run.peak / GB:.2f}")
    return table


def write_json(path: Path, args: argparse.Namespace, generate_seconds: float, full: bool, runs: list[DayRun]) -> None:
    document = {
        "customers": args.customers, "days": args.days, "as_of": args.as_of.isoformat(),
        "full_every_day": full, "executor": EXECUTOR_NOTE, "generate_seconds": generate_seconds,
        "runs": [{"date": r.day.isoformat(), "kind": r.kind, "run_id": r.run_id, "exit_code": r.exit_code,
                  "error": r.error, "seconds": r.seconds, "cpu_seconds": r.cpu_seconds, "peak_bytes": r.peak,
                  "new_raw_rows": r.new_raw_rows,
                  "assets_changed": r.rebuilt, "erp_changes": r.erp_changes, "outside_steps": outside_steps(r),
                  "steps": r.steps, "assets": r.assets}
                 for r in runs],
    }
    path.write_text(json.dumps(document, indent=2))


def run_days(args: argparse.Namespace, work: Path, full: bool) -> list[DayRun]:
    """Every run of the plan, a line on stderr as each ends; stops at a failed run."""
    runs: list[DayRun] = []
    for day, kind in run_plan(args.as_of, args.days, args.again, args.reuse):
        repeat = sum(r.kind == kind == "nothing new" for r in runs)
        with progress.status(f"running {day} ({kind})…"):
            runs.append(run_day(day, kind, work, full, repeat))
        progress.print(day_line(runs[-1]), highlight=False, soft_wrap=True)
        if runs[-1].error:
            break
    return runs


def main() -> None:
    args = parse_args()
    work = (args.out or Path(tempfile.mkdtemp(prefix="crm360-bench-pipeline-"))).resolve()
    try:
        (work / "logs").mkdir(parents=True, exist_ok=True)
        os.environ["DAGSTER_HOME"] = str(prepare_dagster_home(work / "dagster_home"))
        full = args.full_every_day and has_full_flag()
        if args.full_every_day and not full:
            progress.print("[yellow]warning:[/] crm360 run has no --full flag yet; running incrementally")
        generate_seconds = 0.0 if args.reuse else generate_days(work / "landing", args.customers, args.as_of, args.days)
        if not args.reuse:
            progress.print(f"generated {args.customers:,} customers over {args.days} day(s) in {generate_seconds:.1f} s",
                           highlight=False)
        runs = run_days(args, work, full)
        for table in (summary_table(runs), *step_tables(runs), rows_table(runs)):
            out.print(table)
        out.print(f"{args.customers:,} customers, {args.days} day(s) from {args.as_of}"
                  f"{', --full every day' if full else ''}; {EXECUTOR_NOTE}", highlight=False, soft_wrap=True)
        if args.json:
            write_json(args.json, args, generate_seconds, full, runs)
    finally:
        if args.out or args.keep:
            progress.print(f"working folder: {work}", highlight=False)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if runs[-1].error:
        progress.print(f"[bold red]error:[/] {runs[-1].error}", highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

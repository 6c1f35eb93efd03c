"""The crm360 command line (a stable contract: see DESIGN.md). Errors are one line; --verbose adds details."""

from __future__ import annotations

import functools
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from pipelines import config

console = Console(stderr=True)
out = Console()


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def friendly_errors(command):
    """Turn any exception into one clear line; the traceback only with --verbose."""

    @functools.wraps(command)
    def wrapper(*args, verbose: bool = False, **kwargs):
        try:
            return command(*args, verbose=verbose, **kwargs)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
            if verbose:
                console.print_exception()
            _fail(f"{exc}" + ("" if verbose else "  (--verbose for details)"))

    return click.option("--verbose", "-v", is_flag=True, help="Show details and tracebacks.")(wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """crm360: one trusted customer table, and the analytics on it, from scattered sources."""


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Landing folder to write.")
@click.option("--customers", type=click.IntRange(min=1), default=config.DEMO_CUSTOMERS, show_default=True,
              help="Distinct real customers; each appears about 1.5-2 times across the sources.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same data.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default="2026-11-01", show_default=True,
              help="End of the generated history: the run for this date loads it.")
@click.option("--days", type=click.IntRange(min=1), default=1, show_default=True,
              help="Deliveries: the history, then DAYS-1 dated folders OUT/YYYY-MM-DD/ (as-of+1 ...) each "
                   "holding the day before's new and changed records and ERP changes.")
@friendly_errors
def generate(out_dir: Path, customers: int, seed: int, as_of: datetime, days: int, verbose: bool) -> None:
    """Write a landing folder of realistic, messy sources, with ground truth under OUT/truth/."""
    from pipelines.generator import generate as generate_sources

    with console.status("generating…") as status:
        summary = generate_sources(out_dir, customers=customers, seed=seed, as_of=as_of.date(), days=days,
                                   progress=lambda message: status.update(f"generating: {message}"))
    table = Table(title=f"{summary.entities:,} customers → {summary.customer_records:,} customer records "
                        f"in {summary.seconds:.1f}s", title_justify="left")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows_per_file.items():
        table.add_row(name, f"{rows:,}")
    out.print(table)
    if summary.days > 1:
        files = ("erp_changes/customers.parquet", "erp_changes/orders.parquet", "crm_contacts.csv",
                 "service_tickets.jsonl", "surveys.csv", "campaign_events.parquet")
        daily = Table(title="daily deliveries (folder D: what happened on day D-1; apply its ERP changes with "
                            "crm360 erp-delivery before running --date D)", title_justify="left")
        daily.add_column("folder", no_wrap=True)
        for label in ("ERP customers", "orders", "CRM", "tickets", "surveys", "events"):
            daily.add_column(label, justify="right")
        for when, rows in list(summary.rows_per_delivery.items())[1:]:
            daily.add_row(when, *(f"{rows.get(name, 0):,}" for name in files))
        out.print(daily)
    out.print(f"landing folder: {summary.out}   ground truth: {summary.out / 'truth'}")


@main.command("erp-delivery")
@click.option("--landing", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Landing folder written by crm360 generate --days.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Delivery date: upserts LANDING/DATE/erp_changes/*.parquet into LANDING/erp.sqlite.")
@friendly_errors
def erp_delivery(landing: Path, day: datetime, verbose: bool) -> None:
    """Move the demo ERP on by one day: upsert that day's ERP changes by primary key (idempotent)."""
    from pipelines.generator.days import apply_erp_delivery

    if not landing.is_dir():
        _fail(f"landing folder {landing} not found; create one with: crm360 generate --out {landing} --days 3")
    counts = apply_erp_delivery(landing, day.date())
    out.print(f"{landing / 'erp.sqlite'} as of {day.date()}: upserted "
              + ", ".join(f"{table} {rows:,}" for table, rows in counts.items())
              + ("" if any(counts.values()) else f" (no ERP changes in {landing / day.date().isoformat()})"),
              highlight=False, soft_wrap=True)


def _today() -> date:
    return datetime.now(ZoneInfo(config.SCHEDULE_TIMEZONE)).date()


@main.command()
@click.option("--landing", type=click.Path(path_type=Path), default=None,
              help=f"Landing folder [env {config.ENV_LANDING}; default {config.DEFAULT_LANDING}].")
@click.option("--warehouse", type=click.Path(path_type=Path), default=None,
              help=f"DuckDB warehouse file [env {config.ENV_WAREHOUSE}; default {config.DEFAULT_WAREHOUSE}].")
@click.option("--date", "run_date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Partition (business date) to run; default today.")
@click.option("--full", is_flag=True, help="Rebuild every asset, even those whose inputs did not change.")
@friendly_errors
def run(landing: Path | None, warehouse: Path | None, run_date: datetime | None, full: bool, verbose: bool) -> None:
    """Materialize the whole asset graph in-process; exits 1 when a step or blocking check failed.

    Incremental: an asset whose inputs, settings and run date did not change since its last build is
    carried over (shown as "carried over"); --full rebuilds everything."""
    from pipelines.run import run_pipeline

    landing = landing or config.landing_path()
    warehouse = warehouse or config.warehouse_path()
    if not landing.is_dir():
        _fail(f"landing folder {landing} not found; create demo data with: crm360 generate --out {landing}")
    day = run_date.date() if run_date else _today()
    with console.status(f"running the daily job for {day}…"):
        summary = run_pipeline(landing, warehouse, day, log_level="INFO" if verbose else "CRITICAL", full=full)
    table = Table(title=f"run {summary.run_id[:8]} for {summary.partition}: "
                        + ("[green]succeeded[/]" if summary.success else "[red]failed[/]"), title_justify="left")
    for column in ("asset", "rows", "added", "new files / built"):
        table.add_column(column, justify="left" if column in ("asset", "new files / built") else "right")
    for asset in summary.assets:
        table.add_row(asset.asset, f"{asset.rows:,}" if asset.rows is not None else "",
                      f"{asset.rows_added:,}" if asset.rows_added is not None else "",
                      f"carried over ({asset.carried_from[:8]})" if asset.carried_from else ", ".join(asset.new_files))
    out.print(table)
    out.print(f"checks: {summary.checks_passed} passed, {len(summary.checks_failed)} failed"
              + "".join(f"\n  {'error    ' if b else 'warning  '}{a} :: {c}" for a, c, b in summary.checks_failed))
    out.print(f"warehouse: {warehouse.resolve()}" + (f"   snapshot: {summary.snapshot}" if summary.snapshot else ""))
    for warning in summary.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    if summary.report:
        out.print(f"quality report: {summary.report.resolve()}   (crm360 quality for the terminal)")
    if summary.report_error:
        console.print(f"[yellow]warning:[/] quality report not written: {summary.report_error}", highlight=False)
    if not summary.success:
        for step, message in summary.errors:
            console.print(f"[bold red]error:[/] {step}: {message}", highlight=False, soft_wrap=True)
        if summary.skipped_steps:
            console.print(f"skipped because of it: {', '.join(summary.skipped_steps)}", highlight=False)
        sys.exit(1)


@main.command()
@click.option("--warehouse", type=click.Path(path_type=Path), default=None,
              help=f"DuckDB warehouse file [env {config.ENV_WAREHOUSE}; default {config.DEFAULT_WAREHOUSE}].")
@click.option("--run", "run_id", default=None, help="Run id, or its first characters; default the latest run.")
@click.option("--check", "check", default=None,
              help="Also show one check's history over runs: its name, or <schema>.<table>.<check>.")
@click.option("--runs", "limit", type=click.IntRange(min=1), default=30, show_default=True,
              help="Runs shown in a check's history.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@friendly_errors
def quality(warehouse: Path | None, run_id: str | None, check: str | None, limit: int, as_json: bool,
            verbose: bool) -> None:
    """What the data-quality checks of a run said: failures first, with severity, failing rows, since
    when, and sample rows with their file and row number. Exits 1 when the run has a failed check of
    severity error. Reads the warehouse read-only (it fails while a run is writing it)."""
    from pipelines.quality_cli import QualityError, quality_command

    warehouse = warehouse or config.warehouse_path()
    try:
        code = quality_command(out, warehouse, run_id, check, as_json, limit)
    except QualityError as exc:
        _fail(str(exc))
    sys.exit(code)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--mapping", "mapping_path", type=click.Path(path_type=Path), required=True, help="Mapping YAML of the source.")
@click.option("--output", type=click.Path(path_type=Path), required=True, help="Output .csv or .parquet.")
@click.option("--encoding", default="auto", show_default=True, help="Input text encoding (auto: UTF-8, else GB18030).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Reference date for implausible birth dates; default today.")
@friendly_errors
def standardize(input_path: Path, mapping_path: Path, output: Path, encoding: str, as_of: datetime | None,
                verbose: bool) -> None:
    """Cleanse one CSV/Parquet file onto the canonical fields; rejected rows go to a sibling file with reasons."""
    from assets.standardize.files import standardize_file
    from assets.standardize.mapping import load_mapping

    mapping = load_mapping(mapping_path)
    with console.status(f"standardizing {input_path.name}…"):
        result = standardize_file(input_path, mapping, output, as_of=as_of.date() if as_of else None, encoding=encoding)
    out.print(f"{result.rows_in:,} rows in {result.seconds:.1f}s ({result.rows_in / max(result.seconds, 1e-9):,.0f} rows/s): "
              f"{result.staged:,} standardized -> {result.output}, {result.rejected:,} rejected -> {result.rejected_path}, "
              f"{result.issues:,} field issues -> {result.issues_path}", highlight=False, soft_wrap=True)
    for field_name, reason, count in result.top_issues:
        out.print(f"  {field_name:<14} {reason:<28} {count:>8,}", highlight=False)


@main.command()
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--mapping", "mapping_paths", type=click.Path(path_type=Path), multiple=True, required=True,
              help="Mapping YAML: one per INPUT in the same order, or one for all.")
@click.option("--output", type=click.Path(path_type=Path), required=True,
              help="Crosswalk .csv or .parquet; .rejected, .golden and .pairs siblings are written beside it.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=config.MATCH_THRESHOLD, show_default=True,
              help="Match probability a pair needs to be merged.")
@click.option("--encoding", default="auto", show_default=True, help="Input text encoding (auto: UTF-8, else GB18030).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Reference date for implausible birth dates; default today.")
@friendly_errors
def resolve(inputs: tuple[Path, ...], mapping_paths: tuple[Path, ...], output: Path, threshold: float, encoding: str,
            as_of: datetime | None, verbose: bool) -> None:
    """Resolve the customer records of one or more files into golden customers.

    Writes OUTPUT (source, record_id, golden_id, match_probability, cluster_size), rejected records
    with reasons to OUTPUT.rejected, golden customers to OUTPUT.golden and scored pairs with their
    evidence to OUTPUT.pairs (same format as OUTPUT).
    """
    from assets.resolve.engine import ResolveSettings
    from assets.resolve.files import resolve_files
    from assets.standardize.mapping import load_mapping

    mappings = [load_mapping(path) for path in mapping_paths]
    with console.status("resolving…") as status:
        result = resolve_files(list(inputs), mappings, output, settings=ResolveSettings(threshold=threshold),
                               as_of=as_of.date() if as_of else None, encoding=encoding,
                               progress=lambda message: status.update(f"resolving: {message}"))
    table = Table(title=f"resolved {len(inputs)} file{'s' if len(inputs) > 1 else ''} in {result.seconds:.1f}s",
                  title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("written to")
    table.add_row("records in", f"{result.records_in:,}", "")
    table.add_row("staged", f"{result.staged:,}", "")
    table.add_row("rejected", f"{result.rejected:,}", str(result.rejected_path))
    table.add_row("candidate pairs", f"{result.candidate_pairs:,}", "")
    table.add_row("matched pairs", f"{result.matched_pairs:,}", str(result.pairs_path))
    table.add_row("golden customers", f"{result.golden_customers:,}", str(result.golden_path))
    table.add_row("crosswalk rows", f"{result.staged:,}", str(result.output))
    out.print(table)
    for check in result.failed_checks:
        console.print(f"[yellow]warning:[/] check {check.name} failed on {check.failing_rows:,} rows: {check.description}",
                      highlight=False, soft_wrap=True)


# the analytics, privacy and audit commands register themselves on `main`
from pipelines import cli_analytics, cli_privacy  # noqa: E402,F401

if __name__ == "__main__":
    main()

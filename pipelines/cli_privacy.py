"""The privacy and audit commands of the crm360 command line: erase, restore, audit, export-url, keygen.

Registered on `pipelines.cli.main`; the work itself is in pipelines/privacy_cli.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from rich.table import Table

from pipelines import config
from pipelines.cli import _fail, console, friendly_errors, main, out
@main.command()
@click.option("--golden-id", "golden_id", default=None, help="Golden id of the customer.")
@click.option("--email", default=None, help="An email of the customer (any spelling of it).")
@click.option("--phone", default=None, help="A phone of the customer (any format; without a country code, China).")
@click.option("--warehouse", type=click.Path(path_type=Path), default=None,
              help=f"DuckDB warehouse file [env {config.ENV_WAREHOUSE}; default {config.DEFAULT_WAREHOUSE}].")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly_errors
def erase(golden_id: str | None, email: str | None, phone: str | None, warehouse: Path | None, yes: bool,
          verbose: bool) -> None:
    """Remove one customer's personal data from raw, staging, core, marts, exports and kept snapshots,
    record the erasure (keyed hashes only) in quality.erasure_log, and keep the customer out of later runs."""
    from pipelines.privacy_cli import PrivacyError
    from pipelines.privacy_cli import erase as erase_customer

    keys = [(k, v) for k, v in (("golden_id", golden_id), ("email", email), ("phone", phone)) if v]
    if len(keys) != 1:
        _fail("name the customer by exactly one of --golden-id, --email, --phone")
    kind, value = keys[0]
    warehouse = warehouse or config.warehouse_path()
    if not yes:
        click.confirm(f"Erase the customer with {kind} {value} from {warehouse} and its exports and snapshots? "
                      "This cannot be undone", abort=True)
    try:
        with console.status("erasing…"):
            report = erase_customer(warehouse, kind, value)
    except (PrivacyError, LookupError) as exc:
        _fail(str(exc).strip("'\""))
    erasure = report.erasure
    out.print(f"erased {', '.join(erasure.golden_ids) or 'records without a golden id'}: {erasure.records:,} records, "
              f"{erasure.total_rows:,} rows in {len(erasure.rows_removed)} tables, {len(report.export_files)} export "
              f"files, {len(report.snapshots)} snapshots; erasure {erasure.erasure_id} in quality.erasure_log",
              highlight=False, soft_wrap=True)
    for table, rows in sorted(erasure.rows_removed.items()):
        out.print(f"  {table:<40} {rows:>8,}", highlight=False)


@main.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Business date of the run to restore.")
@click.option("--warehouse", type=click.Path(path_type=Path), default=None,
              help=f"DuckDB warehouse file [env {config.ENV_WAREHOUSE}; default {config.DEFAULT_WAREHOUSE}].")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly_errors
def restore(day: datetime, warehouse: Path | None, yes: bool, verbose: bool) -> None:
    """Bring back the warehouse as the last successful run for --date left it (its snapshot)."""
    from pipelines.privacy_cli import PrivacyError, find_snapshot, restore_snapshot

    warehouse = warehouse or config.warehouse_path()
    try:
        snapshot = find_snapshot(warehouse, day.date())
        if not yes:
            click.confirm(f"Replace {warehouse} with the snapshot of run {snapshot.run_id} for {snapshot.partition} "
                          f"(taken {snapshot.taken_at:%Y-%m-%d %H:%M} UTC)?", abort=True)
        previous = restore_snapshot(warehouse, snapshot)
    except PrivacyError as exc:
        _fail(str(exc))
    out.print(f"restored {warehouse} from {snapshot.path.name}"
              + (f"; the replaced file is kept as {previous}" if previous else ""), highlight=False, soft_wrap=True)


@main.command()
@click.option("--warehouse", type=click.Path(path_type=Path), default=None,
              help=f"DuckDB warehouse file [env {config.ENV_WAREHOUSE}; default {config.DEFAULT_WAREHOUSE}].")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Entries per log.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@friendly_errors
def audit(warehouse: Path | None, limit: int, as_json: bool, verbose: bool) -> None:
    """The run log (who ran what, when, with which result), the export access log and the erasures."""
    import json

    from pipelines.privacy_cli import PrivacyError
    from pipelines.privacy_cli import audit as read_audit

    warehouse = warehouse or config.warehouse_path()
    try:
        logs = read_audit(warehouse, limit=limit)
    except PrivacyError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(logs, indent=2, default=str, ensure_ascii=False))
        return
    runs = Table(title=f"runs ({warehouse})", title_justify="left")
    for column in ("run", "date", "finished (UTC)", "by", "code", "result", "checks", "snapshot"):
        runs.add_column(column)
    for r in logs["runs"]:
        failed = json.loads(r["checks_failed"] or "[]")
        runs.add_row(r["run_id"][:8], str(r["partition_date"]), f"{r['finished_at']:%Y-%m-%d %H:%M}", r["run_by"],
                     r["code_version"], "[green]ok[/]" if r["success"] else "[red]failed[/]",
                     f"{r['checks_passed']} passed, {len(failed)} failed", r["snapshot"] or "")
    out.print(runs)
    access = Table(title="export access", title_justify="left")
    for column in ("when (UTC)", "who", "consumer", "files", "how"):
        access.add_column(column)
    for a in logs["access"]:
        access.add_row(a["at"][:16].replace("T", " "), a["who"], a["consumer"], str(len(a["files"])), a["how"])
    out.print(access)
    if logs["erasures"]:
        erasures = Table(title="erasures", title_justify="left")
        for column in ("erasure", "when (UTC)", "by", "key", "golden ids", "records"):
            erasures.add_column(column)
        for e in logs["erasures"]:
            erasures.add_row(e["erasure_id"], f"{e['erased_at']:%Y-%m-%d %H:%M}", e["requested_by"] or "",
                             e["key_kind"], ", ".join(e["golden_ids"] or []), f"{e['records']:,}")
        out.print(erasures)


@main.command("export-url")
@click.option("--consumer", required=True, help="Export consumer (analyst, bi, marketing, or as configured).")
@click.option("--table", default=None, help="One table; default every table of the set.")
@click.option("--warehouse", type=click.Path(path_type=Path), default=None,
              help=f"DuckDB warehouse file, whose exports are meant [env {config.ENV_WAREHOUSE}].")
@click.option("--to", "to", type=click.Path(path_type=Path), default=None,
              help="Where an encrypted set is decrypted to (default a new private temporary folder).")
@friendly_errors
def export_url(consumer: str, table: str | None, warehouse: Path | None, to: Path | None, verbose: bool) -> None:
    """Print file:// URLs of a consumer's latest export set and log the access (crm360 audit shows it)."""
    from pipelines.privacy_cli import PrivacyError, export_files

    exports = config.exports_path(warehouse or config.warehouse_path())
    try:
        files = export_files(exports, consumer, table, to)
    except PrivacyError as exc:
        _fail(str(exc))
    for path in files:
        click.echo(path.resolve().as_uri())


@main.command()
@friendly_errors
def keygen(verbose: bool) -> None:
    """Print a new random key for CRM360_ENCRYPTION_KEY (or CRM360_HASH_KEY); keep it in a secret store."""
    from pipelines.crypto import new_key

    click.echo(new_key())


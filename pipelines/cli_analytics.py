"""The analytics commands of the crm360 command line: clv, churn and segment on any transaction file.

Registered on `pipelines.cli.main`; each reads the file with pipelines/transaction_files.py and calls
the same model functions as the marts (models/clv_report.py, churn_report.py, segment_report.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from rich.table import Table

from pipelines import config
from pipelines.cli import _fail, console, friendly_errors, main, out


@main.command()
@click.option("--transactions", "transactions_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              required=True, help="Transaction table, .csv or .parquet: one row per order.")
@click.option("--customer-col", required=True, help="Column naming the customer.")
@click.option("--date-col", required=True, help="Column with the order date (a time or offset is ignored).")
@click.option("--amount-col", required=True, help="Column with the order amount.")
@click.option("--calibration-end", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Last day of the period the models are fitted on.")
@click.option("--holdout-end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day of the holdout: compare predicted with actual repeat purchases after calibration end.")
@click.option("--time-unit", type=click.Choice(["day", "week"]), default="day", show_default=True,
              help="Unit of recency, T and the horizon; purchases in one unit count once.")
@click.option("--horizon", type=click.IntRange(min=1), default=None,
              help="Time units of predicted purchases and CLV [default: one year, 365 days or 52 weeks].")
@click.option("--discount-rate", type=click.FloatRange(min=0), default=0.1, show_default=True,
              help="Annual discount rate of CLV, applied monthly.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of tables.")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Write the per-customer CLV table to this .csv or .parquet.")
@friendly_errors
def clv(transactions_path: Path, customer_col: str, date_col: str, amount_col: str, calibration_end: datetime,
        holdout_end: datetime | None, time_unit: str, horizon: int | None, discount_rate: float, as_json: bool,
        output: Path | None, verbose: bool) -> None:
    """Fit BG/NBD and Gamma-Gamma on any transaction table; with --holdout-end, predicted against actual."""
    import json

    from assets.standardize.files import write_any
    from models.clv_report import clv_report
    from pipelines.transaction_files import read_transactions

    with console.status("fitting CLV models…"):
        typed, warnings = read_transactions(transactions_path, customer_col=customer_col, date_col=date_col,
                                            amount_col=amount_col)
        report = clv_report(
            typed, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
            calibration_end=calibration_end.date(), holdout_end=holdout_end.date() if holdout_end else None,
            time_unit=time_unit, horizon=horizon, discount_rate_annual=discount_rate, warnings=warnings)
    if output:
        write_any(report.clv, output)
    if as_json:
        click.echo(json.dumps(report.to_dict() | {"output": str(output) if output else None}, indent=2))
    else:
        _print_clv(report, output)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def _print_clv(report, output: Path | None) -> None:
    bg, gg, unit = report.bgnbd, report.gamma_gamma, report.time_unit
    out.print(f"{report.customers:,} customers, {report.transactions:,} transactions; calibration to "
              f"{report.calibration_end}" + (f", holdout to {report.holdout_end}" if report.holdout_end else "")
              + f"; time unit: {unit}", highlight=False)
    models = Table(title="fitted models", title_justify="left")
    for column in ("model", "parameters", "log-likelihood", "customers", "converged"):
        models.add_column(column, justify="right" if column in ("log-likelihood", "customers") else "left")
    models.add_row("BG/NBD", f"r={bg.r:.4g} alpha={bg.alpha:.4g} a={bg.a:.4g} b={bg.b:.4g}",
                   f"{bg.log_likelihood:,.2f}", f"{bg.n_customers:,}", "yes" if bg.converged else "[red]no[/]")
    models.add_row("Gamma-Gamma", f"p={gg.p:.4g} q={gg.q:.4g} v={gg.v:.4g}", f"{gg.log_likelihood:,.2f}",
                   f"{gg.n_customers:,}", "yes" if gg.converged else "[red]no[/]")
    out.print(models)
    if report.holdout:
        holdout = report.holdout
        table = Table(title=f"repeat purchases in the holdout ({holdout.duration:g} {unit}s)", title_justify="left")
        for column in ("calibration repeats", "customers", "actual", "predicted", "actual/customer", "predicted/customer"):
            table.add_column(column, justify="right")
        for row in holdout.by_frequency.iter_rows(named=True):
            table.add_row(row["frequency_group"], f"{row['customers']:,}", f"{row['actual']:,.0f}",
                          f"{row['predicted']:,.1f}", f"{row['actual_mean']:.3f}", f"{row['predicted_mean']:.3f}")
        table.add_row("total", f"{holdout.customers:,}", f"{holdout.actual:,.0f}", f"{holdout.predicted:,.1f}",
                      f"{holdout.actual / max(holdout.customers, 1):.3f}",
                      f"{holdout.predicted / max(holdout.customers, 1):.3f}", style="bold")
        out.print(table)
    clv = report.clv
    out.print(f"next {report.horizon} {unit}s: {clv['expected_purchases'].sum():,.1f} expected purchases, "
              f"{clv['expected_spend'].sum():,.2f} expected spend, CLV {clv['clv'].sum():,.2f} "
              f"(discounted monthly at {report.discount_rate_annual:.1%} a year)", highlight=False)
    if output:
        out.print(f"per-customer CLV: {output}", highlight=False)


def _transaction_options(amount_required: bool):
    """--transactions and the column options `churn` and `segment` share with `clv`."""
    amount_help = ("Column with the order amount; a negative amount is a refund." if amount_required else
                   "Column with the order amount (optional: without it, spend features are left out); a negative "
                   "amount is a refund.")
    options = [
        click.option("--transactions", "transactions_path", required=True,
                     type=click.Path(path_type=Path, exists=True, dir_okay=False),
                     help="Transaction table, .csv or .parquet: one row per order."),
        click.option("--customer-col", required=True, help="Column naming the customer."),
        click.option("--date-col", required=True, help="Column with the order date (a time or offset is ignored)."),
        click.option("--amount-col", required=amount_required, default=None, help=amount_help),
        click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), required=True,
                     help="The first day left out: only transactions before it are read."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of tables."),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@main.command()
@_transaction_options(amount_required=False)
@click.option("--horizon-days", type=click.IntRange(min=1), default=config.CHURN_HORIZON_DAYS, show_default=True,
              help="Churn means no purchase within this many days.")
@click.option("--model", "model_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder of stored models: score with the newest one there, or store the newly trained one.")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Write one row per scored customer (the customer column, churn_probability, risk_band, "
                   "top_reasons) to this .csv or .parquet.")
@friendly_errors
def churn(transactions_path: Path, customer_col: str, date_col: str, amount_col: str | None, as_of: datetime,
          as_json: bool, horizon_days: int, model_dir: Path | None, output: Path | None, verbose: bool) -> None:
    """Churn risk with reasons for every customer who bought in the year before --as-of.

    Trains the mart's model on purchase features at earlier cutoffs whose labels are complete, tests it
    out of time on the latest complete cutoff beside recency alone and BG/NBD's 1 - P(alive), and says
    whether it beats both."""
    import json

    from assets.standardize.files import write_any
    from models.churn_report import churn_report
    from models.churn_training import ChurnDataError, ChurnSchedule
    from pipelines.transaction_files import read_transactions

    schedule = ChurnSchedule(horizon_days, config.CHURN_TRAINING_CUTOFFS, config.CHURN_CUTOFF_SPACING_DAYS,
                             config.CHURN_MAX_TRAINING_ROWS)
    with console.status("training and scoring the churn model…"):
        typed, warnings = read_transactions(transactions_path, customer_col=customer_col, date_col=date_col,
                                            amount_col=amount_col)
        try:
            report = churn_report(typed, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                                  as_of=as_of.date(), schedule=schedule, model_dir=model_dir, warnings=warnings)
        except ChurnDataError as exc:
            _fail(f"{transactions_path}: {exc}")
    if output:
        write_any(report.scored, output)
    if as_json:
        click.echo(json.dumps(report.to_dict() | {"output": str(output) if output else None}, indent=2,
                              ensure_ascii=False))
    else:
        _print_churn(report, output)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def _print_churn(report, output: Path | None) -> None:
    e = report.evaluation
    out.print(f"{report.customers:,} customers, {report.transactions:,} transactions before {report.as_of}; churn: "
              f"no purchase within {report.horizon_days} days", highlight=False, soft_wrap=True)
    source = f"stored model {report.model_path}" if report.stored_model_used else \
        f"trained on cutoffs {', '.join(e.get('trained_cutoffs') or [])}"
    out.print(f"model {report.model_version}, {source}"
              + (f", saved to {report.model_path}" if report.model_path and not report.stored_model_used else ""),
              highlight=False, soft_wrap=True)
    if e.get("roc_auc") is not None:
        table = Table(title=f"out of time on {e['heldout_cutoff'][0]}: {e['customers']:,} customers, "
                            f"{e['base_rate']:.1%} stopped buying", title_justify="left")
        for column in ("signal", "ROC AUC", "PR AUC", "Brier"):
            table.add_column(column, justify="left" if column == "signal" else "right")
        rows = [("churn model", e), ("recency (days since last purchase)", e.get("recency_baseline") or {}),
                ("BG/NBD 1 - P(alive)", e.get("bgnbd_baseline") or {})]
        for name, figures in rows:
            table.add_row(name, *(f"{figures[m]:.4f}" if figures.get(m) is not None else "-"
                                  for m in ("roc_auc", "pr_auc", "brier")))
        out.print(table)
        colour = "green" if e.get("beats_baselines") else "yellow"
        out.print(f"[{colour}]{e.get('verdict', '')}[/]", highlight=False, soft_wrap=True)
    bands = report.bands
    out.print(f"scored {report.scored.height:,} customers: high {bands['high']:,}, medium {bands['medium']:,}, "
              f"low {bands['low']:,}" + (f" -> {output}" if output else ""), highlight=False, soft_wrap=True)


@main.command()
@_transaction_options(amount_required=True)
@click.option("--currency", type=click.Choice(sorted(config.FX_TO_CNY), case_sensitive=False), default="CNY",
              show_default=True, help="Currency of the amounts: converted to CNY, the unit of the tier thresholds.")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Write one row per customer (RFM, value tier, lifecycle stage) to this .csv or .parquet.")
@friendly_errors
def segment(transactions_path: Path, customer_col: str, date_col: str, amount_col: str, as_of: datetime,
            as_json: bool, currency: str, output: Path | None, verbose: bool) -> None:
    """RFM scores and segments, value tier and lifecycle stage of every customer, as marts.customer_segment
    computes them (same functions, same thresholds), from the transactions before --as-of."""
    import json

    from assets.standardize.files import write_any
    from models.segment_report import segment_report
    from models.segments import SegmentSettings
    from models.transactions import TransactionError
    from pipelines.transaction_files import read_transactions

    typed, warnings = read_transactions(transactions_path, customer_col=customer_col, date_col=date_col,
                                        amount_col=amount_col)
    try:
        report = segment_report(typed, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                                as_of=as_of.date(), settings=SegmentSettings.from_config(config),
                                cny_per_unit=config.FX_TO_CNY[currency.upper()], warnings=warnings)
    except TransactionError as exc:
        _fail(f"{transactions_path}: {exc}")
    if output:
        write_any(report.segments, output)
    if as_json:
        click.echo(json.dumps(report.to_dict() | {"currency": currency.upper(), "output": str(output) if output else None},
                              indent=2, ensure_ascii=False))
    else:
        out.print(f"{report.customers:,} customers, {report.transactions:,} transactions before {report.as_of}; "
                  f"amounts in {currency.upper()}" + (f" (x {report.cny_per_unit:g} to CNY)" if report.cny_per_unit != 1
                                                      else ""), highlight=False, soft_wrap=True)
        for column, counts in report.counts().items():
            table = Table(title=column, title_justify="left", show_header=False)
            table.add_column(column)
            table.add_column("customers", justify="right")
            for name, customers in counts.items():
                table.add_row("(never bought)" if name == "None" else name, f"{customers:,}")
            out.print(table)
        if output:
            out.print(f"per-customer segments: {output}", highlight=False)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)

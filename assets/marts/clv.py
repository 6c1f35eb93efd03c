"""marts.customer_clv, marts.clv_diagnostics and marts.clv_calibration: each customer's value so
far and predicted (BG/NBD purchases, Gamma-Gamma spend), with the evidence that the models fit.

The diagnostics refit the models on the data before a holdout window and compare predicted with
actual repeat purchases in it; the customer values come from a fit on everything before as_of.
"""

import json
from datetime import date, datetime, timedelta, timezone

import duckdb
import polars as pl

from assets.marts.activity import ACTIVITY_DEPS, read_activity
from assets.marts.tables import MartBuild, MartTable, mart_asset
from models.clv import calibration_holdout, calibration_plot, customer_clv, fit_bgnbd, fit_gamma_gamma, transaction_summary
from pipelines import config
from quality.mart_checks import one_row_per_customer, values_between
from quality.results import outcome

CUSTOMER_CLV = MartTable("customer_clv", (
    "Every golden customer's historical value (paid orders, CNY) and predicted value: probability alive (BG/NBD), "
    f"expected purchases and spend over the next {config.CLV_HORIZON_DAYS} days (Gamma-Gamma for spend per "
    f"purchase) and CLV discounted monthly at {config.CLV_DISCOUNT_RATE_ANNUAL:.0%} a year."), {
    "golden_id": "Golden customer id.",
    "as_of": "Date the values are as of (the run's business date); orders before it count.",
    "orders": "Paid orders before as_of.",
    "historical_value": "Sum of paid orders before as_of, CNY.",
    "first_purchase_at": "First paid order.",
    "last_purchase_at": "Latest paid order.",
    "frequency": "Repeat purchase days (distinct purchase days minus one); null without purchases.",
    "recency": "Days from the first to the latest purchase day.",
    "T": "Days from the first purchase day to as_of.",
    "monetary_value": "Mean CNY of the repeat purchase days (0 without repeats).",
    "prob_alive": "BG/NBD probability that the customer still buys; null for a customer who never bought.",
    "expected_purchases": "Expected purchase days over the horizon (0 for a customer who never bought).",
    "expected_average_value": "Gamma-Gamma expected CNY per purchase.",
    "expected_spend": "Expected purchases x expected average value, CNY, undiscounted.",
    "clv": "Predicted value over the horizon, CNY, discounted monthly (0 for a customer who never bought).",
    "horizon_days": "Prediction horizon, days.",
})
CLV_DIAGNOSTICS = MartTable("clv_diagnostics", (
    "The CLV models of each run: parameters, log-likelihood and customers of the BG/NBD and Gamma-Gamma fits on "
    "all data, and of the BG/NBD refitted before a holdout window with its predicted and actual repeat purchases "
    "in that window (and the Vega-Lite calibration plot)."), {
    "as_of": "Run's business date.", "fit": "all_data (the customer values) or calibration (before the holdout).",
    "model": "bgnbd or gamma_gamma.", "parameters": "Fitted parameters, JSON.",
    "log_likelihood": "Maximised log-likelihood.", "customers": "Customers fitted on.", "converged": "Optimizer converged.",
    "calibration_end": "End of the calibration period (calibration fit only).",
    "holdout_end": "End of the holdout period (calibration fit only).",
    "holdout_predicted": "Predicted repeat purchases in the holdout, all customers.",
    "holdout_actual": "Actual repeat purchases in the holdout, all customers.",
    "calibration_plot": "Vega-Lite spec of mean holdout purchases per calibration frequency, predicted vs actual.",
})
CLV_CALIBRATION = MartTable("clv_calibration", (
    "Predicted against actual repeat purchases in the holdout per calibration frequency group (0..6, 7+): the "
    "BG/NBD's fit check (Fader, Hardie & Lee 2005, figure 4)."), {
    "as_of": "Run's business date.", "frequency_group": "Repeat purchases in the calibration period.",
    "customers": "Customers in the group.", "actual": "Actual repeat purchases in the holdout.",
    "predicted": "Predicted repeat purchases in the holdout.", "actual_mean": "Actual per customer.",
    "predicted_mean": "Predicted per customer.",
})
CHECKS = {
    "customer_clv_one_row_per_customer": (True, "Every golden customer exactly once."),
    "customer_clv_values_in_range": (True, "prob_alive within 0-1; values, purchases and CLV not negative."),
    "clv_models_fitted": (False, "BG/NBD and Gamma-Gamma could be fitted (enough customers and repeat purchases)."),
    "clv_holdout_fit": (False, "The calibration-period model predicts the holdout's repeat purchases within 25 %."),
}
HOLDOUT_TOLERANCE = 0.25
PREDICTED = ("frequency", "recency", "T", "monetary_value", "prob_alive", "expected_purchases", "expected_average_value",
             "expected_spend", "clv")


def _fits(summary: pl.DataFrame):
    bgnbd = fit_bgnbd(summary)
    repeat = summary.filter(pl.col("frequency") > 0)
    return bgnbd, fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])


def _diagnostic_rows(as_of: date, fit: str, bgnbd, gamma_gamma, **holdout) -> list[dict]:
    rows = []
    for name, model, params in (("bgnbd", bgnbd, ("r", "alpha", "a", "b")), ("gamma_gamma", gamma_gamma, ("p", "q", "v"))):
        if model is None:
            continue
        rows.append({"as_of": as_of, "fit": fit, "model": name,
                     "parameters": json.dumps({p: getattr(model, p) for p in params}),
                     "log_likelihood": model.log_likelihood, "customers": model.n_customers,
                     "converged": model.converged, **holdout})
    return rows


def build_clv(con: duckdb.DuckDBPyConnection, as_of: date) -> MartBuild:
    activity = read_activity(con)
    end = datetime.combine(as_of, datetime.min.time(), tzinfo=timezone.utc)
    paid = activity.orders.filter((pl.col("status") == "paid") & (pl.col("ordered_at") < end))
    options = {"customer_col": "golden_id", "date_col": "ordered_at", "amount_col": "amount"}
    last_day = as_of - timedelta(days=1)

    summary = transaction_summary(paid, calibration_end=last_day, **options)
    try:
        bgnbd, gamma_gamma = _fits(summary)
        values = customer_clv(summary, bgnbd, gamma_gamma, horizon=config.CLV_HORIZON_DAYS,
                              discount_rate_annual=config.CLV_DISCOUNT_RATE_ANNUAL, customer_col="golden_id")
        not_fitted = None
    except ValueError as exc:  # too few customers or repeat purchases to fit on
        bgnbd = gamma_gamma = None
        values, not_fitted = summary.select("golden_id", "frequency", "recency", "T", "monetary_value"), str(exc)
    history = paid.group_by("golden_id").agg(pl.len().cast(pl.Int64).alias("orders"),
                                             pl.col("amount").sum().alias("historical_value"),
                                             pl.col("ordered_at").min().alias("first_purchase_at"),
                                             pl.col("ordered_at").max().alias("last_purchase_at"))
    table = (activity.customers.select("golden_id")
             .join(history, on="golden_id", how="left").join(values, on="golden_id", how="left")
             .with_columns(pl.lit(as_of).alias("as_of"), pl.lit(config.CLV_HORIZON_DAYS).alias("horizon_days"),
                           pl.col("orders").fill_null(0), pl.col("historical_value").fill_null(0.0))
             .with_columns(pl.col(c).cast(pl.Float64) if c in values.columns else pl.lit(None, dtype=pl.Float64).alias(c)
                           for c in PREDICTED))
    if not_fitted is None:  # a customer who never bought is expected to spend nothing
        table = table.with_columns(pl.when(pl.col("orders") == 0).then(0.0).otherwise(pl.col(c)).alias(c)
                                   for c in ("expected_purchases", "expected_spend", "clv"))
    table = table.select(list(CUSTOMER_CLV.columns))

    calibration_end = as_of - timedelta(days=config.CLV_HOLDOUT_DAYS + 1)
    holdout = plot = None
    rows = _diagnostic_rows(as_of, "all_data", bgnbd, gamma_gamma)
    try:
        split = transaction_summary(paid, calibration_end=calibration_end, holdout_end=last_day, **options)
        calibration_model = fit_bgnbd(split)
        holdout = calibration_holdout(split, calibration_model)
        plot = json.dumps(calibration_plot(holdout.by_frequency).to_dict())
        rows += _diagnostic_rows(as_of, "calibration", calibration_model, None, calibration_end=calibration_end,
                                 holdout_end=last_day, holdout_predicted=holdout.predicted,
                                 holdout_actual=holdout.actual, calibration_plot=plot)
    except ValueError as exc:
        not_fitted = not_fitted or f"holdout: {exc}"
    diagnostics = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame(schema={"as_of": pl.Date})
    diagnostics = diagnostics.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in CLV_DIAGNOSTICS.columns
                                           if c not in diagnostics.columns).select(list(CLV_DIAGNOSTICS.columns))
    calibration = (holdout.by_frequency.with_columns(pl.lit(as_of).alias("as_of")).select(list(CLV_CALIBRATION.columns))
                   if holdout else pl.DataFrame(schema={c: pl.String for c in CLV_CALIBRATION.columns}))

    error = abs(holdout.predicted - holdout.actual) / max(holdout.actual, 1.0) if holdout else None
    checks = [
        one_row_per_customer("customer_clv", table, activity.customers, every_customer=True),
        values_between("customer_clv", table, {"prob_alive": (0, 1), "historical_value": (0, None),
                                               "expected_purchases": (0, None), "expected_spend": (0, None),
                                               "clv": (0, None)}),
        outcome(CHECKS, "clv_models_fitted", not_fitted is None, reason=not_fitted),
        outcome(CHECKS, "clv_holdout_fit", error is not None and error <= HOLDOUT_TOLERANCE,
                 relative_error=round(error, 4) if error is not None else None,
                 predicted=round(holdout.predicted, 1) if holdout else None, actual=holdout.actual if holdout else None),
    ]
    metadata = {
        CUSTOMER_CLV.name: {"bgnbd": bgnbd.to_dict() if bgnbd else None,
                            "gamma_gamma": gamma_gamma.to_dict() if gamma_gamma else None,
                            "total_clv_cny": round(float(table["clv"].fill_null(0).sum()), 2), "not_fitted": not_fitted},
        CLV_DIAGNOSTICS.name: {"holdout_predicted": round(holdout.predicted, 1) if holdout else None,
                               "holdout_actual": holdout.actual if holdout else None,
                               "holdout_relative_error": round(error, 4) if error is not None else None,
                               "calibration_plot": json.loads(plot) if plot else None},
    }
    return MartBuild({CUSTOMER_CLV.name: table, CLV_DIAGNOSTICS.name: diagnostics, CLV_CALIBRATION.name: calibration},
                     checks, {name: {k: v for k, v in meta.items() if v is not None} for name, meta in metadata.items()})


customer_clv_asset = mart_asset(
    "customer_clv", [CUSTOMER_CLV, CLV_DIAGNOSTICS, CLV_CALIBRATION],
    deps=ACTIVITY_DEPS,
    build=build_clv,
    description="CLV per customer from BG/NBD + Gamma-Gamma fitted by maximum likelihood, with holdout diagnostics.",
    whole_because="the models are fitted on every customer's history, and each customer's age and recency run to "
                  "the run date",
    checks=CHECKS,
    kinds={"duckdb", "polars", "scipy"},
)

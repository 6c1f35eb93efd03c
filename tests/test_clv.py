"""CLV models against known answers: hand-computed likelihoods, simulated data with known parameters, the CLI."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import hyp2f1

from models.clv import (
    BGNBD,
    GammaGamma,
    bgnbd_log_likelihood,
    calibration_holdout,
    calibration_plot,
    customer_clv,
    expected_average_value,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    prob_alive,
    transaction_summary,
)
from pipelines.cli import main

CDNOW = (0.243, 4.414, 0.793, 2.426)  # the paper's CDNOW estimates, in weeks
GENERATOR = (0.8, 60.0, 0.8, 3.0)  # pipelines/generator/entities.py, in days


def model(r, alpha, a, b) -> BGNBD:
    return BGNBD(r, alpha, a, b, log_likelihood=0.0, n_customers=0, converged=True)


# --- simulation with known parameters (vectorized: no loop per customer) ---------------------


def simulate_bgnbd(rng, n, params, T, holdout: float = 0.0) -> pl.DataFrame:
    """BG/NBD summaries: rate ~ Gamma(r, alpha), drop-out p ~ Beta(a, b), dying right after repeat K ~ Geometric(p).

    Of N ~ Poisson(lambda T) arrivals the first x = min(N, K) are seen, so t_x is the x-th of N uniform
    order statistics: T * Beta(x, N - x + 1). A customer still alive at T (K > N) buys min(N', K - N)
    more in the holdout, N' ~ Poisson(lambda * holdout).
    """
    r, alpha, a, b = params
    lam, p = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    arrivals, death = rng.poisson(lam * T), rng.geometric(p)
    x = np.minimum(arrivals, death)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    later = rng.poisson(lam * holdout)
    x_holdout = np.where(death > arrivals, np.minimum(later, death - arrivals), 0)
    return pl.DataFrame({"customer": np.arange(n), "frequency": x, "recency": t_x, "T": np.broadcast_to(T, n),
                         "frequency_holdout": x_holdout, "duration_holdout": np.full(n, holdout)})


def simulate_transactions(rng, n, params, days: int, end: date) -> pl.DataFrame:
    """Dated orders of n BG/NBD customers who joined uniformly over ``days`` before ``end``, with Gamma-Gamma amounts."""
    r, alpha, a, b = params
    lam, p = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    T = rng.uniform(0, days, n)
    arrivals = rng.poisson(lam * T)
    x = np.minimum(arrivals, rng.geometric(p))
    owner = np.repeat(np.arange(n), arrivals)
    times = rng.uniform(size=owner.size) * T[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    rank = np.arange(owner.size) - np.repeat(np.cumsum(arrivals) - arrivals, arrivals)
    owner, times = owner[rank < x[owner]], times[rank < x[owner]]  # the first x arrivals happen
    customer = np.concatenate([np.arange(n), owner])
    moment = np.concatenate([np.zeros(n), times])
    day = np.datetime64(end, "ms") - ((T[customer] - moment) * 86_400_000).astype("timedelta64[ms]")
    nu = rng.gamma(4.0, 1.0 / 150.0, n)
    amount = rng.gamma(6.0, 1.0 / nu[customer])
    return pl.DataFrame({"customer": customer, "ordered_at": day, "amount": amount}).with_columns(
        pl.col("ordered_at").cast(pl.Datetime("ms")))


def simulate_gamma_gamma(rng, n, p, q, v) -> tuple[np.ndarray, np.ndarray]:
    """x repeat orders of Gamma(p, nu) value, nu ~ Gamma(q, v): their mean is Gamma(p x, nu x)."""
    x = rng.integers(1, 8, n)
    nu = rng.gamma(q, 1.0 / v, n)
    return x, rng.gamma(p * x, 1.0 / (nu * x))


# --- likelihoods against hand-computed values -------------------------------------------------


def test_bgnbd_likelihood_of_customer_without_repeats_is_gamma_poisson_zero():
    # x = 0: L = B(a, b)/B(a, b) * (alpha / (alpha + T))^r. r=1, alpha=2, T=2: 2/4 = 0.5
    assert bgnbd_log_likelihood((1.0, 2.0, 1.0, 1.0), [0], [0], [2.0])[0] == pytest.approx(math.log(0.5))
    # r=0.5, alpha=3, T=6: (3/9)^0.5
    assert bgnbd_log_likelihood((0.5, 3.0, 2.0, 5.0), [0], [0], [6.0])[0] == pytest.approx(0.5 * math.log(1 / 3))


def test_bgnbd_likelihood_of_repeat_buyer_sums_alive_and_dropped_terms():
    # r=1, alpha=2, a=1, b=1, x=1, t_x=1, T=2:
    # alive:   B(1,2)/B(1,1) * G(2) 2^1 / (G(1) (2+2)^2) = (1/2) * 2/16 = 1/16
    # dropped: B(2,1)/B(1,1) * G(2) 2^1 / (G(1) (2+1)^2) = (1/2) * 2/9  = 1/9
    expected = 1 / 16 + 1 / 9  # = 25/144
    assert bgnbd_log_likelihood((1.0, 2.0, 1.0, 1.0), [1], [1.0], [2.0])[0] == pytest.approx(math.log(expected))
    # r=0.5, alpha=1, a=2, b=3, x=2, t_x=1, T=3:  G(2.5)/G(0.5) = 1.5 * 0.5 = 0.75, alpha^r = 1
    # B(2,5)/B(2,3) = (1*24/720) / (1*2/24) = 0.4;  B(3,4)/B(2,3) = (2*6/720) / (1/12) = 0.2
    alive = 0.4 * 0.75 / (1 + 3) ** 2.5  # = 0.3/32
    dropped = 0.2 * 0.75 / (1 + 1) ** 2.5
    got = bgnbd_log_likelihood((0.5, 1.0, 2.0, 3.0), [2], [1.0], [3.0])[0]
    assert got == pytest.approx(math.log(alive + dropped), rel=1e-12)
    assert math.exp(got) == pytest.approx(0.009375 + 0.0265165043, rel=1e-9)


def test_bgnbd_likelihood_equals_individual_likelihood_integrated_over_lambda_and_p():
    # individual level: (1-p)^x lambda^x e^(-lambda T) + p (1-p)^(x-1) lambda^x e^(-lambda t_x), mixed over
    # lambda ~ Gamma(r, rate alpha) and p ~ Beta(a, b) by numerical integration
    r, alpha, a, b = 0.7, 3.0, 1.3, 2.2
    x, t_x, T = 3, 4.0, 9.0

    gamma_norm, beta_norm = alpha**r / math.gamma(r), math.gamma(a + b) / (math.gamma(a) * math.gamma(b))

    def integrand(p, lam):
        individual = (1 - p) ** x * lam**x * math.exp(-lam * T) + p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * t_x)
        gamma_pdf = gamma_norm * lam ** (r - 1) * math.exp(-alpha * lam)
        return individual * gamma_pdf * beta_norm * p ** (a - 1) * (1 - p) ** (b - 1)

    mixed, _ = integrate.dblquad(integrand, 0, 30, 0, 1, epsabs=1e-12, epsrel=1e-9)
    assert bgnbd_log_likelihood((r, alpha, a, b), [x], [t_x], [T])[0] == pytest.approx(math.log(mixed), rel=1e-6)


def test_gamma_gamma_likelihood_against_hand_computed_density():
    # p=1, q=2, v=1, x=1: m ~ Exp(nu), nu ~ Gamma(2, 1): f(m) = int nu e^(-nu m) nu e^(-nu) dnu = 2 / (1+m)^3
    assert gamma_gamma_log_likelihood((1.0, 2.0, 1.0), [1], [1.0])[0] == pytest.approx(math.log(2 / 8))
    # p=2, q=3, v=4, x=2, m=5 (px = 4):
    # G(7)/(G(4) G(3)) * 4^3 * 2^4 * 5^3 / (4 + 2*5)^7 = 720/12 * 64 * 16 * 125 / 14^7
    expected = 60 * 64 * 16 * 125 / 14**7
    assert gamma_gamma_log_likelihood((2.0, 3.0, 4.0), [2], [5.0])[0] == pytest.approx(math.log(expected))


def test_gamma_gamma_likelihood_equals_mean_density_integrated_over_nu():
    p, q, v, x, m = 2.5, 3.5, 40.0, 3, 12.0
    density, _ = integrate.quad(
        lambda nu: stats.gamma.pdf(m, p * x, scale=1 / (nu * x)) * stats.gamma.pdf(nu, q, scale=1 / v), 0, np.inf)
    assert gamma_gamma_log_likelihood((p, q, v), [x], [m])[0] == pytest.approx(math.log(density), rel=1e-7)


def test_prob_alive_against_hand_computed_share_of_alive_term():
    # same customer as above: alive term 1/16 of L = 25/144 -> 9/25; also 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
    assert prob_alive(model(1.0, 2.0, 1.0, 1.0), [1], [1.0], [2.0])[0] == pytest.approx(9 / 25)
    assert prob_alive(model(1.0, 2.0, 1.0, 1.0), [0], [0.0], [2.0])[0] == 1.0


def test_expected_purchases_matches_paper_equation_10_as_written():
    r, alpha, a, b = CDNOW
    for x, t_x, T, t in [(0, 0, 30.0, 39.0), (2, 30.4, 38.9, 39.0), (7, 29.4, 38.9, 52.0), (1, 1.7, 38.9, 10.0)]:
        z = t / (alpha + T + t)
        numerator = (a + b + x - 1) / (a - 1) * (
            1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
        denominator = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        got = expected_purchases(model(*CDNOW), t, x, t_x, T)[0]
        assert got == pytest.approx(numerator / denominator, rel=1e-9)


def test_expected_purchases_of_new_customer_reach_both_limits_of_drop_out():
    # x = t_x = T = 0 gives E[X(t)] (eq. 9). r=2, alpha=10, t=5:
    # nobody drops out (p ~ Beta(2, 1e6) ~ 0): Poisson purchases, mean E[lambda] t = r t / alpha = 1
    assert expected_purchases(model(2.0, 10.0, 2.0, 1e6), 5.0, 0, 0, 0)[0] == pytest.approx(1.0, rel=1e-4)
    # everybody drops out after the first repeat (p ~ Beta(1e4, 1) ~ 1): P(a purchase in t) = 1 - (10/15)^2 = 5/9
    assert expected_purchases(model(2.0, 10.0, 1e4, 1.0), 5.0, 0, 0, 0)[0] == pytest.approx(5 / 9, rel=1e-3)


# --- the paper's CDNOW figures ------------------------------------------------------------------


def cdnow_summary() -> pl.DataFrame:
    rows = []
    for line in (Path(__file__).parent / "data" / "cdnow_customers.txt").read_text().splitlines():
        if line.startswith("#"):
            continue
        T, no_repeat, *repeaters = line.split()
        rows += [(0, 0.0, float(T))] * int(no_repeat)
        rows += [(int(x), float(t_x), float(T)) for x, t_x in (r.split("/") for r in repeaters)]
    return pl.DataFrame(rows, schema=["frequency", "recency", "T"], orient="row")


def test_bgnbd_on_cdnow_gives_the_published_estimates():
    summary = cdnow_summary()
    assert summary.height == 2357 and (summary["frequency"] == 0).sum() == 1411 and summary["frequency"].sum() == 2457
    fitted = fit_bgnbd(summary)
    assert fitted.converged
    assert (round(fitted.r, 3), round(fitted.alpha, 3), round(fitted.a, 3), round(fitted.b, 3)) == CDNOW
    assert round(fitted.log_likelihood, 1) == -9582.4
    # the worked example, customer 0001 (x=2, t_x=30.43, T=38.86): 1.226 purchases expected in the next 39 weeks
    assert round(expected_purchases(fitted, 39, 2, 30.43, 38.86)[0], 3) == 1.226


# --- parameters recovered from simulated data --------------------------------------------------


def test_bgnbd_recovers_cdnow_parameters_from_simulated_customers():
    truth = model(*CDNOW)
    summary = simulate_bgnbd(np.random.default_rng(2005), 20_000, CDNOW, T=np.random.default_rng(1).uniform(32, 39, 20_000))
    fitted = fit_bgnbd(summary)
    assert fitted.converged and fitted.n_customers == 20_000
    for name, tolerance in (("r", 0.10), ("alpha", 0.15), ("a", 0.20), ("b", 0.20)):
        assert getattr(fitted, name) == pytest.approx(getattr(truth, name), rel=tolerance), name
    at_truth = bgnbd_log_likelihood(CDNOW, summary["frequency"], summary["recency"], summary["T"]).sum()
    assert fitted.log_likelihood >= at_truth  # the maximum is a maximum ...
    assert 2 * (fitted.log_likelihood - at_truth) < stats.chi2.ppf(0.999, 4)  # ... and the truth is within reach


def test_transaction_summary_and_fit_recover_generator_parameters_from_dated_orders():
    orders = simulate_transactions(np.random.default_rng(42), 20_000, GENERATOR, days=3 * 365, end=date(2026, 11, 1))
    summary = transaction_summary(orders, customer_col="customer", date_col="ordered_at", amount_col="amount",
                                  calibration_end=date(2026, 10, 31))
    fitted = fit_bgnbd(summary)
    for got, want, tolerance in zip(fitted.params, GENERATOR, (0.10, 0.15, 0.20, 0.20)):
        assert got == pytest.approx(want, rel=tolerance)
    spend = fit_gamma_gamma(summary["frequency"], summary["monetary_value"])
    assert spend.population_mean == pytest.approx(6.0 * 150.0 / 3.0, rel=0.05)


def test_gamma_gamma_recovers_simulated_parameters():
    truth = (6.0, 4.0, 150.0)  # pipelines/generator/purchases.py: mean order value p v / (q - 1) = 300
    x, m = simulate_gamma_gamma(np.random.default_rng(7), 10_000, *truth)
    fitted = fit_gamma_gamma(x, m)
    assert fitted.converged and fitted.n_customers == 10_000
    for got, want, tolerance in zip(fitted.params, truth, (0.20, 0.15, 0.25)):
        assert got == pytest.approx(want, rel=tolerance)
    assert fitted.population_mean == pytest.approx(300.0, rel=0.03)
    at_truth = gamma_gamma_log_likelihood(truth, x, m).sum()
    assert 0 <= 2 * (fitted.log_likelihood - at_truth) < stats.chi2.ppf(0.999, 3)


def test_gamma_gamma_ignores_one_time_buyers_and_refunds():
    x, m = simulate_gamma_gamma(np.random.default_rng(8), 2_000, 6.0, 4.0, 150.0)
    alone = fit_gamma_gamma(x, m)
    padded = fit_gamma_gamma(np.concatenate([x, [0, 0, 3]]), np.concatenate([m, [0.0, 0.0, -20.0]]))
    assert padded.n_customers == alone.n_customers and padded.params == pytest.approx(alone.params, rel=1e-6)


def test_expected_purchases_predict_simulated_holdout_with_true_parameters():
    T = np.random.default_rng(3).uniform(32, 39, 50_000)
    summary = simulate_bgnbd(np.random.default_rng(4), 50_000, CDNOW, T=T, holdout=39.0)
    result = calibration_holdout(summary, model(*CDNOW))
    assert result.customers == 50_000 and result.duration == 39.0
    assert result.predicted == pytest.approx(result.actual, rel=0.03)
    groups = result.by_frequency
    assert groups["frequency_group"].to_list() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert groups["customers"].sum() == 50_000
    big = groups.filter(pl.col("customers") >= 1_000)
    assert (big["predicted"] / big["actual"] - 1).abs().max() < 0.10


def test_expected_average_value_shrinks_own_mean_toward_population_mean():
    spend = GammaGamma(p=6.0, q=4.0, v=150.0, log_likelihood=0.0, n_customers=0, converged=True)
    # x = 0 (or no positive spend): population mean p v / (q - 1) = 300
    assert expected_average_value(spend, [0, 2], [0.0, -5.0]) == pytest.approx([300.0, 300.0])
    # x = 2, m = 100: (150 + 200) * 6 / (12 + 3) = 140
    assert expected_average_value(spend, [2], [100.0])[0] == pytest.approx(140.0)
    assert expected_average_value(spend, [10_000], [100.0])[0] == pytest.approx(100.0, rel=1e-3)


# --- the RFM summary ---------------------------------------------------------------------------


ORDERS = pl.DataFrame({
    "cust": ["A", "A", "A", "A", "A", "A", "A", "A", "B", "C"],
    "day": [date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 3), date(2024, 1, 8),  # calibration
            date(2024, 1, 15), date(2024, 1, 15), date(2024, 1, 20),  # holdout
            date(2024, 2, 10),  # after the holdout
            date(2024, 1, 10), date(2024, 1, 12)],
    "amount": [10.0, 5.0, 20.0, 30.0, 7.0, 3.0, 1.0, 100.0, 50.0, 9.0],
})


def summarize(orders=ORDERS, **options) -> pl.DataFrame:
    return transaction_summary(orders, customer_col="cust", date_col="day", amount_col="amount",
                               calibration_end=date(2024, 1, 10), **options)


def test_summary_counts_purchase_days_not_orders():
    summary = summarize()
    assert summary.columns == ["cust", "frequency", "recency", "T", "monetary_value"]
    # A bought on Jan 1 (twice), 3 and 8: 2 repeat days, 7 days between first and last, 9 days to Jan 10;
    # repeat amounts 20 and 30. B's only purchase is on the calibration end. C first bought after it.
    assert summary.rows() == [("A", 2, 7, 9, 25.0), ("B", 0, 0, 0, 0.0)]


def test_summary_with_holdout_counts_holdout_days_only():
    summary = summarize(holdout_end=date(2024, 1, 31))
    assert summary.select("cust", "frequency_holdout", "duration_holdout").rows() == [("A", 2, 21), ("B", 0, 21)]
    assert summary.select("frequency", "monetary_value").rows() == [(2, 25.0), (0, 0.0)]  # calibration unchanged


def test_summary_in_weeks_counts_monday_weeks():
    summary = summarize(holdout_end=date(2024, 1, 31), time_unit="week")
    # 2024-01-01 is a Monday: A bought in week 0 (Jan 1, 3) and week 1 (Jan 8); Jan 10 is in week 1;
    # the holdout's Jan 15 and 20 are both in week 2; Jan 31 is in week 4
    assert summary.rows() == [("A", 1, 1, 1, 30.0, 1, 3), ("B", 0, 0, 0, 0.0, 0, 3)]


def test_summary_reads_local_date_of_zoned_timestamps():
    orders = pl.DataFrame({
        "cust": ["A", "A"],
        "at": [datetime(2024, 1, 1, 23, 30), datetime(2024, 1, 2, 0, 30)],
        "amount": [1, 2],
    }).with_columns(pl.col("at").dt.replace_time_zone("Asia/Shanghai"))
    summary = transaction_summary(orders, customer_col="cust", date_col="at", amount_col="amount",
                                  calibration_end=date(2024, 1, 2))
    assert summary.rows() == [("A", 1, 1, 1, 2.0)]


def test_summary_refuses_empty_values_missing_columns_and_text_dates():
    with pytest.raises(ValueError, match="'amount' has 1 empty"):
        summarize(ORDERS.with_columns(pl.when(pl.col("cust") == "C").then(None).otherwise(pl.col("amount")).alias("amount")))
    with pytest.raises(ValueError, match="missing column"):
        summarize(ORDERS.drop("amount"))
    with pytest.raises(TypeError, match="Date or Datetime"):
        summarize(ORDERS.with_columns(pl.col("day").cast(pl.String)))
    with pytest.raises(ValueError, match="must be after"):
        summarize(holdout_end=date(2024, 1, 10))


# --- CLV and diagnostics -----------------------------------------------------------------------


def test_customer_clv_discounts_each_month_of_expected_spend():
    summary = pl.DataFrame({"customer": ["a", "b"], "frequency": [3, 0], "recency": [200.0, 0.0], "T": [300.0, 100.0],
                            "monetary_value": [50.0, 0.0]})
    purchases, spend = model(*GENERATOR), GammaGamma(6.0, 4.0, 150.0, 0.0, 0, True)
    one_month = customer_clv(summary, purchases, spend, horizon=1, discount_rate_annual=0.1, time_unit="week")
    value = expected_average_value(spend, [3, 0], [50.0, 0.0])
    one_week = expected_purchases(purchases, 1.0, [3, 0], [200.0, 0.0], [300.0, 100.0])
    assert one_month["expected_purchases"].to_numpy() == pytest.approx(one_week)
    assert one_month["expected_spend"].to_numpy() == pytest.approx(one_month["expected_purchases"].to_numpy() * value)
    # a week is inside the first month: discounted once, by 1.1^(-1/12)
    assert one_month["clv"].to_numpy() == pytest.approx(one_month["expected_spend"].to_numpy() / 1.1 ** (1 / 12))
    year = customer_clv(summary, purchases, spend, horizon=365, discount_rate_annual=0.0)
    assert year["clv"].to_numpy() == pytest.approx(year["expected_spend"].to_numpy())
    discounted = customer_clv(summary, purchases, spend, horizon=365, discount_rate_annual=0.2)
    assert (discounted["clv"] < year["clv"]).all() and (discounted["clv"] > year["clv"] / 1.2).all()
    assert discounted.columns == ["customer", "frequency", "recency", "T", "monetary_value", "prob_alive",
                                  "expected_purchases", "expected_average_value", "expected_spend", "clv"]


def test_calibration_plot_is_a_vega_lite_line_chart_of_both_series():
    summary = simulate_bgnbd(np.random.default_rng(5), 2_000, CDNOW, T=39.0, holdout=39.0)
    spec = calibration_plot(calibration_holdout(summary, model(*CDNOW)).by_frequency, "week").to_dict()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    values = next(iter(spec["datasets"].values()))
    assert {row["series"] for row in values} == {"actual", "predicted"} and len(values) == 16


# --- properties ----------------------------------------------------------------------------------


customers = st.tuples(
    st.floats(0.05, 5), st.floats(0.1, 200), st.floats(0.05, 5), st.floats(0.05, 10),  # r, alpha, a, b
    st.integers(0, 200), st.floats(0, 1), st.floats(0, 1000),  # x, t_x as a share of T, T
)


@settings(max_examples=200, deadline=None)
@given(customers)
def test_prob_alive_is_a_probability_and_one_without_repeats(case):
    r, alpha, a, b, x, share, T = case
    t_x = share * T if x else 0.0
    alive = prob_alive(model(r, alpha, a, b), [x], [t_x], [T])[0]
    assert 0.0 <= alive <= 1.0
    if x == 0:
        assert alive == 1.0


@settings(max_examples=200, deadline=None)
@given(customers, st.floats(0.1, 500), st.floats(0.1, 500))
def test_expected_purchases_grow_with_the_horizon(case, t, more):
    r, alpha, a, b, x, share, T = case
    t_x = share * T if x else 0.0
    fitted = model(r, alpha, a, b)
    sooner, later = expected_purchases(fitted, np.array([t, t + more]), [x, x], [t_x, t_x], [T, T])
    assert np.isfinite(sooner) and 0.0 <= sooner <= later * (1 + 1e-9) + 1e-12


# --- crm360 clv --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def orders_csv(tmp_path_factory):
    orders = simulate_transactions(np.random.default_rng(11), 1_500, GENERATOR, days=2 * 365, end=date(2026, 1, 1))
    path = tmp_path_factory.mktemp("clv") / "orders.csv"
    orders.select(
        pl.format("K{}", pl.col("customer")).alias("customer no"),
        pl.col("ordered_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("order date"),
        pl.col("amount").round(2).alias("total"),
    ).write_csv(path)
    return path


def clv_args(path, *extra: str) -> list[str]:
    return ["clv", "--transactions", str(path), "--customer-col", "customer no", "--date-col", "order date",
            "--amount-col", "total", "--calibration-end", "2025-07-01", *extra]


def test_clv_command_prints_parameters_and_holdout_comparison(orders_csv, tmp_path):
    output = tmp_path / "clv.parquet"
    result = CliRunner().invoke(main, clv_args(orders_csv, "--holdout-end", "2026-01-01", "--output", str(output)))
    assert result.exit_code == 0, result.output
    for text in ("BG/NBD", "Gamma-Gamma", "log-likelihood", "7+", "total", "predicted"):
        assert text in result.output
    table = pl.read_parquet(output)
    assert table.columns[0] == "customer no" and {"prob_alive", "clv"} <= set(table.columns)
    assert table.height == table["customer no"].n_unique() > 500


def test_clv_command_json_is_one_document_with_holdout_groups(orders_csv):
    result = CliRunner().invoke(main, clv_args(orders_csv, "--holdout-end", "2026-01-01", "--time-unit", "week",
                                               "--json"))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document["bgnbd"]) >= {"r", "alpha", "a", "b", "log_likelihood", "n_customers", "converged"}
    assert set(document["gamma_gamma"]) >= {"p", "q", "v", "log_likelihood"}
    assert document["time_unit"] == "week" and document["holdout"]["duration"] == 26
    groups = document["holdout"]["by_frequency"]
    assert [g["frequency_group"] for g in groups][:2] == ["0", "1"]
    assert sum(g["actual"] for g in groups) == document["holdout"]["actual"]
    assert document["clv"]["horizon"] == 52


@pytest.mark.parametrize(("change", "message"), [
    (["--customer-col", "client"], "no column 'client'"),
    (["--amount-col", "customer no"], "three different columns"),
])
def test_clv_command_bad_input_is_one_line_error(orders_csv, change, message):
    args = clv_args(orders_csv)
    args[args.index(change[0]) + 1] = change[1]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], result.output


@pytest.mark.parametrize(("rows", "message"), [
    ("x,2024-01-01,5\ny,31/31/2024,3\n", "row 2, column 'd': cannot read '31/31/2024' as a date"),
    ("x,2024-01-01,5\ny,2024-01-02,\n", "row 2, column 'a': amount is empty"),
    ("x,2024-01-01,5\ny, ,3\n", "row 2, column 'd': date is empty"),
    ("x,2024-01-01,5\ny,2024-01-02,12 CNY\n", "row 2, column 'a': cannot read '12 CNY' as an amount"),
    (",2024-01-01,5\n", "row 1, column 'c': customer is empty"),
])
def test_clv_command_names_row_and_column_of_bad_value(tmp_path, rows, message):
    path = tmp_path / "bad.csv"
    path.write_text("c,d,a\n" + rows)
    result = CliRunner().invoke(main, ["clv", "--transactions", str(path), "--customer-col", "c", "--date-col", "d",
                                       "--amount-col", "a", "--calibration-end", "2024-06-01"])
    assert result.exit_code != 0
    assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output

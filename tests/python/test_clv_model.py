"""The BG/NBD and Gamma-Gamma code of plugins/personas_clv.py, without dbt: the fit recovers
the parameters of simulated customers, weights equal repeated rows, the closed forms agree
with the paper's own formulas and with simulation, and a degenerate population gives a
status, never numbers."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy import special
from threadpoolctl import threadpool_info

from conftest import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "plugins"))
import personas_clv as clv  # noqa: E402  (the model's code lives in plugins/, dbt-duckdb's module path)

TRUE_BG_NBD = {"r": 0.6, "alpha": 40.0, "a": 0.8, "b": 2.5}
TRUE_GAMMA_GAMMA = {"p": 5.0, "q": 4.0, "v": 60.0}


@pytest.fixture(scope="module")
def simulated() -> dict[str, np.ndarray]:
    return clv.simulate_bg_nbd(40_000, TRUE_BG_NBD, max_age_days=730, seed=7, spend=TRUE_GAMMA_GAMMA)


def test_fit_recovers_simulated_parameters(simulated: dict[str, np.ndarray]) -> None:
    fit = clv.fit_bg_nbd(simulated["x"], simulated["t_x"], simulated["T"])
    assert fit.ok, fit.message
    assert fit.customers == 40_000
    for name, true in TRUE_BG_NBD.items():
        # 40,000 customers: a few per cent of sampling error (and integer days)
        assert fit.parameters[name] == pytest.approx(true, rel=0.15), name
    spend = clv.fit_gamma_gamma(simulated["x"], simulated["m"])
    assert spend.ok, spend.message
    for name, true in TRUE_GAMMA_GAMMA.items():
        assert spend.parameters[name] == pytest.approx(true, rel=0.25), name
    # the population mean spend p v / (q - 1) is much better identified than p, q, v apart
    mean = spend.parameters["p"] * spend.parameters["v"] / (spend.parameters["q"] - 1)
    assert mean == pytest.approx(5.0 * 60.0 / 3.0, rel=0.05)


def test_the_optimizer_runs_blas_on_one_thread() -> None:
    """OpenBLAS's threads busy-wait between the likelihood's products and take the cores from
    DuckDB in a build (docs/predictions.md, "Performance"): the fit keeps BLAS on one thread,
    whatever the machine's default (two threads here, one per core)."""
    seen: list[int] = []

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        seen.extend(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")
        return float(params @ params), 2 * params

    result = clv._minimise(objective, np.array([1.0, -2.0]))
    assert result.success
    assert seen, "no BLAS library found"
    assert set(seen) == {1}


def test_weighted_triples_equal_one_row_per_customer(simulated: dict[str, np.ndarray]) -> None:
    x, t_x, T = simulated["x"][:5000], simulated["t_x"][:5000], simulated["T"][:5000]
    per_customer = clv.fit_bg_nbd(x, t_x, T)
    (ux, ut, uT), counts = clv.distinct_tuples(x, t_x, T)
    assert len(ux) < len(x)
    weighted = clv.fit_bg_nbd(ux, ut, uT, weights=counts)
    assert weighted.customers == per_customer.customers == 5000
    for name in clv.BG_NBD_PARAMETERS:
        assert weighted.parameters[name] == pytest.approx(per_customer.parameters[name], rel=1e-6)
    assert weighted.log_likelihood == pytest.approx(per_customer.log_likelihood, rel=1e-9)


def test_gradient_matches_finite_differences() -> None:
    x = np.array([0.0, 1.0, 4.0, 12.0])
    t_x = np.array([0.0, 30.0, 200.0, 600.0])
    T = np.array([10.0, 90.0, 400.0, 700.0])
    params = np.array([0.7, 35.0, 0.9, 3.1])
    _, gradient = clv.bg_nbd_log_likelihood(params, x, t_x, T)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6 * params[i]
        numeric = (clv.bg_nbd_log_likelihood(params + step, x, t_x, T)[0]
                   - clv.bg_nbd_log_likelihood(params - step, x, t_x, T)[0]) / (2 * step[i])
        np.testing.assert_allclose(gradient[i], numeric, rtol=1e-5, atol=1e-9)


def test_gamma_gamma_gradient_matches_finite_differences() -> None:
    x = np.array([1.0, 1.0, 3.0, 9.0])
    m = np.array([12.5, 80.0, 40.0, 210.0])
    params = np.array([4.0, 3.5, 55.0])
    _, gradient = clv.gamma_gamma_log_likelihood(params, x, m)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6 * params[i]
        numeric = (clv.gamma_gamma_log_likelihood(params + step, x, m)[0]
                   - clv.gamma_gamma_log_likelihood(params - step, x, m)[0]) / (2 * step[i])
        np.testing.assert_allclose(gradient[i], numeric, rtol=1e-5, atol=1e-9)


def test_likelihoods_per_distinct_value_equal_each_tuple_alone(simulated: dict[str, np.ndarray]) -> None:
    """The likelihoods evaluate the terms of x, t_x and T once per distinct value and gather
    them: on 2,000 customers (many sharing x, t_x or T), each tuple's value and gradient must be
    what the tuple gives alone, where every value is distinct."""
    x, t_x, T, m = (simulated[k][:2000] for k in ("x", "t_x", "T", "m"))
    params = np.array([0.7, 35.0, 0.9, 3.1])
    assert len(np.unique(x)) < 50 and len(np.unique(T)) < 1000
    together = clv.bg_nbd_log_likelihood(params, x, t_x, T)
    alone = [clv.bg_nbd_log_likelihood(params, x[i : i + 1], t_x[i : i + 1], T[i : i + 1]) for i in range(len(x))]
    np.testing.assert_allclose(together[0], np.concatenate([ll for ll, _ in alone]), rtol=1e-13)
    np.testing.assert_allclose(together[1], np.hstack([g for _, g in alone]), rtol=1e-12, atol=1e-15)
    repeat = (x > 0) & (m > 0)
    x, m = x[repeat], m[repeat]
    params = np.array([4.0, 3.5, 55.0])
    together = clv.gamma_gamma_log_likelihood(params, x, m)
    alone = [clv.gamma_gamma_log_likelihood(params, x[i : i + 1], m[i : i + 1]) for i in range(len(x))]
    np.testing.assert_allclose(together[0], np.concatenate([ll for ll, _ in alone]), rtol=1e-13)
    np.testing.assert_allclose(together[1], np.hstack([g for _, g in alone]), rtol=1e-12, atol=1e-15)


def _expected_purchases_paper(params: dict[str, float], t: float, x, t_x, T) -> np.ndarray:
    """Fader, Hardie & Lee (2005), eq. (10), as printed (no Euler transformation)."""
    r, alpha, a, b = (params[k] for k in clv.BG_NBD_PARAMETERS)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    head = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    tail = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return head / tail


def test_expected_purchases_equal_the_papers_formula() -> None:
    x = np.array([0.0, 1.0, 3.0, 8.0, 20.0])
    t_x = np.array([0.0, 20.0, 150.0, 300.0, 690.0])
    T = np.array([5.0, 100.0, 365.0, 400.0, 700.0])
    for params in (TRUE_BG_NBD, {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}):
        ours = clv.bg_nbd_expected_purchases(params, 90, x, t_x, T)
        np.testing.assert_allclose(ours, _expected_purchases_paper(params, 90, x, t_x, T), rtol=1e-9)


def test_predictions_agree_with_simulation() -> None:
    """Simulate customers, split their history at T - 90 days: the summed expectation of the
    last 90 days from the first part matches the purchases simulated in them."""
    params = {"r": 0.8, "alpha": 30.0, "a": 0.7, "b": 3.0}
    rng = np.random.default_rng(3)
    n = 20_000
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)
    drop = rng.beta(params["a"], params["b"], n)
    horizon, calibration = 90.0, 300.0
    x = np.zeros(n)
    t_x = np.zeros(n)
    future = np.zeros(n)
    for i in range(n):
        clock = 0.0
        while True:
            clock += rng.exponential(1 / lam[i])
            if clock > calibration + horizon:
                break
            if clock <= calibration:
                x[i] += 1
                t_x[i] = clock
            else:
                future[i] += 1
            if rng.random() < drop[i]:
                break
    T = np.full(n, calibration)
    expected = clv.bg_nbd_expected_purchases(params, horizon, x, t_x, T)
    assert expected.sum() == pytest.approx(future.sum(), rel=0.05)
    bought = clv.bg_nbd_probability_of_purchase(params, horizon, x, t_x, T)
    assert bought.sum() == pytest.approx((future > 0).sum(), rel=0.05)


def test_median_next_purchase_is_where_the_probability_reaches_one_half() -> None:
    x = np.array([0.0, 2.0, 10.0, 3.0])
    t_x = np.array([0.0, 80.0, 390.0, 20.0])
    T = np.array([30.0, 100.0, 400.0, 400.0])
    days = clv.bg_nbd_median_days_to_next_purchase(TRUE_BG_NBD, x, t_x, T)
    alive = clv.bg_nbd_probability_alive(TRUE_BG_NBD, x, t_x, T)
    assert np.isnan(days[3]) and alive[3] <= 0.5  # silent for 380 days after 3 repeats
    for i in range(3):
        assert alive[i] > 0.5
        one = slice(i, i + 1)
        probability = clv.bg_nbd_probability_of_purchase(TRUE_BG_NBD, days[i], x[one], t_x[one], T[one])
        assert probability[0] == pytest.approx(0.5, abs=1e-12)


def test_summary_counts_distinct_days_and_repeat_value() -> None:
    ids = np.array([1, 1, 1, 1, 2, 3, 3])
    days = np.array([0, 0, 5, 9, 3, 2, 20])
    values = np.array([10.0, 5.0, 20.0, 40.0, 7.0, 1.0, 2.0])
    summary = clv.summarise_transactions(ids, days, values, end_day=10)
    # customer 1: days 0 (two orders), 5, 9: x = 2, m = (20 + 40) / 2; customer 3: day 20 is after D
    np.testing.assert_array_equal(summary["x"], [2, 0, 0])
    np.testing.assert_array_equal(summary["t_x"], [9, 0, 0])
    np.testing.assert_array_equal(summary["T"], [10, 7, 8])
    np.testing.assert_array_equal(summary["m"], [30.0, 0.0, 0.0])


@pytest.mark.parametrize(
    ("x", "t_x", "T", "status"),
    [
        ([], [], [], "no_customers"),
        ([3], [50], [100], "too_few_customers"),
        ([0] * 50, [0] * 50, list(range(50)), "no_repeat_purchases"),
    ],
    ids=["nobody", "one_customer", "nobody_repeating"],
)
def test_degenerate_populations_give_a_status_not_numbers(x, t_x, T, status) -> None:
    fit = clv.fit_bg_nbd(np.array(x, float), np.array(t_x, float), np.array(T, float))
    assert fit.status == status
    assert fit.parameters is None and fit.log_likelihood is None
    rows = clv.fit_rows(fit, clv.fit_gamma_gamma(np.array(x, float), np.zeros(len(x))))
    assert all(value is None for value in rows["parameter_value"])
    assert set(rows["fit_status"]) == {status, "too_few_repeat_customers"}


def test_unidentifiable_fit_is_reported_not_returned() -> None:
    # Every customer repeats at exactly the same pace and nobody drops out: the likelihood
    # keeps improving as the heterogeneity vanishes (r, alpha -> infinity), a bound is hit.
    n = 200
    x = np.full(n, 10.0)
    T = np.linspace(300, 700, n)
    fit = clv.fit_bg_nbd(x, T, T)
    assert fit.status in {"parameter_at_bound", "optimizer_failed"}
    assert fit.parameters is None
    same_spend = clv.fit_gamma_gamma(np.full(n, 2.0), np.full(n, 25.0))
    assert same_spend.status == "no_spend_variation"

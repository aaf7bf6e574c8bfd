"""Customer lifetime value: the BG/NBD and Gamma-Gamma models, fitted by maximum likelihood.

Used by the dbt Python model `clv_model_fit` (DuckDB; profiles.yml puts plugins/ on the
import path), by scripts/bench_clv.py and by the tests (tests/python/test_clv_*.py). numpy
and scipy (with threadpoolctl, to keep BLAS on one thread); no pandas.

The models (docs/predictions.md has the formulas and the references):
- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a
  customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each purchase they drop out
  with probability p ~ Beta(a, b). Summary per customer: x repeat purchases (distinct purchase
  days - 1), t_x the day of the last purchase and T the age at D, both counted in days from
  the first purchase day. alpha is in days here.
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): the mean value m of a repeat
  customer's x repeat purchases; spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, v).

Both log-likelihoods depend on a customer only through (x, t_x, T), resp. (x, m): the fits
take the distinct tuples with their number of customers as weights, which is what keeps a fit
on 1M customers within seconds (scripts/bench_clv.py).

A fit that cannot be trusted (too few customers, nobody repeating, the optimizer failing or
ending on a bound of the parameter box) returns a `Fit` whose status says why and whose
parameters are None: callers then predict nothing instead of nonsense.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special
from threadpoolctl import threadpool_limits

BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")
# Parameters are fitted as logarithms inside this box; a fit ending on its edge is degenerate
# (e.g. a heterogeneity that the data cannot identify) and is reported as such.
LOG_BOUND = math.log(1e6)
DEFAULT_MIN_CUSTOMERS = 10
DEFAULT_MIN_REPEAT_CUSTOMERS = 10
FITTED = "fitted"


@dataclass
class Fit:
    """The outcome of one model's fit: parameters (None unless status == 'fitted')."""

    model: str
    status: str
    parameters: dict[str, float] | None
    log_likelihood: float | None
    customers: int
    distinct_tuples: int
    message: str = ""
    iterations: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == FITTED


# ---------------------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------------------


def summarise_transactions(
    customer_ids: np.ndarray, days: np.ndarray, values: np.ndarray, end_day: int
) -> dict[str, np.ndarray]:
    """Per customer (x, t_x, T, m) from transactions on or before end_day.

    days: integer day numbers; several transactions of a customer on one day are one purchase
    (their values added), as the models define repeat purchases. m: the mean value of the
    repeat purchase days (0 where x = 0). Returns arrays ordered by customer id."""
    keep = days <= end_day
    customer_ids, days, values = customer_ids[keep], days[keep], values[keep].astype(float)
    order = np.lexsort((days, customer_ids))
    customer_ids, days, values = customer_ids[order], days[order], values[order]
    # one row per (customer, day)
    new_day = np.ones(len(days), dtype=bool)
    new_day[1:] = (customer_ids[1:] != customer_ids[:-1]) | (days[1:] != days[:-1])
    day_index = np.cumsum(new_day) - 1
    day_values = np.bincount(day_index, weights=values)
    day_customers = customer_ids[new_day]
    day_days = days[new_day]
    first_of_customer = np.ones(len(day_days), dtype=bool)
    first_of_customer[1:] = day_customers[1:] != day_customers[:-1]
    customer_index = np.cumsum(first_of_customer) - 1
    n = int(customer_index[-1]) + 1 if len(customer_index) else 0
    purchase_days = np.bincount(customer_index, minlength=n)
    first_day = day_days[first_of_customer]
    last_day = np.maximum.reduceat(day_days, np.flatnonzero(first_of_customer)) if n else day_days[:0]
    first_value = day_values[first_of_customer]
    total_value = np.bincount(customer_index, weights=day_values, minlength=n)
    x = purchase_days - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(x > 0, (total_value - first_value) / np.maximum(x, 1), 0.0)
    return {
        "customer_id": day_customers[first_of_customer],
        "x": x.astype(float),
        "t_x": (last_day - first_day).astype(float),
        "T": (end_day - first_day).astype(float),
        "m": m,
    }


def distinct_tuples(*columns: np.ndarray, weights: np.ndarray | None = None) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns and how many rows (or how much weight) each has."""
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, weights=weights, minlength=len(unique)).astype(float)
    return [unique[:, i] for i in range(unique.shape[1])], counts


# ---------------------------------------------------------------------------------------
# BG/NBD
# ---------------------------------------------------------------------------------------


def distinct_values(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of an array, and for each element the position of its value among
    them: f(values)[position] is f(values) elementwise, from one evaluation per distinct value."""
    distinct, position = np.unique(np.asarray(values, dtype=float), return_inverse=True)
    return distinct, position.reshape(-1)


def bg_nbd_log_likelihood(
    params: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    distinct: tuple[tuple[np.ndarray, np.ndarray], ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-tuple log-likelihood and its gradient with respect to (r, alpha, a, b).

    The terms that depend on one of x, t_x or T alone (the gamma and digamma functions of x,
    the logarithms of alpha + T and alpha + t_x) are evaluated once per distinct value and
    gathered: a few dozen x, a few hundred days, against hundreds of thousands of tuples.
    `distinct` is (distinct_values(x), distinct_values(t_x), distinct_values(T)), computed
    here when not given (a fit computes it once for all its evaluations). The result is the
    elementwise formula's, to the last bit."""
    r, alpha, a, b = params
    (x_values, at_x), (t_x_values, at_t_x), (T_values, at_T) = distinct or (
        distinct_values(x),
        distinct_values(t_x),
        distinct_values(T),
    )
    repeat = x > 0
    r_x = (r + x_values)[at_x]
    log_alpha_T = np.log(alpha + T_values)[at_T]
    log_alpha_t_x = np.log(alpha + t_x_values)[at_t_x]
    a1 = (special.gammaln(r + x_values) - special.gammaln(r) + r * math.log(alpha))[at_x]
    a2 = (
        special.gammaln(a + b) + special.gammaln(b + x_values) - special.gammaln(b) - special.gammaln(a + b + x_values)
    )[at_x]
    a3 = -r_x * log_alpha_T
    b_x1_values = np.where(x_values > 0, b + x_values - 1, 1.0)
    b_x1 = b_x1_values[at_x]
    a4 = np.where(repeat, (math.log(a) - np.log(b_x1_values))[at_x] - r_x * log_alpha_t_x, -np.inf)
    tail = np.logaddexp(a3, a4)
    w3 = np.exp(a3 - tail)
    w4 = np.where(repeat, np.exp(a4 - tail), 0.0)
    psi_a_b = special.digamma(a + b)
    digamma_a_b_x = special.digamma(a + b + x_values)
    d_r = (
        (special.digamma(r + x_values) - special.digamma(r) + math.log(alpha))[at_x]
        - w3 * log_alpha_T
        - w4 * log_alpha_t_x
    )
    d_alpha = r / alpha - w3 * r_x / (alpha + T_values)[at_T] - w4 * r_x / (alpha + t_x_values)[at_t_x]
    d_a = (psi_a_b - digamma_a_b_x)[at_x] + w4 / a
    d_b = (psi_a_b + special.digamma(b + x_values) - special.digamma(b) - digamma_a_b_x)[at_x] - w4 / b_x1
    return a1 + a2 + tail, np.vstack([d_r, d_alpha, d_a, d_b])


# The likelihoods' weighted sums (`weights @ ll`, `grad @ weights`) are BLAS calls over
# hundreds of thousands of tuples. OpenBLAS splits them between its threads, one per core,
# which then busy-wait for the next call, taking the cores from the models DuckDB runs beside
# the fit (figures: docs/predictions.md, "Performance"). On one thread the sums also run in
# one order on any machine, so the fitted digits do not depend on its number of cores.
def _minimise(objective, start: np.ndarray) -> optimize.OptimizeResult:
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    with threadpool_limits(limits=1, user_api="blas"):
        return optimize.minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
        )


def _judge(result: optimize.OptimizeResult, names: tuple[str, ...]) -> tuple[str, str]:
    """(status, message) of an optimizer result on log-parameters."""
    values = np.asarray(result.x, dtype=float)
    if not np.all(np.isfinite(values)) or not np.isfinite(result.fun):
        return "optimizer_failed", "non-finite parameters or log-likelihood"
    at_bound = [name for name, value in zip(names, values, strict=True) if abs(value) >= LOG_BOUND - 1e-3]
    if at_bound:
        return "parameter_at_bound", f"{', '.join(at_bound)} reached the edge of [1e-6, 1e6]: not identifiable"
    if not result.success:
        # L-BFGS-B stops with ABNORMAL when it cannot improve on a point whose gradient is
        # already tiny: a converged fit. Anything else did not converge.
        gradient = np.max(np.abs(result.jac)) if result.jac is not None else np.inf
        if gradient > 1e-5:
            return "optimizer_failed", f"did not converge: {result.message} (gradient {gradient:.2g})"
    return FITTED, str(result.message)


def fit_bg_nbd(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
    min_customers: int = DEFAULT_MIN_CUSTOMERS,
) -> Fit:
    """Maximum-likelihood BG/NBD on (x, t_x, T) rows with weights (customers per row).

    Rows are grouped into distinct triples first, so passing one row per customer or the
    distinct triples with their counts gives the same fit."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    weights = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    customers = int(round(weights.sum()))
    if len(x):
        (x, t_x, T), weights = distinct_tuples(x, t_x, T, weights=weights)
    fit = Fit("bg_nbd", "", None, None, customers, len(x))
    if customers == 0:
        fit.status, fit.message = "no_customers", "no customer to fit"
        return fit
    if customers < min_customers:
        fit.status, fit.message = "too_few_customers", f"{customers} customers, fewer than {min_customers}"
        return fit
    if not np.any((x > 0) & (weights > 0)):
        fit.status, fit.message = "no_repeat_purchases", "no customer bought on a second day"
        return fit
    if np.any(x < 0) or np.any(t_x < 0) or np.any(T < t_x):
        fit.status, fit.message = "invalid_summary", "need 0 <= t_x <= T and x >= 0"
        return fit
    total = weights.sum()
    distinct = (distinct_values(x), distinct_values(t_x), distinct_values(T))

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        ll, grad = bg_nbd_log_likelihood(params, x, t_x, T, distinct)
        value = -(weights @ ll) / total
        gradient = -(grad @ weights) / total * params
        if not np.isfinite(value):
            return 1e100, np.zeros(4)
        return float(value), gradient

    mean_t = float(weights @ T / total) or 1.0
    start = np.log(np.array([0.5, max(mean_t / 4, 1e-3), 1.0, 2.0]))
    with np.errstate(all="ignore"):
        result = _minimise(objective, start)
    status, message = _judge(result, BG_NBD_PARAMETERS)
    fit.status, fit.message, fit.iterations = status, message, int(result.nit)
    if status == FITTED:
        params = np.exp(result.x)
        fit.parameters = dict(zip(BG_NBD_PARAMETERS, map(float, params), strict=True))
        fit.log_likelihood = float(-result.fun * total)
    return fit


def bg_nbd_probability_alive(params: dict[str, float], x, t_x, T) -> np.ndarray:
    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    repeat = x > 0
    log_ratio = np.where(
        repeat,
        math.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)),
        -np.inf,
    )
    return 1.0 / (1.0 + np.exp(log_ratio))


def bg_nbd_expected_purchases(params: dict[str, float], t: float, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t days (Fader, Hardie & Lee 2005,
    eq. 10), with the Gauss hypergeometric function in its Euler-transformed form
    2F1(r+x, b+x; a+b+x-1; z) (1-z)^(r+x) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)."""
    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    bracket = 1.0 - np.power(1.0 - z, a - 1) * hyp
    return (a + b + x - 1) / (a - 1) * bracket * bg_nbd_probability_alive(params, x, t_x, T)


def bg_nbd_probability_of_purchase(params: dict[str, float], t: float, x, t_x, T) -> np.ndarray:
    """P(at least one purchase in the next t days | x, t_x, T): alive now, and the waiting time
    to the next purchase (Pareto II with shape r+x, scale alpha+T) under t (dropout happens
    only right after a purchase, so an alive customer's next purchase is certain)."""
    r, alpha = params["r"], params["alpha"]
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    alive = bg_nbd_probability_alive(params, x, t_x, T)
    return alive * -np.expm1((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))


def bg_nbd_median_days_to_next_purchase(params: dict[str, float], x, t_x, T) -> np.ndarray:
    """The t at which P(a purchase within t days) reaches 1/2; NaN when P(alive) <= 1/2 (the
    model gives less than an even chance of any further purchase)."""
    r, alpha = params["r"], params["alpha"]
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    alive = bg_nbd_probability_alive(params, x, t_x, T)
    with np.errstate(invalid="ignore", divide="ignore"):
        days = (alpha + T) * np.expm1(-np.log1p(-0.5 / alive) / (r + x))
    return np.where(alive > 0.5, days, np.nan)


# ---------------------------------------------------------------------------------------
# Gamma-Gamma
# ---------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood(
    params: np.ndarray,
    x: np.ndarray,
    m: np.ndarray,
    prepared: tuple[tuple[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-pair log-likelihood and its gradient with respect to (p, q, v). As in
    bg_nbd_log_likelihood, the terms of x alone are evaluated once per distinct x; `prepared`
    is (distinct_values(x), np.log(m)), computed here when not given. The result is the
    elementwise formula's, to the last bit."""
    p, q, v = params
    (x_values, at_x), log_m = prepared or (distinct_values(x), np.log(m))
    px_values = p * x_values
    px = px_values[at_x]
    px_q = (px_values + q)[at_x]
    xm_v = x * m + v
    log_xm_v = np.log(xm_v)
    psi_px_q_values = special.digamma(px_values + q)
    ll = (
        (special.gammaln(px_values + q) - special.gammaln(px_values) - special.gammaln(q) + q * math.log(v))[at_x]
        + (px - 1) * log_m
        + (px_values * np.log(x_values))[at_x]
        - px_q * log_xm_v
    )
    d_p = x * ((psi_px_q_values - special.digamma(px_values))[at_x] + log_m + np.log(x_values)[at_x] - log_xm_v)
    d_q = (psi_px_q_values - special.digamma(q) + math.log(v))[at_x] - log_xm_v
    d_v = q / v - px_q / xm_v
    return ll, np.vstack([d_p, d_q, d_v])


def fit_gamma_gamma(
    x: np.ndarray,
    m: np.ndarray,
    weights: np.ndarray | None = None,
    min_customers: int = DEFAULT_MIN_REPEAT_CUSTOMERS,
) -> Fit:
    """Maximum-likelihood Gamma-Gamma on the repeat customers (x > 0, m > 0)."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    weights = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    keep = (x > 0) & (m > 0) & (weights > 0)
    x, m, weights = x[keep], m[keep], weights[keep]
    customers = int(round(weights.sum()))
    if len(x):
        (x, m), weights = distinct_tuples(x, m, weights=weights)
    fit = Fit("gamma_gamma", "", None, None, customers, len(x))
    if customers < min_customers:
        fit.status = "too_few_repeat_customers"
        fit.message = f"{customers} customers with a repeat purchase of positive value, fewer than {min_customers}"
        return fit
    if np.unique(m).size < 2:
        fit.status, fit.message = "no_spend_variation", "every repeat customer has the same mean value"
        return fit
    total = weights.sum()
    prepared = (distinct_values(x), np.log(m))

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        ll, grad = gamma_gamma_log_likelihood(params, x, m, prepared)
        value = -(weights @ ll) / total
        if not np.isfinite(value):
            return 1e100, np.zeros(3)
        return float(value), -(grad @ weights) / total * params

    mean_m = float(weights @ m / total)
    start = np.log(np.array([2.0, 3.0, mean_m]))
    with np.errstate(all="ignore"):
        result = _minimise(objective, start)
    status, message = _judge(result, GAMMA_GAMMA_PARAMETERS)
    fit.status, fit.message, fit.iterations = status, message, int(result.nit)
    if status == FITTED:
        params = dict(zip(GAMMA_GAMMA_PARAMETERS, map(float, np.exp(result.x)), strict=True))
        if params["q"] <= 1:
            fit.status = "q_not_above_1"
            fit.message = f"q = {params['q']:.4g}: the expected spend (v p / (q - 1)) is undefined"
            return fit
        fit.parameters = params
        fit.log_likelihood = float(-result.fun * total)
    return fit


def gamma_gamma_expected_value(params: dict[str, float], x, m) -> np.ndarray:
    """E[M | x, m]: (p v + p x m) / (p x + q - 1); the population mean p v / (q - 1) at x = 0."""
    p, q, v = (params[k] for k in GAMMA_GAMMA_PARAMETERS)
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    return (p * v + p * x * np.where(x > 0, m, 0.0)) / (p * x + q - 1)


# ---------------------------------------------------------------------------------------
# The rows of marts.clv_model_fit
# ---------------------------------------------------------------------------------------

FIT_COLUMNS = (
    "model_name",
    "parameter_name",
    "parameter_value",
    "fit_status",
    "fit_message",
    "customers",
    "distinct_tuples",
)


def fit_rows(bg_nbd: Fit, gamma_gamma: Fit) -> dict[str, list]:
    """Columns of clv_model_fit: one row per (model, parameter), log_likelihood included;
    every value null when the model's fit failed (its status says why)."""
    columns: dict[str, list] = {name: [] for name in FIT_COLUMNS}
    for fit, names in ((bg_nbd, BG_NBD_PARAMETERS), (gamma_gamma, GAMMA_GAMMA_PARAMETERS)):
        values = dict(fit.parameters or {})
        values["log_likelihood"] = fit.log_likelihood
        for name in (*names, "log_likelihood"):
            value = values.get(name) if fit.ok else None
            columns["model_name"].append(fit.model)
            columns["parameter_name"].append(name)
            columns["parameter_value"].append(value)
            columns["fit_status"].append(fit.status)
            columns["fit_message"].append(fit.message)
            columns["customers"].append(fit.customers)
            columns["distinct_tuples"].append(fit.distinct_tuples)
    return columns


def parameters_var(bg_nbd: Fit, gamma_gamma: Fit) -> dict[str, dict[str, float]]:
    """The fit as the value of the dbt var `clv_parameters` (the SQL path of PostgreSQL and
    Spark): {"bg_nbd": {"r": ..., "alpha": ..., "a": ..., "b": ...}, "gamma_gamma": {...}}."""
    result: dict[str, dict[str, float]] = {}
    for fit in (bg_nbd, gamma_gamma):
        if fit.ok and fit.parameters is not None:
            result[fit.model] = dict(fit.parameters)
    return result


# ---------------------------------------------------------------------------------------
# Synthetic customers (benchmark, tests)
# ---------------------------------------------------------------------------------------


def simulate_bg_nbd(
    n: int,
    params: dict[str, float],
    max_age_days: int = 730,
    seed: int = 0,
    spend: dict[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """n customers drawn from the BG/NBD (and, with spend, Gamma-Gamma) model, first purchases
    spread uniformly over the last max_age_days days; integer days as in the warehouse."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    lam = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    T = rng.integers(0, max_age_days + 1, n).astype(float)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    last_day = np.zeros(n)
    # purchase by purchase for every customer at once; a customer stops at dropout or at T
    while alive.any():
        index = np.flatnonzero(alive)
        clock[index] += rng.exponential(1.0 / np.maximum(lam[index], 1e-12))
        in_window = clock[index] <= T[index]
        buyers = index[in_window]
        day = np.floor(clock[buyers])
        new_day = day > last_day[buyers]  # purchases on the same day are one purchase
        x[buyers] += new_day
        last_day[buyers] = np.where(new_day, day, last_day[buyers])
        t_x[buyers] = last_day[buyers]
        alive[index[~in_window]] = False
        survivors = rng.random(len(buyers)) >= drop[buyers]
        alive[buyers[~survivors]] = False
    result = {"x": x, "t_x": t_x, "T": T}
    if spend is not None:
        p, q, v = (spend[k] for k in GAMMA_GAMMA_PARAMETERS)
        nu = rng.gamma(q, 1.0 / v, n)
        shape = p * np.maximum(x, 1)
        # the mean of x Gamma(p, nu) draws is Gamma(p x, x nu)
        result["m"] = np.where(x > 0, rng.gamma(shape, 1.0 / (nu * np.maximum(x, 1))), 0.0)
    return result

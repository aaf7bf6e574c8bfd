"""The predictions as dbt builds them (DuckDB), against the Python code they come from.

One build of the prediction models and their upstream on the demo shop, and two small
rebuilds of the prediction models alone on copies of finished warehouses:
- the demo shop, fitted by the Python model (the DuckDB path): the parameters equal a fit of
  the built summary by plugins/personas_clv.py, and every prediction computed by the SQL of
  fct_customer_predictions equals the Python formulas (scipy's hyp2f1 for the series);
- a copy of it rebuilt with var clv_parameters (the path of PostgreSQL and Spark, run on
  DuckDB): the SQL clv_model_fit carries the given parameters, the predictions again equal
  the Python formulas, and both segments hold exactly the profiles their rules select;
- a copy of the end_to_end fixture's build (11 profiles: too few buyers to fit) rebuilt with
  its data tests: the build passes, every prediction is null with its reason, dbt warns.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import sys

import numpy as np
import pytest

from conftest import PROJECT_DIR, DbtRun, declare_build, run_dbt

# Left out of `make test-fast` and the pull-request CI (a build of the demo shop and two rebuilds).
pytestmark = pytest.mark.slow

sys.path.insert(0, str(PROJECT_DIR / "plugins"))
import personas_clv as clv  # noqa: E402  (the model's code lives in plugins/)

PREDICTION_MODELS = ["+fct_customer_predictions", "+seg_at_risk_vips", "+seg_likely_to_buy_soon"]
# CDNOW's parameters (Fader, Hardie & Lee 2005), alpha in days: customers who do churn, so that
# the at-risk segment has members on the demo shop (whose own fit finds almost no dropout).
GIVEN = {
    "bg_nbd": {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 150.0},
}
FITTED = declare_build(None, select=PREDICTION_MODELS)
# Rebuilt on a copy of a finished warehouse: the fit, the predictions and the two segments.
REBUILT = ["clv_model_fit", "fct_customer_predictions", "seg_at_risk_vips", "seg_likely_to_buy_soon"]


def rebuild_copy(source: DbtRun, workdir, vars: dict, data_tests: bool, label: str) -> DbtRun:
    """Copy source's warehouse into workdir and `dbt build` the prediction models there."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source.database, workdir / "personas.duckdb")
    excluded = ["unit_test"] if data_tests else ["unit_test", "test"]
    args = ["build", "--select", *REBUILT]
    for resource_type in excluded:
        args += ["--exclude-resource-type", resource_type]
    return run_dbt(args, workdir=workdir, vars={**source.vars, **vars, "publish": False}, label=label)


@pytest.fixture(scope="module")
def from_var(dbt_build, tmp_path_factory) -> DbtRun:
    fitted = dbt_build(FITTED).check()
    return rebuild_copy(fitted, tmp_path_factory.mktemp("clv_from_var"), {"clv_parameters": GIVEN}, False,
                        "predictions from var clv_parameters (copy of the demo build)").check()


@pytest.fixture(scope="module")
def degenerate(full_fixture_build, tmp_path_factory) -> DbtRun:
    full_fixture_build.check(models=["fct_rfm"])
    return rebuild_copy(full_fixture_build, tmp_path_factory.mktemp("clv_degenerate"), {}, True,
                        "predictions of the end_to_end build, with data tests").check()


def parameters(build: DbtRun) -> tuple[dict[str, float], dict[str, float], set[str]]:
    rows = build.query("select model_name, parameter_name, parameter_value, fit_status from marts.clv_model_fit")
    values = {(model, name): value for model, name, value, _ in rows}
    bg_nbd = {name: values[("bg_nbd", name)] for name in clv.BG_NBD_PARAMETERS}
    gamma_gamma = {name: values[("gamma_gamma", name)] for name in clv.GAMMA_GAMMA_PARAMETERS}
    return bg_nbd, gamma_gamma, {status for *_, status in rows}


def assert_predictions_equal_python(build: DbtRun) -> int:
    bg_nbd, gamma_gamma, _ = parameters(build)
    rows = build.query_dicts("select * from marts.fct_customer_predictions order by profile_id")
    assert rows and all(row["prediction_status"] == "predicted" for row in rows)
    as_of = build.query("select max(last_purchase_on) from intermediate.int_clv_customer_summary")[0][0]
    horizon = rows[0]["horizon_days"]
    x, t_x, T = (np.array([row[k] for row in rows], float) for k in ("frequency", "recency_days", "age_days"))
    m = np.array([row["repeat_monetary_value"] or 0.0 for row in rows])
    expected = {
        "probability_alive": clv.bg_nbd_probability_alive(bg_nbd, x, t_x, T),
        "expected_purchases": clv.bg_nbd_expected_purchases(bg_nbd, horizon, x, t_x, T),
        "probability_of_purchase": clv.bg_nbd_probability_of_purchase(bg_nbd, horizon, x, t_x, T),
        "expected_order_value": clv.gamma_gamma_expected_value(gamma_gamma, x, m),
        "days_to_next_order": clv.bg_nbd_median_days_to_next_purchase(bg_nbd, x, t_x, T),
    }
    expected["predicted_clv"] = expected["expected_purchases"] * expected["expected_order_value"]
    for column, values in expected.items():
        built = np.array([np.nan if row[column] is None else row[column] for row in rows], float)
        np.testing.assert_allclose(built, values, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=column)
    # D: the demo's latest staged day, which may be later than the last purchase
    d = build.query("select as_of_date from intermediate.int_as_of_date")[0][0]
    assert d >= as_of
    for row, days in zip(rows, expected["days_to_next_order"], strict=True):
        want = None if np.isnan(days) else d + dt.timedelta(days=math.ceil(days))
        assert row["expected_next_order_on"] == want, row["profile_id"]
    return len(rows)


def test_python_fit_in_the_build_equals_the_package(dbt_build) -> None:
    build = dbt_build(FITTED).check()
    bg_nbd, gamma_gamma, statuses = parameters(build)
    assert statuses == {"fitted"}
    summary = build.query_dicts("select * from intermediate.int_clv_customer_summary")
    x, t_x, T = (np.array([row[k] for row in summary], float) for k in ("frequency", "recency_days", "age_days"))
    fit = clv.fit_bg_nbd(x, t_x, T)
    for name in clv.BG_NBD_PARAMETERS:
        assert bg_nbd[name] == pytest.approx(fit.parameters[name], rel=1e-6), name
    m = np.array([row["repeat_monetary_value"] or 0.0 for row in summary])
    spend = clv.fit_gamma_gamma(x, m)
    for name in clv.GAMMA_GAMMA_PARAMETERS:
        assert gamma_gamma[name] == pytest.approx(spend.parameters[name], rel=1e-6), name
    counts = build.query(
        "select model_name, customers from marts.clv_model_fit where parameter_name = 'log_likelihood'"
    )
    assert dict(counts) == {"bg_nbd": len(summary), "gamma_gamma": int((x > 0).sum())}


def test_sql_predictions_equal_python_after_the_python_fit(dbt_build) -> None:
    build = dbt_build(FITTED).check()
    population = build.query("select count(*) from marts.fct_rfm where is_in_rfm_population")[0][0]
    assert assert_predictions_equal_python(build) == population


def test_parameters_from_var_take_the_sql_path(from_var: DbtRun) -> None:
    build = from_var
    bg_nbd, gamma_gamma, statuses = parameters(build)
    assert statuses == {"from_var"}
    assert bg_nbd == pytest.approx(GIVEN["bg_nbd"]) and gamma_gamma == pytest.approx(GIVEN["gamma_gamma"])
    assert_predictions_equal_python(build)


def test_segments_hold_what_their_rules_select(from_var: DbtRun) -> None:
    build = from_var
    rows = build.query_dicts(
        "select p.*, d.is_email_consented from marts.fct_customer_predictions p"
        " join marts.dim_profiles d using (profile_id)"
    )
    clvs = sorted((row["predicted_clv"] for row in rows), reverse=True)
    # top 20 % by rank (ties share the lowest rank), alive below 0.5, consented
    at_risk = {
        row["profile_id"] for row in rows
        if 100 * (1 + sum(value > row["predicted_clv"] for value in clvs)) <= 20 * len(clvs)
        and row["probability_alive"] < 0.5 and row["is_email_consented"]
    }
    d = build.query("select as_of_date from intermediate.int_as_of_date")[0][0]
    soon = {
        row["profile_id"] for row in rows
        if row["expected_next_order_on"] is not None and row["expected_next_order_on"] <= d + dt.timedelta(days=30)
        and row["is_email_consented"]
    }
    assert at_risk and soon, "the comparison needs members in both segments"
    assert {r[0] for r in build.query("select profile_id from marts.seg_at_risk_vips")} == at_risk
    assert {r[0] for r in build.query("select profile_id from marts.seg_likely_to_buy_soon")} == soon


def test_too_few_buyers_give_null_predictions_and_a_warning(degenerate: DbtRun) -> None:
    build = degenerate
    _, _, statuses = parameters(build)
    assert statuses == {"too_few_customers", "too_few_repeat_customers"}
    rows = build.query_dicts("select * from marts.fct_customer_predictions")
    assert rows
    for row in rows:
        assert row["prediction_status"] == "bg_nbd_too_few_customers"
        assert row["probability_alive"] is None and row["predicted_clv"] is None
        assert row["expected_next_order_on"] is None
    assert build.query("select count(*) from marts.seg_at_risk_vips")[0][0] == 0
    assert "WARN" in build.output and "clv_model_fit_succeeded" in build.output

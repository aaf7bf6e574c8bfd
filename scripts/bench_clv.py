"""Time the BG/NBD and Gamma-Gamma fits of clv_model_fit on synthetic customers.

    .venv/bin/python scripts/bench_clv.py --customers 1000000

Draws the customers from the models themselves (plugins/personas_clv.py: simulate_bg_nbd,
first purchases spread over two years, integer days as in the warehouse), then times what the
dbt Python model does: group into distinct (x, t_x, T) triples and (x, m) pairs, and fit.
Prints the figures as a Markdown table (docs/benchmarks.md, docs/predictions.md). The fit of a
1M-customer shop must take under 60 s (issue 16). scripts/bench.py calls bench().
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
import personas_clv as clv  # noqa: E402

TRUE_BG_NBD = {"r": 0.6, "alpha": 40.0, "a": 0.8, "b": 2.5}
TRUE_GAMMA_GAMMA = {"p": 5.0, "q": 4.0, "v": 60.0}


def bench(customers: int, seed: int = 0) -> dict[str, float]:
    started = time.perf_counter()
    data = clv.simulate_bg_nbd(customers, TRUE_BG_NBD, max_age_days=730, seed=seed, spend=TRUE_GAMMA_GAMMA)
    # spend rounded to the cent, as the warehouse stores it
    data["m"] = np.round(data["m"], 2)
    simulated = time.perf_counter()
    (x, t_x, T), weights = clv.distinct_tuples(data["x"], data["t_x"], data["T"])
    repeat = data["x"] > 0
    (gx, gm), gweights = clv.distinct_tuples(data["x"][repeat], data["m"][repeat])
    grouped = time.perf_counter()
    bg_nbd = clv.fit_bg_nbd(x, t_x, T, weights=weights)
    fitted_bg_nbd = time.perf_counter()
    gamma_gamma = clv.fit_gamma_gamma(gx, gm, weights=gweights)
    fitted = time.perf_counter()
    return {
        "customers": customers,
        "triples": len(x),
        "spend_pairs": len(gx),
        "simulate_s": simulated - started,
        "group_s": grouped - simulated,
        "bg_nbd_fit_s": fitted_bg_nbd - grouped,
        "gamma_gamma_fit_s": fitted - fitted_bg_nbd,
        "fit_total_s": fitted - simulated,
        "bg_nbd_status": bg_nbd.status,
        "gamma_gamma_status": gamma_gamma.status,
        **{f"bg_nbd_{k}": v for k, v in (bg_nbd.parameters or {}).items()},
        **{f"gamma_gamma_{k}": v for k, v in (gamma_gamma.parameters or {}).items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = bench(args.customers, args.seed)
    print("| figure | value |")
    print("|---|---|")
    for key, value in result.items():
        print(f"| {key} | {value:.4g} |" if isinstance(value, float) else f"| {key} | {value} |")
    if result["fit_total_s"] >= 60:
        raise SystemExit(f"the fit took {result['fit_total_s']:.1f} s, over the 60 s limit")


if __name__ == "__main__":
    main()

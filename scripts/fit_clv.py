"""Fit BG/NBD and Gamma-Gamma with the model's own code and print the dbt var clv_parameters.

PostgreSQL and Spark run no dbt Python models, so there fct_customer_predictions reads its
parameters from var clv_parameters (models/marts/predictions/fit_sql/clv_model_fit.sql).
This computes them, with plugins/personas_clv.py (the code of the DuckDB Python model), from
the model inputs of one build, `intermediate.int_clv_customer_summary`, exported as CSV or
Parquet from any engine, or read from a DuckDB warehouse:

    .venv/bin/python scripts/fit_clv.py --summary summary.csv > clv_parameters.json
    .venv/bin/python scripts/fit_clv.py --duckdb personas.duckdb
    dbt build --target postgres --vars "{clv_parameters: $(cat clv_parameters.json)}"

Exits non-zero, saying why, when a model cannot be fitted (too few buyers, nobody repeating).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))
import personas_clv as clv  # noqa: E402

TRIPLES = """
select cast(frequency as double) as x, cast(recency_days as double) as t_x,
    cast(age_days as double) as t, count(*) as customers
from {source} group by frequency, recency_days, age_days
"""
SPENDS = """
select cast(frequency as double) as x, cast(repeat_monetary_value as double) as m, count(*) as customers
from {source} where frequency > 0 and repeat_monetary_value > 0 group by frequency, repeat_monetary_value
"""


def fit(connection: duckdb.DuckDBPyConnection, source: str, min_customers: int) -> tuple[clv.Fit, clv.Fit]:
    triples = connection.sql(TRIPLES.format(source=source)).fetchnumpy()
    spends = connection.sql(SPENDS.format(source=source)).fetchnumpy()
    column = lambda data, name: np.asarray(data[name], dtype=float)  # noqa: E731
    bg_nbd = clv.fit_bg_nbd(column(triples, "x"), column(triples, "t_x"), column(triples, "t"),
                            weights=column(triples, "customers"), min_customers=min_customers)
    gamma_gamma = clv.fit_gamma_gamma(column(spends, "x"), column(spends, "m"),
                                      weights=column(spends, "customers"), min_customers=min_customers)
    return bg_nbd, gamma_gamma


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--summary", help="int_clv_customer_summary exported as .csv or .parquet")
    source.add_argument("--duckdb", help="a DuckDB warehouse holding intermediate.int_clv_customer_summary")
    parser.add_argument("--min-customers", type=int, default=clv.DEFAULT_MIN_CUSTOMERS)
    args = parser.parse_args()
    if args.duckdb:
        connection = duckdb.connect(args.duckdb, read_only=True)
        relation = "intermediate.int_clv_customer_summary"
    else:
        connection = duckdb.connect()
        relation = "(select * from '" + args.summary.replace("'", "''") + "')"
    bg_nbd, gamma_gamma = fit(connection, relation, args.min_customers)
    for result in (bg_nbd, gamma_gamma):
        print(f"{result.model}: {result.status} on {result.customers} customers "
              f"({result.distinct_tuples} distinct tuples) {result.message}", file=sys.stderr)
    if not (bg_nbd.ok and gamma_gamma.ok):
        raise SystemExit("no usable fit: predictions stay null (see the statuses above)")
    print(json.dumps(clv.parameters_var(bg_nbd, gamma_gamma)))


if __name__ == "__main__":
    main()

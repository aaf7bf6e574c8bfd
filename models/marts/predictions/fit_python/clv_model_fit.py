"""The BG/NBD and Gamma-Gamma fits of the buyers up to D (DuckDB: dbt-duckdb runs Python
models in the dbt process). One row per (model, parameter); the maths is in
plugins/personas_clv.py, on the import path through profiles.yml's module_paths.

Fitted on the distinct (x, t_x, T) triples and (x, m) pairs with their customer counts, not
one row per customer. On other engines, and on DuckDB when var clv_parameters is set, the
SQL model of the same name in ../fit_sql/ is built instead (docs/predictions.md).
"""

import personas_clv
import pyarrow as pa

UNITS = {"alpha": "days", "v": "currency"}


def _column(table, name):
    return table.column(name).to_numpy(zero_copy_only=False)


# The tuples are sorted: a parallel group by returns them in any order, and the likelihood's
# floating-point sums (so the fitted digits) would follow it from one build to the next.
def model(dbt, session):
    dbt.config(materialized="table")
    min_customers = int(dbt.config.get("clv_min_customers"))
    summary = dbt.ref("int_clv_customer_summary")
    triples = summary.query(
        "clv_summary",
        "select cast(frequency as double) as x, cast(recency_days as double) as t_x,"
        " cast(age_days as double) as t, count(*) as customers"
        " from clv_summary group by frequency, recency_days, age_days order by 1, 2, 3",
    ).to_arrow_table()
    spends = summary.query(
        "clv_summary",
        "select cast(frequency as double) as x, repeat_monetary_value as m, count(*) as customers"
        " from clv_summary where frequency > 0 and repeat_monetary_value > 0"
        " group by frequency, repeat_monetary_value order by 1, 2",
    ).to_arrow_table()
    bg_nbd = personas_clv.fit_bg_nbd(
        _column(triples, "x"), _column(triples, "t_x"), _column(triples, "t"),
        weights=_column(triples, "customers"), min_customers=min_customers,
    )
    gamma_gamma = personas_clv.fit_gamma_gamma(
        _column(spends, "x"), _column(spends, "m"),
        weights=_column(spends, "customers"), min_customers=min_customers,
    )
    rows = personas_clv.fit_rows(bg_nbd, gamma_gamma)
    rows["parameter_unit"] = [UNITS.get(name) for name in rows["parameter_name"]]
    return pa.table(
        {
            "model_name": pa.array(rows["model_name"], pa.string()),
            "parameter_name": pa.array(rows["parameter_name"], pa.string()),
            "parameter_value": pa.array(rows["parameter_value"], pa.float64()),
            "parameter_unit": pa.array(rows["parameter_unit"], pa.string()),
            "fit_status": pa.array(rows["fit_status"], pa.string()),
            "fit_message": pa.array(rows["fit_message"], pa.string()),
            "customers": pa.array(rows["customers"], pa.int64()),
            "distinct_tuples": pa.array(rows["distinct_tuples"], pa.int64()),
        }
    )

"""The demo generator's planted BG/NBD process is recovered by the project's SQL and fit."""

import duckdb
import polars as pl

from dagster_project.analysis.clv import fit_bgnbd
from dagster_project.demo.generator import PLANTED, Demo, DemoConfig
from dagster_project.transform.dbt_cli import run_dbt_models

# Tolerances: same-day purchases are merged (the BG/NBD convention) and bad support
# experiences add churn on top of the planted dropout, so the fit is close but not exact.
# Measured on seeds 1 and 2 with 5,000 customers: r +3%, alpha +11%, a +18%, b +16..21%,
# mean weekly rate -6..-8%, mean dropout probability -2..+2%.
RELATIVE_TOLERANCE = {
    "r": 0.15,
    "alpha": 0.25,
    "a": 0.35,
    "b": 0.40,
    "mean_rate": 0.12,
    "mean_dropout": 0.12,
}


def test_planted_bgnbd_parameters_are_recovered(tmp_path):
    demo = Demo(DemoConfig(customers=5000, seed=1))
    purchases, _ = demo.customer_purchases(demo.customers())
    tx = pl.DataFrame(  # noqa: F841 (DuckDB reads it by name below)
        {
            "customer_key": [p[0] for p in purchases],
            "transaction_date": [p[1] for p in purchases],
        }
    )
    warehouse = tmp_path / "demo.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.fct_pos_transactions AS SELECT customer_key, transaction_date, "
        "5.0 AS net_sales, false AS is_refund FROM tx"
    )
    con.close()
    run_dbt_models(
        warehouse,
        "int_customer_days_aggregated int_clv_dates int_clv_summary_full",
        tmp_path / "target",
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    s = con.sql(
        "SELECT frequency, recency_weeks, age_weeks FROM intermediate.int_clv_summary_full"
    ).pl()
    con.close()
    fit = fit_bgnbd(s["frequency"], s["recency_weeks"], s["age_weeks"])
    bg = PLANTED["bgnbd"]
    planted = {"r": bg["r"], "alpha": bg["alpha_days"] / 7, "a": bg["a"], "b": bg["b"]}
    planted["mean_rate"] = planted["r"] / planted["alpha"]
    planted["mean_dropout"] = planted["a"] / (planted["a"] + planted["b"])
    fitted = {
        "r": fit.r,
        "alpha": fit.alpha,
        "a": fit.a,
        "b": fit.b,
        "mean_rate": fit.r / fit.alpha,
        "mean_dropout": fit.a / (fit.a + fit.b),
    }
    print("\nplanted vs fitted (weeks):")
    for name, tol in RELATIVE_TOLERANCE.items():
        error = fitted[name] / planted[name] - 1
        print(f"  {name:12s} planted {planted[name]:.4f} fitted {fitted[name]:.4f} ({error:+.1%})")
        assert abs(error) <= tol, (name, planted[name], fitted[name])

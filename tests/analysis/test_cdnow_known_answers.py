"""Known answers on the CDNOW 1/10 sample (Fader, Hardie & Lee 2005; Fader & Hardie 2013)."""

import duckdb
import numpy as np
import polars as pl
import pytest

from dagster_project.analysis.clv import (
    bgnbd_expected_purchases,
    bgnbd_p_alive,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_expected_value,
)
from dagster_project.transform.dbt_cli import run_dbt_models
from tests.conftest import ROOT

CDNOW = ROOT / "tests/fixtures/cdnow"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def summary() -> pl.DataFrame:
    return pl.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")


def test_bgnbd_fit_reproduces_the_published_parameters(summary, capsys):
    fit = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    lines = ["", "BG/NBD on CDNOW     fitted   published"]
    for name, published in PUBLISHED_BGNBD.items():
        decimals = 1 if name == "log_likelihood" else 3
        lines.append(f"  {name:15s} {getattr(fit, name):10.4f} {published:11.{decimals}f}")
    with capsys.disabled():
        print("\n".join(lines))
    for name, published in PUBLISHED_BGNBD.items():
        decimals = 1 if name == "log_likelihood" else 3
        assert round(getattr(fit, name), decimals) == published, name
    assert fit.n_customers == 2357


def test_gamma_gamma_fit_reproduces_the_published_parameters(summary, capsys):
    fit = fit_gamma_gamma(summary["x"], summary["zbar"])
    lines = ["", "Gamma-Gamma on CDNOW   fitted   published"]
    lines += [f"  {n:8s} {getattr(fit, n):9.4f} {v:9.2f}" for n, v in PUBLISHED_GG.items()]
    with capsys.disabled():
        print("\n".join(lines))
    for name, published in PUBLISHED_GG.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.005), name
    assert fit.n_customers == 946


def test_conditional_expectation_and_p_alive(summary, capsys):
    fit = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    expected = bgnbd_expected_purchases(fit, 39, np.array([2.0]), 30.43, 38.86)[0]
    with capsys.disabled():
        print(f"\nE[Y(39) | x=2, t_x=30.43, T=38.86] = {expected:.4f} (published 1.226)")
    assert round(expected, 3) == 1.226
    # a customer with no repeat purchase is alive with certainty under BG/NBD
    assert bgnbd_p_alive(fit, np.array([0.0]), 0.0, 38.86)[0] == 1.0
    # long silence after a busy start lowers P(alive)
    assert bgnbd_p_alive(fit, np.array([5.0]), 5.0, 38.86)[0] < 0.2


def test_gamma_gamma_expected_value_shrinks_to_the_population_mean(summary):
    fit = fit_gamma_gamma(summary["x"], summary["zbar"])
    population = fit.p * fit.gamma / (fit.q - 1)
    one, many = gamma_gamma_expected_value(fit, [1, 50], [100.0, 100.0])
    assert population < one < many < 100.0


def test_the_projects_sql_builds_the_published_summary_from_raw_purchases(tmp_path):
    """int_customer_days_aggregated + int_clv_summary_calibration on CDNOW_sample.txt."""
    fields = [line.split() for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines()]
    raw = pl.DataFrame(
        {
            "customer": [int(f[1]) for f in fields],
            "date": [f[2] for f in fields],
            "value": [float(f[4]) for f in fields],
        }
    )
    assert raw.height == 6919
    warehouse = tmp_path / "cdnow.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.fct_pos_transactions AS SELECT customer AS customer_key, "
        "strptime(date, '%Y%m%d')::DATE AS transaction_date, value AS net_sales, "
        "false AS is_refund FROM raw"
    )
    con.close()
    run_dbt_models(
        warehouse,
        "int_customer_days_aggregated int_clv_dates int_clv_summary_calibration",
        tmp_path / "target",
        "{clv_observation_end: '1998-06-30', clv_calibration_end: '1997-09-30'}",
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    ours = con.sql(
        "SELECT customer_key AS ID, frequency AS x, recency_weeks AS t_x, age_weeks AS T, "
        "coalesce(mean_repeat_value, 0) AS zbar "
        "FROM intermediate.int_clv_summary_calibration ORDER BY ID"
    ).pl()
    con.close()
    published = pl.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    assert ours.height == published.height == 2357
    for col in ["ID", "x"]:
        assert ours[col].cast(pl.Int64).to_list() == published[col].to_list(), col
    # the published file rounds to 2 decimals: each exact value lies within half a cent of it
    for col in ["t_x", "T", "zbar"]:
        diff = (ours[col].cast(pl.Float64) - published[col]).abs().max()
        assert diff <= 0.005 + 1e-9, (col, diff)

import duckdb
import pytest

from dagster_project.analysis.clv import FitError
from dagster_project.analysis.clv_runs import fit_and_record
from tests.conftest import ROOT

CDNOW = ROOT / "tests/fixtures/cdnow/cdnow_customers_summary_with_transactions.csv"


def make(con, frequency_zero=False):
    """Both summaries from the published CDNOW calibration summary."""
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    for name in ("int_clv_summary_calibration", "int_clv_summary_full"):
        con.execute(
            f"CREATE TABLE intermediate.{name} AS SELECT ID AS customer_key, "
            "DATE '1997-01-01' AS first_purchase_date, DATE '1997-09-30' AS period_end, "
            f"{'0' if frequency_zero else 'x'} AS frequency, t_x AS recency_weeks, "
            "T AS age_weeks, CASE WHEN x > 0 THEN zbar END AS mean_repeat_value "
            f"FROM read_csv('{CDNOW}')"
        )


def test_fits_are_recorded_once_and_reused_while_the_summary_is_unchanged():
    con = duckdb.connect()
    make(con)
    first = fit_and_record(con)
    assert [(o.purpose, o.model, o.reused) for o in first] == [
        ("calibration", "bgnbd", False),
        ("calibration", "gamma_gamma", False),
        ("full", "bgnbd", False),
        ("full", "gamma_gamma", False),
    ]
    again = fit_and_record(con)
    assert all(o.reused for o in again)
    assert [o.run_id for o in again] == [o.run_id for o in first]
    assert con.execute("SELECT count(*) FROM analysis.clv_model_runs").fetchall() == [(4,)]
    con.execute("UPDATE intermediate.int_clv_summary_full SET age_weeks = age_weeks + 1")
    third = fit_and_record(con)
    assert [o.reused for o in third] == [True, True, False, False]
    rows = con.execute(
        "SELECT run_id, n_customers, r IS NOT NULL, p IS NOT NULL "
        "FROM analysis.clv_model_runs ORDER BY run_seq"
    ).fetchall()
    assert (
        len(rows) == 6
        and rows[-2][1:] == (2357, True, False)
        and rows[-1][1:] == (946, False, True)
    )


def test_a_fit_that_cannot_work_fails_clearly_and_stores_nothing():
    con = duckdb.connect()
    make(con, frequency_zero=True)
    with pytest.raises(FitError, match="repeat purchases"):
        fit_and_record(con)
    assert con.execute("SELECT count(*) FROM analysis.clv_model_runs").fetchall() == [(0,)]

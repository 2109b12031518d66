"""Churn prediction that listens, on the published demo: judged on a held-out horizon against
P(alive) and the inactivity rule on the same customers, the demo's planted effect (a bad support
experience ends purchasing) recovered, nothing known after a cutoff in its features, and the
risk with its reasons in the at-risk list and the report."""

import datetime as dt
import shutil

import duckdb
import pytest

from dagster_project.demo.generator import PLANTED

METHODS = {"voice_and_purchases", "purchases_only", "p_alive", "inactivity_rule"}


def evaluation(home) -> dict[str, dict]:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        rows = con.sql("SELECT * FROM marts.kpi_churn_model_evaluation").fetchall()
        cols = [d[0] for d in con.sql("SELECT * FROM marts.kpi_churn_model_evaluation").description]
    finally:
        con.close()
    return {r[0]: dict(zip(cols, r, strict=True)) for r in rows}


def test_every_method_is_judged_on_the_same_held_out_customers(published_home):
    by = evaluation(published_home)
    assert set(by) == METHODS
    [(end,)] = published_home.query("SELECT observation_end FROM intermediate.int_clv_dates")
    for row in by.values():
        assert row["horizon_days"] == 90
        assert row["test_cutoff"] == end - dt.timedelta(days=90)
        assert row["train_cutoff"] == end - dt.timedelta(days=180)
    assert len({(r["customers"], r["churners"]) for r in by.values()}) == 1
    [(n, churned)] = published_home.query(
        "SELECT count(*), count(*) FILTER (WHERE churned) FROM "
        "intermediate.int_churn_features_at_cutoffs WHERE split = 'test' AND in_population"
    )
    assert (by["p_alive"]["customers"], by["p_alive"]["churners"]) == (n, churned)
    # the regression on purchase history beats both rules it replaces
    assert by["purchases_only"]["auc"] > by["p_alive"]["auc"] + 0.03
    assert by["purchases_only"]["auc"] > by["inactivity_rule"]["auc"] + 0.03
    for row in by.values():
        assert 0.5 < row["auc"] < 1 and row["auc_ci_low"] < row["auc"] < row["auc_ci_high"]
        assert row["top_decile_lift"] > 1
    calib = published_home.query(
        "SELECT method, sum(customers) FROM marts.kpi_churn_model_calibration GROUP BY 1"
    )
    assert dict(calib) == {m: n for m in METHODS}


def test_the_planted_bad_experiences_raise_churn_and_the_model_hears_them(published_home):
    """The demo ends a customer's purchasing at a bad ticket (slow first reply, CSAT 1-2) with
    probability PLANTED['bad_support_extra_churn']; NPS detractors get no such effect."""
    assert PLANTED["bad_support_extra_churn"] > 0
    by = evaluation(published_home)
    assert by["voice_and_purchases"]["voice_features"] > 0
    assert by["voice_and_purchases"]["auc"] > by["purchases_only"]["auc"]
    signals = {
        s: (n, lift, odds)
        for s, n, lift, odds in published_home.query(
            "SELECT signal, customers_with, lift, odds_ratio_per_sd "
            "FROM marts.kpi_churn_voice_signals"
        )
    }
    for planted in ("slow_reply", "unsatisfied_csat"):
        n, lift, odds = signals[planted]
        assert n >= 5 and lift > 1.2 and odds > 1, (planted, signals[planted])
    assert signals["nps_detractor"][1] < 1  # not planted: no lift


def _rewrite_the_future(db, cutoff: dt.date) -> None:
    """Everything dated after the end of ``cutoff`` changed: every later purchase moved to
    unknown customers, later NPS answers all 0, later texts all furious, later replies later
    still, ratings given after it all 1."""
    after = f"TIMESTAMP '{cutoff + dt.timedelta(days=1)}'"
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "UPDATE marts.fct_pos_transactions SET customer_key = md5(customer_key) "
            f"WHERE transaction_date > DATE '{cutoff}' AND customer_key IS NOT NULL"
        )
        con.execute(
            "UPDATE marts.fct_nps_responses SET score = 0, nps_category = 'detractor' "
            f"WHERE responded_at >= {after}"
        )
        con.execute(
            "UPDATE marts.fct_customer_texts SET compound = -0.99, sentiment_label = 'negative', "
            f"themes = ['waiting_time'] WHERE text_at >= {after}"
        )
        con.execute(
            "UPDATE marts.fct_support_tickets SET first_reply_minutes = first_reply_minutes + "
            f"100000 WHERE created_at + to_minutes(first_reply_minutes) >= {after}"
        )
        con.execute(
            "UPDATE marts.fct_support_tickets SET csat_score = 1, is_csat_satisfied = false, "
            f"solved_at = solved_at + INTERVAL 30 DAY WHERE solved_at >= {after}"
        )
    finally:
        con.close()


@pytest.mark.parametrize("split", ["train", "test"])
def test_no_feature_knows_anything_after_its_cutoff(published_home, tmp_path, split):
    copy = tmp_path / "warehouse.duckdb"  # same name: dbt's views name their database
    shutil.copyfile(published_home.warehouse, copy)
    query = (
        "SELECT * EXCLUDE (churned) FROM intermediate.int_churn_features_at_cutoffs "
        f"WHERE split = '{split}' ORDER BY customer_key"
    )
    labels = (
        "SELECT count(*) FILTER (WHERE churned) FROM intermediate.int_churn_features_at_cutoffs "
        f"WHERE split = '{split}'"
    )
    before, churned_before = published_home.query(query, copy), published_home.query(labels, copy)
    [(cutoff,)] = published_home.query(
        f"SELECT DISTINCT cutoff_date FROM intermediate.int_churn_features_at_cutoffs "
        f"WHERE split = '{split}'",
        copy,
    )
    _rewrite_the_future(copy, cutoff)
    after, churned_after = published_home.query(query, copy), published_home.query(labels, copy)
    assert len(before) > 100
    assert after == before
    # the rewrite did reach the outcome: every customer now stops buying after the cutoff
    assert churned_after != churned_before
    assert churned_after[0][0] == len(before)


def test_the_at_risk_list_carries_the_risk_and_its_reasons(published_home):
    rows = published_home.query(
        "SELECT churn_risk, is_high_churn_risk, churn_reasons, is_churned_inactive, "
        "is_model_at_risk FROM marts.rpt_customers_at_risk"
    )
    [(threshold,)] = published_home.query(
        "SELECT churn_risk_threshold FROM marts.kpi_customer_value_summary"
    )
    assert rows
    scored = [r for r in rows if r[0] is not None]
    assert scored and all(r[2] for r in scored if r[0] >= threshold)
    assert all(r[1] == (r[0] >= threshold) for r in scored)
    only_the_model = [r for r in rows if r[1] and not r[3] and not r[4]]
    assert only_the_model, "some valuable customers are on the list because of the prediction"
    [(n, k)] = published_home.query(
        "SELECT count(*), count(*) FILTER (WHERE churn_risk BETWEEN 0 AND 1) "
        "FROM marts.fct_customer_churn_risk"
    )
    [(active,)] = published_home.query(
        "SELECT count(*) FROM intermediate.int_churn_features_at_cutoffs "
        "WHERE split = 'score' AND in_population"
    )
    assert n == k == active


def test_the_customers_page_says_whether_listening_helps(published_home):
    page = (published_home.site / "customers.html").read_text()
    assert "Who will stop buying: does listening help?" in page
    assert "from purchases alone" in page
    assert "BG/NBD P(alive) alone" in page and "Inactivity rule" in page
    assert "Waited long for a first reply" in page
    assert 'id="chart-churn-calibration"' in page
    csv_head = (published_home.site / "customers_at_risk.csv").read_text().splitlines()[0]
    assert csv_head.endswith("Churn risk,Why")

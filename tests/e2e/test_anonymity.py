"""Anonymity of the pulse survey that cannot be subtracted: the subtraction attack on every
engagement breakdown the marts and the site expose. A store-month hidden for having too few
respondents must not be recoverable as the company figure minus the shown stores."""

import json
import re

import duckdb

MIN_GROUP = 5  # dbt var min_group_size
MEASURES = ("engagement_index", "enps")  # the ones the company total also shows


def recoverable(rows: list[dict], totals: dict, measure: str) -> list[tuple]:
    """What subtracting the shown stores from the company figure gives away: per month, the
    hidden stores (with respondents) whose answers the attack isolates to fewer than the
    minimum group (one hidden store alone, or hidden stores holding fewer than the minimum
    together while the company figure is shown)."""
    leaks = []
    for month in sorted({r["month"] for r in rows}):
        cells = [r for r in rows if r["month"] == month and r["survey_responses"] > 0]
        hidden = [r for r in cells if r[measure] is None]
        total = totals.get(month)
        if not hidden or total is None or total[measure] is None:
            continue
        shown_n = sum(r["survey_responses"] for r in cells if r[measure] is not None)
        hidden_n = total["survey_responses"] - shown_n
        if 0 < hidden_n < MIN_GROUP or len(hidden) == 1:
            residual = total[measure] * total["survey_responses"] - sum(
                r[measure] * r["survey_responses"] for r in cells if r[measure] is not None
            )
            leaks.append((month, [r["store_id"] for r in hidden], hidden_n, residual / hidden_n))
    return leaks


def rows_of(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_the_attack_finds_a_store_hidden_alone():
    """The check can fail: with the old rule (hide only the small store) it recovers the
    hidden store's mean exactly."""
    rows = [
        {"month": 1, "store_id": "a", "survey_responses": 2, "engagement_index": None},
        {"month": 1, "store_id": "b", "survey_responses": 6, "engagement_index": 4.0},
        {"month": 1, "store_id": "c", "survey_responses": 7, "engagement_index": 3.0},
    ]
    totals = {1: {"survey_responses": 15, "engagement_index": (2 * 2.5 + 24 + 21) / 15}}
    (leak,) = recoverable(rows, totals, "engagement_index")
    assert leak[1] == ["a"] and abs(leak[3] - 2.5) < 1e-9
    rows[1]["engagement_index"] = None  # complementary suppression: b hidden too (2 + 6 >= 5)
    assert recoverable(rows, totals, "engagement_index") == []


def test_no_hidden_engagement_figure_can_be_subtracted_out(published_home):
    con = duckdb.connect(str(published_home.analytics), read_only=True)
    try:
        totals = {
            r["month"]: r
            for r in rows_of(
                con,
                "SELECT month, survey_responses, engagement_index, enps "
                "FROM marts.kpi_company_monthly",
            )
        }
        stores = rows_of(
            con,
            "SELECT month, store_id, survey_responses, engagement_suppression, "
            + ", ".join(MEASURES)
            + " FROM marts.kpi_team_monthly",
        )
        panel = rows_of(
            con,
            "SELECT month, store_id, survey_responses, "
            + ", ".join(MEASURES)
            + " FROM marts.fct_team_outcomes_monthly",
        )
    finally:
        con.close()
    small = [r for r in stores if r["engagement_suppression"] == "small_group"]
    assert small, "the demo has no small group: the attack would prove nothing"
    assert any(r["engagement_suppression"] == "protects_small_group" for r in stores)
    for breakdown in (stores, panel):
        for measure in MEASURES:
            assert recoverable(breakdown, totals, measure) == [], measure
    # a hidden store-month shows no figure anywhere: not in the panel, not in the site's charts
    hidden = {
        (r["month"], r["store_id"]) for r in stores if r["engagement_suppression"] is not None
    }
    assert all(
        r["engagement_index"] is None for r in panel if (r["month"], r["store_id"]) in hidden
    )
    html = (published_home.site / "team.html").read_text()
    figure = json.loads(
        re.search(
            r'<script type="application/json" id="chart-team-engagement-data">(.*?)</script>',
            html,
            re.S,
        )[1].replace("<\\/", "</")
    )
    shown = sum(1 for t in figure["data"] for y in t["y"] if y is not None)
    assert shown == sum(1 for r in stores if r["engagement_index"] is not None)


def test_pulse_answers_cannot_be_joined_to_the_employees(published_home):
    """The respondents' keys are not the employees' keys: an analyst cannot join an answer to a
    role, a hire date or a store's only baker."""
    joined = published_home.query(
        "SELECT count(*) FROM staging.stg_hr__engagement_responses AS r "
        "INNER JOIN marts.dim_employees AS e ON e.employee_key = r.respondent_key",
        published_home.analytics,
    )
    answers = published_home.query(
        "SELECT count(respondent_key) FROM staging.stg_hr__engagement_responses",
        published_home.analytics,
    )
    assert answers[0][0] > 0 and joined == [(0,)]

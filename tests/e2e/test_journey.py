"""The customer journey on the published demo: online reviews on two platforms and the survey's
effort question load with every row accounted for, the journey marts find the hotspot the demo
planted (getting help at Market Square became hard in October 2026: reopened tickets about a
card machine charging twice), and the empathy score adds up from its parts."""

import csv
import json

from dagster_project.demo.generator import PLANTED

PLANT = PLANTED["support_effort_hotspot"]
OCTOBER = "DATE '2026-10-01'"


def test_every_review_row_is_loaded_or_rejected(published_home):
    """The demo writes its reviews as the platforms export them: Google's as JSON, Trustpilot's
    as its CSV download."""
    folder = published_home.landing / "online_reviews"
    google = sorted(folder.glob("google_reviews_*.json"))
    trustpilot = sorted(folder.glob("trustpilot_reviews_*.csv"))
    assert google and trustpilot
    files = google + trustpilot
    written = sum(len(json.loads(f.read_text())["reviews"]) for f in google) + sum(
        sum(1 for _ in csv.DictReader(f.open(encoding="utf-8-sig"))) for f in trustpilot
    )
    ledger = published_home.query(
        "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected), count(*) "
        "FROM raw.ingest_ledger WHERE source = 'online_reviews'"
    )[0]
    assert ledger == (written, written, 0, len(files))
    formats = published_home.query(
        "SELECT DISTINCT regexp_extract(message, 'format (\\w+)', 1) FROM raw.ingest_ledger "
        "WHERE source = 'online_reviews' ORDER BY 1"
    )
    assert formats == [("google_business_reviews",), ("trustpilot_reviews",)]
    platforms = published_home.query(
        "SELECT platform, count(*), count(store_id) FROM staging.stg_reviews__reviews "
        "GROUP BY 1 ORDER BY 1"
    )
    assert [p for p, _, _ in platforms] == ["google", "trustpilot"]
    assert platforms[1][2] == 0  # Trustpilot reviews the business, not a store
    # reviews are customer texts: scored and themed like the others
    assert published_home.query(
        "SELECT count(*) > 0 FROM marts.fct_customer_texts WHERE source = 'review'"
    ) == [(True,)]


def test_the_effort_question_and_the_ticket_proxy_reach_the_journey(published_home):
    (answered, share_easy_promoters, share_easy_detractors) = published_home.query(
        "SELECT count(effort_score), "
        "avg(is_effort_easy::int) FILTER (WHERE nps_category = 'promoter'), "
        "avg(is_effort_easy::int) FILTER (WHERE nps_category = 'detractor') "
        "FROM marts.fct_nps_responses"
    )[0]
    assert answered > 0
    assert share_easy_promoters > share_easy_detractors  # effort goes with how people feel
    assert (
        published_home.query(
            "SELECT count(*) FROM marts.fct_journey_events WHERE stage = 'get_help' "
            "AND is_high_effort IS NOT NULL"
        )[0][0]
        > 0
    )


def test_the_journey_finds_the_planted_hotspot(published_home):
    # among the store-months of October with enough events, getting help at the planted store
    # cost customers the most effort
    worst = published_home.query(
        f"""SELECT stage, store_id, high_effort_pct, events FROM marts.kpi_journey_monthly
        WHERE month = {OCTOBER} AND scope = 'store' AND effort_known_events >= 8
        ORDER BY high_effort_pct DESC LIMIT 1"""
    )[0]
    assert worst[:2] == ("get_help", PLANT["store"]), worst
    # the first clear rise of October is getting help, in the planted store or for the
    # business as a whole (a small demo store has few tickets in the months before)
    hotspots = published_home.query(
        f"""SELECT stage, scope, store_id, is_clear_rise, bad_experience_pct_change,
            change_ci_low, verbatim_1, verbatim_2, top_themes
        FROM marts.rpt_journey_hotspots WHERE month = {OCTOBER} ORDER BY hotspot_rank"""
    )
    first = hotspots[0]
    assert first[0] == "get_help" and first[3] is True, hotspots[:3]
    assert first[2] in (None, PLANT["store"])
    assert first[4] > first[5] > 0  # a rise, surely above zero
    words = " ".join(v for v in first[6:8] if v).lower()
    assert "charged twice" in words or "double" in words, first
    assert "refunds_billing" in first[8]


def test_the_empathy_score_is_the_weighted_mean_of_its_parts(published_home):
    months = published_home.query(
        """SELECT month, round(sum(weight_share), 6), round(sum(points), 1), any_value(empathy_score),
            count(*) FROM marts.kpi_empathy_scorecard GROUP BY 1 ORDER BY 1"""
    )
    assert len(months) >= 12
    for month, shares, points, score, parts in months:
        assert abs(shares - 1.0) <= 0.003, month  # shares are rounded to 3 decimals
        assert abs(points - score) <= 0.3, month  # rounding of each part
        assert 1 <= parts <= 5
    weights = dict(published_home.query("SELECT component, weight FROM marts.empathy_scorecard"))
    assert set(weights) == {
        "customer_tone",
        "ease",
        "reply_speed",
        "problems_closed",
        "staff_feel_heard",
    }
    # the planted month costs ease: the score's part for ease falls in October
    (change,) = published_home.query(
        f"SELECT points_change FROM marts.kpi_empathy_scorecard "
        f"WHERE month = {OCTOBER} AND component = 'ease'"
    )[0]
    assert change < 0


def test_the_journey_page_shows_the_hotspot_and_the_score(published_home):
    html = (published_home.site / "journey.html").read_text()
    assert 'id="chart-journey-heatmap"' in html and 'id="chart-empathy-score"' in html
    assert "Where it got worse in October 2026" in html
    assert 'data-kpi="empathy_score"' in html
    assert 'data-kpi="empathy_score"' in (published_home.site / "index.html").read_text()

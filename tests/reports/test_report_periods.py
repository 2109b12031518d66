"""The report on the day after a month starts (issue 18): one new day of sales and three NPS
responses dropped into a published demo. The Overview keeps the last complete month's figures
and shows the new days against the same days before, never a partial month against a whole
one; a figure whose n is below its suppression threshold is withheld; every page says how old
its data is."""

import datetime as dt
import re
from pathlib import Path

import pytest

from reports.periods import Freshness, freshness, period
from tests.pipeline_home import copy_of
from tests.reports.test_site_in_browser import chromium

DAY = "2026-11-01"


@pytest.fixture(scope="module")
def next_day(published_home, tmp_path_factory):
    home = copy_of(published_home, tmp_path_factory.mktemp("next_day") / "home")
    (home.landing / "pos_transactions" / f"pos_{DAY}.csv").write_text(
        "transaction_id,transaction_at,store_id,event_type,payment_method,gross_sales,"
        "discounts,net_sales,tax\n"
        f"ND1,{DAY} 09:00:00,downtown,payment,card,12.50,0,12.50,2.08\n"
        f"ND2,{DAY} 10:00:00,riverside,payment,cash,16.20,0,16.20,2.70\n"
    )
    (home.landing / "nps_responses" / f"nps_{DAY}.csv").write_text(
        "response_id,responded_at,store_id,touchpoint,score,comment\n"
        f"NDN1,{DAY} 11:00:00,downtown,in_store,2,slow\n"
        f"NDN2,{DAY} 12:00:00,downtown,in_store,3,cold\n"
        f"NDN3,{DAY} 13:00:00,riverside,in_store,9,\n"
    )
    home.refresh()
    return home


def tile(html: str, kpi: str) -> str:
    m = re.search(rf'data-kpi="{kpi}">(.*?)(?=<div class="tile|</main>)', html, re.S)
    assert m, kpi
    return m[1]


def test_a_new_day_is_never_compared_with_a_whole_month(next_day):
    html = (next_day.site / "index.html").read_text()
    assert "October 2026 (the last complete month)" in html
    so_far = re.search(r"<section class=\"so-far\".*?</section>", html, re.S)[0]
    assert "November 2026 so far" in so_far and "1 day of data" in so_far
    assert "01 Oct 2026" in so_far and "01 Nov 2025" in so_far  # the same day a month / year before
    assert "£28.70" in so_far  # the two sales of the new day
    # the tiles are October's: the same as before the new day arrived
    [(october_revenue,)] = next_day.query(
        "SELECT net_revenue FROM marts.kpi_company_monthly WHERE month = DATE '2026-10-01'"
    )
    assert f"£{october_revenue:,.0f}" in tile(html, "net_revenue")
    assert "99.9%" not in html and "28.70 (worse" not in html


def test_no_figure_is_shown_from_fewer_responses_than_its_threshold(next_day):
    [(nps, n)] = next_day.query(
        "SELECT nps, nps_responses FROM marts.kpi_company_monthly WHERE month = DATE '2026-11-01'"
    )
    assert n == 3 and nps is None  # withheld in the mart itself
    html = (next_day.site / "index.html").read_text()
    m = re.search(r"n = ([\d,]+)", tile(html, "nps"))
    assert m and int(m[1].replace(",", "")) >= 30
    assert "-33.3" not in tile(html, "nps").split('<div class="delta')[0]  # November's n = 3


def test_every_page_says_how_old_its_data_is(next_day):
    built = dt.datetime.now(dt.UTC).date()
    days = (built - dt.date(2026, 11, 1)).days
    for page in ("index", "customers", "voice", "journey", "support", "team", "quality"):
        html = (next_day.site / f"{page}.html").read_text()
        line = re.search(r'<p class="freshness" data-freshness>(.*?)</p>', html, re.S)[1]
        assert "Data up to 01 November 2026" in line, (page, line)
        assert f"{days} day" in line
    # support tickets stopped at the end of October, two days behind: not late yet
    assert "Late:" not in line


def test_the_next_day_page_renders_in_a_browser(next_day):
    dom = chromium(Path(next_day.site / "index.html").resolve().as_uri(), "--dump-dom")
    assert "November 2026 so far" in dom


def test_period_rules_on_hand_made_months():
    company = [{"month": dt.date(2026, m, 1)} for m in (9, 10, 11)]
    whole = freshness(
        [{"source": "pos_transactions", "last_data_date": dt.date(2026, 11, 30)}],
        dt.date(2026, 12, 3),
    )
    assert period(company, whole).partial_month is None
    one_day = Freshness(dt.date(2026, 12, 3), dt.date(2026, 11, 1), {})
    p = period(company, one_day)
    assert (p.partial_month, p.partial_days, len(p.complete)) == (dt.date(2026, 11, 1), 1, 2)
    late = freshness(
        [
            {"source": "pos_transactions", "last_data_date": dt.date(2026, 11, 30)},
            {"source": "support_tickets", "last_data_date": dt.date(2026, 10, 2)},
            {"source": "hr_employees", "last_data_date": dt.date(2020, 1, 1)},  # a register
        ],
        dt.date(2026, 12, 3),
    )
    assert late.late == [("support_tickets", dt.date(2026, 10, 2))]
    assert late.sentence().startswith("Data up to 30 November 2026, 3 days before")

"""The owner's contact lists (issue 18): complete, one row per customer, and a CSV per list
that is safe to open in a spreadsheet."""

import csv
import re

import pytest

from reports.contact_lists import spreadsheet_safe, write_list

LISTS = {"voice.html": "follow_up.csv", "customers.html": "customers_at_risk.csv"}


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


@pytest.mark.parametrize("page", list(LISTS))
def test_each_list_downloads_whole_one_row_per_customer_and_safe(published_home, page):
    html = (published_home.site / page).read_text()
    m = re.search(r'data-count="(\d+)">\d+ \w+, all listed · <a href="([^"]+)" download>', html)
    assert m and m[2] == LISTS[page]
    header, rows = read_csv(published_home.site / m[2])
    assert len(rows) == int(m[1]) > 0
    who = [(r[header.index("Customer")], r[header.index("E-mail")]) for r in rows]
    assert len(set(who)) == len(who)  # one row per customer
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]
    phones = [r[header.index("Phone")] for r in rows if r[header.index("Phone")]]
    assert phones and all(p.startswith("'+") for p in phones)  # +44 ... kept as text
    # the page shows every row the CSV has
    assert html.count("<tr>") >= len(rows)


def test_the_follow_up_list_counts_its_customers_as_the_tile_does(published_home):
    html = (published_home.site / "voice.html").read_text()
    tile = re.search(r'data-kpi="follow_up">.*?<div class="value">([\d,]+)</div>', html, re.S)
    count = re.search(r'data-count="(\d+)"', html)
    assert tile and count and int(tile[1].replace(",", "")) == int(count[1])
    [(customers,)] = published_home.query(
        "SELECT count(DISTINCT customer_key) FROM marts.rpt_follow_up"
    )
    assert int(count[1]) == customers


def test_a_formula_typed_by_a_customer_stays_text(tmp_path):
    rows = [
        {"name": '=HYPERLINK("http://x.example","click")', "said": "@SUM(A1:A9)"},
        {"name": "-2+3", "said": "\tpadded"},
        {"name": "Ann", "said": "fine = good"},
    ]
    out = tmp_path / "list.csv"
    write_list(out, [("Name", "name"), ("Said", "said")], rows)
    _, got = read_csv(out)
    assert got == [
        ['\'=HYPERLINK("http://x.example","click")', "'@SUM(A1:A9)"],
        ["'-2+3", "'\tpadded"],
        ["Ann", "fine = good"],
    ]
    assert spreadsheet_safe(None) == "" and spreadsheet_safe(12.5) == "12.5"

"""Every SQL block of ANALYSTS.md runs against a published demo warehouse."""

import re

import duckdb
import pytest

from tests.conftest import ROOT

QUERIES = re.findall(r"```sql\n(.*?)```", (ROOT / "ANALYSTS.md").read_text(), re.S)


@pytest.fixture(scope="module")
def analytics(published_home):
    return published_home.analytics


def test_the_guide_has_ten_questions():
    assert len(QUERIES) == 10


@pytest.mark.parametrize("number", range(1, 11))
def test_each_example_query_runs_on_the_analyst_copy(analytics, number):
    con = duckdb.connect(str(analytics), read_only=True)
    try:
        rows = con.execute(QUERIES[number - 1]).fetchall()
    finally:
        con.close()
    assert rows, f"query {number} returned no rows"

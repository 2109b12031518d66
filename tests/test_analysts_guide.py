"""Every SQL block of ANALYSTS.md runs against a published demo warehouse."""

import re

import duckdb
import pytest

from tests.conftest import ROOT

QUERIES = re.findall(r"```sql\n(.*?)```", (ROOT / "ANALYSTS.md").read_text(), re.S)


@pytest.fixture(scope="module")
def analytics(published_home):
    return published_home.analytics


def test_the_guide_has_twelve_questions():
    assert len(QUERIES) == 12


@pytest.mark.parametrize("number", range(1, 13))
def test_each_example_query_runs_on_the_analyst_copy(analytics, number):
    con = duckdb.connect(str(analytics), read_only=True)
    try:
        rows = con.execute(QUERIES[number - 1]).fetchall()
    finally:
        con.close()
    assert rows, f"query {number} returned no rows"


def test_the_duckdb_cli_shows_the_dbt_and_contract_descriptions(analytics):
    """make setup installs the DuckDB CLI; the analyst copy carries every description as a
    comment (dbt persist_docs for the models, the contracts for the raw tables)."""
    import shutil
    import subprocess

    import yaml

    cli = shutil.which("duckdb", path=str(ROOT / ".venv" / "bin"))
    assert cli, "make setup installs the DuckDB CLI into .venv/bin"
    sql = (
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where (table_name = 'fct_pos_line_items' and column_name = 'margin') "
        "or (table_name = 'nps_responses' and schema_name = 'raw' and column_name = 'score') "
        "order by 1"
    )
    proc = subprocess.run(
        [cli, "-readonly", "-csv", "-noheader", str(analytics), "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    core = yaml.safe_load((ROOT / "dbt/models/marts/core/_core__models.yml").read_text())
    (line_items,) = [m for m in core["models"] if m["name"] == "fct_pos_line_items"]
    (margin,) = [c["description"] for c in line_items["columns"] if c["name"] == "margin"]
    marts_row, raw_row = proc.stdout.strip().splitlines()
    assert marts_row == f"marts,fct_pos_line_items,margin,{margin}"
    assert raw_row == 'raw,nps_responses,score,"Likelihood to recommend, 0 to 10."'
    con = duckdb.connect(str(analytics), read_only=True)
    try:
        missing = con.execute(
            "select count(*) filter (where comment is null), count(*) from duckdb_columns() "
            "where schema_name = 'marts'"
        ).fetchall()[0]
    finally:
        con.close()
    assert missing[0] == 0 and missing[1] > 400  # every mart column is described


def test_top_products_carry_their_margin(analytics):
    con = duckdb.connect(str(analytics), read_only=True)
    try:
        rows = con.execute(QUERIES[10]).fetchall()
        lines, transactions = con.execute(
            "select (select sum(net_sales) from marts.fct_pos_line_items), "
            "(select sum(lines_net_sales) from marts.fct_pos_transactions)"
        ).fetchall()[0]
    finally:
        con.close()
    stores = {r[0] for r in rows}
    assert len(rows) == 5 * len(stores) and len(stores) >= 2
    assert all(r[4] is not None and r[3] > r[4] for r in rows)  # margin known, below sales
    assert lines == transactions  # every line of every transaction, once

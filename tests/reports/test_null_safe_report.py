"""A figure that cannot be computed never costs the owner the whole report: the site builds from
marts whose every number is null (no ratings, no solved tickets, a division by zero), and each
tile says the figure is unavailable instead of printing "None" or failing."""

import re
import shutil

import duckdb

from reports.build import build_site
from reports.formatting import show

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "FLOAT", "DOUBLE")


def test_show_formats_numbers_and_keeps_missing_ones_missing():
    assert show(1234.5, ",.1f", "%") == "1,234.5%"
    assert show(0.012, ".1f", "%", 100) == "1.2%"
    assert show(-3, "+.0f") == "-3"
    assert show(None, ".0f", "%") is None
    assert show("n/a", ".0f") is None


def test_the_site_builds_from_marts_whose_every_number_is_null(published_home, tmp_path):
    db = tmp_path / "analytics.duckdb"
    shutil.copyfile(published_home.analytics, db)
    db.chmod(0o600)
    con = duckdb.connect(str(db))
    nulled = 0
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
        # the ledger's row counts say which exports arrived: bookkeeping, not KPIs
        "AND table_name NOT IN ('kpi_data_quality', 'fct_ingested_files')"
    ).fetchall():
        cols = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
        select = []
        for name, kind in cols:
            if kind.startswith(NUMERIC + ("DECIMAL",)):
                select.append(f'CAST(NULL AS {kind}) AS "{name}"')
                nulled += 1
            else:
                select.append(f'"{name}"')
        con.execute(
            f'CREATE OR REPLACE TABLE marts."{table}" AS SELECT {", ".join(select)} FROM marts."{table}"'
        )
    con.close()
    assert nulled > 200
    out = tmp_path / "site"
    build_site(db, out, published_name="analytics.duckdb")
    pages = {p.name: p.read_text() for p in out.glob("*.html")}
    assert len(pages) == 7
    for name, html in pages.items():
        assert "None" not in re.sub(r"<script.*?</script>", "", html, flags=re.S), name
        assert "nan" not in re.findall(r'<div class="value">(.*?)</div>', html), name
    support = pages["support.html"]
    for kpi, reason in (("csat", "no ratings"), ("one_touch", "no solved tickets")):
        tile = re.search(rf'data-kpi="{kpi}">.*?<div class="value">(.*?)</div>', support, re.S)
        assert tile and tile[1].strip() == reason, kpi
    customers = pages["customers.html"]
    assert "not available" in customers

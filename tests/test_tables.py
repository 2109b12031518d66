"""The registry of the tables the Python steps write (dagster_project/warehouse_tables.yaml)."""

import datetime as dt
import re

import duckdb
import polars as pl
import pytest
import yaml

from dagster_project.tables import (
    dbt_sources_yaml,
    ensure_table,
    registry,
    replace_table,
    table,
)
from tests.conftest import ROOT

DBT_MODELS = ROOT / "dbt" / "models"


def test_the_dbt_sources_file_is_generated_from_the_registry():
    committed = (DBT_MODELS / "staging" / "_python__sources.yml").read_text()
    assert committed == dbt_sources_yaml(), "run `make sources` and commit the result"


def test_no_other_yml_declares_a_registered_table():
    """One place: no hand-written source yml repeats a table of the registry."""
    registered = {(t.schema, t.name) for t in registry().values()}
    for path in DBT_MODELS.rglob("*.yml"):
        if path.name == "_python__sources.yml":
            continue
        for source in (yaml.safe_load(path.read_text()) or {}).get("sources", []):
            for t in source.get("tables", []):
                assert (source.get("schema", source["name"]), t["name"]) not in registered, path


def test_every_source_table_a_model_reads_is_declared():
    """Every ``source('x', 'y')`` in the SQL names a registered table or a contract table."""
    declared = {(t.source, t.name) for t in registry().values() if t.in_dbt}
    raw = yaml.safe_load((DBT_MODELS / "staging" / "_raw__sources.yml").read_text())
    declared |= {("raw", t["name"]) for t in raw["sources"][0]["tables"]}
    used = set()
    for path in [*ROOT.joinpath("dbt").rglob("*.sql")]:
        if "target" in path.parts:
            continue
        used |= set(re.findall(r"source\('(\w+)', '(\w+)'\)", path.read_text()))
    assert used, "no source() found: the pattern is wrong"
    assert used <= declared, used - declared


def test_each_table_is_created_with_its_columns_types_and_comments():
    con = duckdb.connect()
    for name, t in registry().items():
        ensure_table(con, name)
        got = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [t.schema, t.name],
        ).fetchall()
        assert [(c, ty) for c, ty, _ in got] == [(c.name, c.type) for c in t.columns], name
        assert all(comment for _, _, comment in got), name
        (comment,) = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [t.schema, t.name],
        ).fetchone()
        assert comment == t.description


def test_the_ledger_keeps_its_row_accounting_constraint():
    con = duckdb.connect()
    ensure_table(con, "raw.ingest_ledger")
    row = ["1", "pos", "a.csv", "h", 10, 5, 3, 1, "partial", "", dt.datetime(2026, 1, 1)]
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO raw.ingest_ledger VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
    row[7] = 2
    con.execute("INSERT INTO raw.ingest_ledger VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)


def test_replace_table_refuses_a_frame_that_differs_from_the_registry():
    con = duckdb.connect()
    t = table("analysis.theme_catalogue")
    good = t.frame(
        [{"theme": "waiting", "label": "Waiting", "description": "d", "patterns": 3, "position": 1}]
    )
    replace_table(con, "analysis.theme_catalogue", good.select(reversed(good.columns)))
    assert con.execute("SELECT theme, patterns FROM analysis.theme_catalogue").fetchall() == [
        ("waiting", 3)
    ]
    with pytest.raises(ValueError, match="theme_catalogue.*registered"):
        replace_table(con, "analysis.theme_catalogue", good.drop("position"))
    with pytest.raises(ValueError, match="registered"):
        replace_table(con, "analysis.theme_catalogue", good.with_columns(pl.lit(1).alias("extra")))


def test_a_column_the_registry_gained_is_added_to_an_existing_table():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA private")
    con.execute(  # the cache as written before theme tones were cached
        "CREATE TABLE private.text_score_cache (config_hash VARCHAR NOT NULL, "
        "text_hash VARCHAR NOT NULL, compound DOUBLE, label VARCHAR, stock_compound DOUBLE, "
        "themes VARCHAR[])"
    )
    con.execute("INSERT INTO private.text_score_cache VALUES ('c', 't', 0.5, 'positive', 0.4, [])")
    ensure_table(con, "private.text_score_cache")
    assert con.execute("SELECT theme_compounds FROM private.text_score_cache").fetchall() == [
        (None,)
    ]


def test_a_warehouse_from_before_the_rename_keeps_its_fit_history():
    """The analysis schema was called models: the fit history moves, the rest is rebuilt."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA models")
    con.execute(
        "CREATE TABLE models.clv_model_runs AS SELECT 7::BIGINT AS run_seq, "
        "'bgnbd-full-00007' AS run_id, 'bgnbd' AS model, 'full' AS purpose, "
        "TIMESTAMP '2026-11-01 06:00' AS fitted_at, DATE '2024-01-01' AS window_start, "
        "DATE '2026-10-31' AS window_end, 'week' AS time_unit, 120::BIGINT AS n_customers, "
        "-1234.5 AS log_likelihood, 40 AS iterations, 0.24 AS r, 4.4 AS alpha, 0.79 AS a, "
        "2.4 AS b, NULL::DOUBLE AS p, NULL::DOUBLE AS q, NULL::DOUBLE AS gamma, 'abc' AS input_hash"
    )
    con.execute("CREATE TABLE models.text_sentiment AS SELECT 'nps_comment' AS source")
    ensure_table(con, "analysis.clv_model_runs")
    assert con.execute(
        "SELECT run_seq, run_id, n_customers, r FROM analysis.clv_model_runs"
    ).fetchall() == [(7, "bgnbd-full-00007", 120, 0.24)]
    assert con.execute(  # the old copy is gone, the other old table still waits for its turn
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'models'"
    ).fetchall() == [("text_sentiment",)]
    replace_table(con, "analysis.text_sentiment", table("analysis.text_sentiment").frame())
    assert con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'models'"
    ).fetchall() == [(0,)]

"""The analyst copy written in place (the previous copy plus what changed) holds exactly what a
copy written whole holds, and never a personal value or the salt, in any page of the file."""

import shutil

import duckdb
import pytest

from dagster_project.publish.publisher import (
    _content,
    copy_settings_digest,
    update_analyst_copy,
    write_analyst_copy,
)

SALT = "salt-9f3c-never-published"
PERSONAL = {"customers": ["email"]}


def build(path, statements: list[str]) -> None:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


WAREHOUSE = [
    "CREATE SCHEMA raw",
    "CREATE SCHEMA marts",
    "CREATE SCHEMA private",
    "CREATE SCHEMA staging",
    f"CREATE TABLE private.hash_salt AS SELECT '{SALT}' AS salt",
    "CREATE TABLE raw.customers (id VARCHAR NOT NULL, email VARCHAR, _batch_id BIGINT)",
    "INSERT INTO raw.customers VALUES ('c1', 'ann@example.com', 1), ('c2', 'bo@example.com', 1)",
    "CREATE TABLE marts.kpi (month DATE, value DOUBLE)",
    "INSERT INTO marts.kpi VALUES ('2026-01-01', 1.5), ('2026-02-01', 2.5)",
    "CREATE TABLE marts.old_mart AS SELECT 1 AS x",
    # facts that keep the batch of their rows: one only grows, one has a row superseded
    "CREATE TABLE marts.fct_grows (id VARCHAR, batch_id BIGINT)",
    "INSERT INTO marts.fct_grows VALUES ('a', 1), ('b', 1), ('n', NULL)",
    "CREATE TABLE marts.fct_corrected (id VARCHAR, amount INTEGER, batch_id BIGINT)",
    "INSERT INTO marts.fct_corrected VALUES ('a', 5, 1), ('b', 6, 1)",
    "CREATE VIEW staging.stg_customers AS SELECT md5(s.salt || c.id) AS customer_key "
    "FROM raw.customers c, private.hash_salt s",
    "CREATE VIEW marts.v_kpi AS SELECT * FROM marts.kpi WHERE value > 2",
    "CREATE VIEW marts.v_kpi_2 AS SELECT * FROM marts.v_kpi",
    # descriptions (dbt persist_docs, the contracts), which the analyst copy must keep
    "COMMENT ON TABLE marts.kpi IS 'Monthly value.'",
    "COMMENT ON COLUMN marts.kpi.value IS 'The value, it''s in pounds.'",
    "COMMENT ON COLUMN staging.stg_customers.customer_key IS 'Salted key.'",
    "COMMENT ON VIEW marts.v_kpi_2 IS 'Months above 2.'",
]
CHANGES = [
    "INSERT INTO raw.customers VALUES ('c3', 'cy@example.com', 2)",  # a new batch
    "INSERT INTO marts.fct_grows VALUES ('c', 2), ('d', 3)",
    "UPDATE marts.fct_corrected SET amount = 7, batch_id = 2 WHERE id = 'b'",  # latest wins
    "UPDATE marts.kpi SET value = 9 WHERE month = '2026-02-01'",  # a rebuilt mart
    "DROP TABLE marts.old_mart",  # a model removed
    "CREATE TABLE marts.new_mart AS SELECT 'n' AS y",  # a model added
    "CREATE SCHEMA intermediate",
    "CREATE TABLE intermediate.t AS SELECT 42 AS z",
    "ALTER TABLE marts.kpi ADD COLUMN note VARCHAR",  # a model's columns changed
    "CREATE OR REPLACE VIEW marts.v_kpi AS SELECT * FROM marts.kpi WHERE value > 1",
    "CREATE OR REPLACE VIEW marts.v_kpi_2 AS SELECT * FROM marts.v_kpi",  # as dbt does
    "COMMENT ON VIEW marts.v_kpi_2 IS 'Months above 1.'",
    "COMMENT ON COLUMN marts.kpi.note IS 'A new column, described.'",
]


def contents(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        out = {(s, t): _content(con, f'SELECT * FROM {s}."{t}"') for s, t in tables}
        out["views"] = con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
        out["columns"] = con.execute(
            "SELECT schema_name, table_name, column_name, data_type, comment "
            "FROM duckdb_columns() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
        out["comments"] = con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name, comment FROM duckdb_views() WHERE NOT internal "
            "ORDER BY ALL"
        ).fetchall()
        return out
    finally:
        con.close()


@pytest.fixture
def published(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    build(warehouse, WAREHOUSE)
    first = tmp_path / "first.duckdb"
    write_analyst_copy(warehouse, first, "v1.1.0", PERSONAL)
    return warehouse, first


def test_changes_written_in_place_equal_a_copy_written_whole(published, tmp_path):
    warehouse, first = published
    build(warehouse, CHANGES)
    in_place = tmp_path / "in_place.duckdb"
    shutil.copyfile(first, in_place)
    stats = update_analyst_copy(warehouse, in_place, PERSONAL)
    assert stats is not None
    # raw and fct_grows appended; kpi (new definition), fct_corrected (an old row changed),
    # new_mart, intermediate.t and the salted view written
    assert stats["tables_appended"] == 2
    assert stats["tables_replaced"] == 5
    whole = tmp_path / "whole.duckdb"
    write_analyst_copy(warehouse, whole, "v1.1.0", PERSONAL)
    assert contents(in_place) == contents(whole)
    described = contents(in_place)
    assert ("marts", "kpi", "note", "VARCHAR", "A new column, described.") in described["columns"]
    assert ("marts", "kpi", "value", "DOUBLE", "The value, it's in pounds.") in described["columns"]
    assert ("marts", "v_kpi_2", "Months above 1.") in described["comments"]
    assert ("staging", "stg_customers", "customer_key", "VARCHAR", "Salted key.") in described[
        "columns"
    ]  # the salted view, a table in the copy, keeps its column's description
    con = duckdb.connect(str(in_place), read_only=True)
    try:
        assert con.execute("SELECT count(email), count(*) FROM raw.customers").fetchall() == [
            (0, 3)
        ]
        assert con.execute("SELECT count(*) FROM marts.v_kpi_2").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM staging.stg_customers").fetchall() == [(3,)]
    finally:
        con.close()
    # no page of the file, free or used, holds the salt or an e-mail address
    data = in_place.read_bytes()
    assert SALT.encode() not in data and b"@example.com" not in data


def test_nothing_changed_writes_nothing(published, tmp_path):
    warehouse, first = published
    again = tmp_path / "again.duckdb"
    shutil.copyfile(first, again)
    stats = update_analyst_copy(warehouse, again, PERSONAL)
    assert stats == {
        "tables_unchanged": 6,  # raw, kpi, old_mart, the two facts, the salted view
        "tables_appended": 0,
        "tables_replaced": 0,
        "rows_written": 0,
        "comments_set": 1,  # views are recreated from their SQL, which holds no comment
    }
    assert contents(again) == contents(first)


def test_a_copy_reused_only_under_the_same_publishing_settings():
    base = copy_settings_digest("v1.1.0", PERSONAL, False)
    assert base == copy_settings_digest("v1.1.0", {"customers": ["email"]}, False)
    assert base != copy_settings_digest("v1.1.0", PERSONAL, True)  # personal data in clear
    assert base != copy_settings_digest("v1.2.0", PERSONAL, False)
    assert base != copy_settings_digest("v1.1.0", {"customers": ["email", "phone"]}, False)

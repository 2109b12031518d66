"""Writing what the Python steps compute into the warehouse: tables (model fits, text scores,
check results) and SQL string literals (table and column comments)."""

from __future__ import annotations

import duckdb
import polars as pl


def replace_table(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, frame: pl.DataFrame
) -> None:
    """``schema.name`` becomes exactly ``frame`` (its columns, types and rows), in the caller's
    transaction if one is open."""
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    view = f"_frame_{schema}_{name}"
    con.register(view, frame.to_arrow())
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{name}" AS SELECT * FROM "{view}"')
    finally:
        con.unregister(view)


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"

"""The report's SQL: one file per query in queries/, read from the marts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"


def run_query(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The rows of ``queries/<name>.sql`` (with ``$name`` parameters) as dicts."""
    cur = con.execute((QUERIES / f"{name}.sql").read_text(), params or {})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

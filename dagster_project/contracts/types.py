"""The contracts' logical types and what each is in polars (reading) and DuckDB (storing)."""

from __future__ import annotations

import polars as pl

POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us"),
    "boolean": pl.Boolean(),
}
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

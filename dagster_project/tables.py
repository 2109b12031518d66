"""The tables the Python steps write, defined once in ``warehouse_tables.yaml``: their DDL, their
polars schema, their comments and dbt's source definitions all come from there. Also the one way
to replace such a table from a frame, and SQL string literals (for table and column comments).

A group of the file is a dbt source (``source('analysis', 'clv_model_runs')``) and a schema; a
group with ``dbt: false`` (the private schema) is neither published nor declared to dbt.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

REGISTRY_FILE = Path(__file__).with_name("warehouse_tables.yaml")
SOURCES_FILE = Path("models/staging/_python__sources.yml")  # inside the dbt project

_POLARS = {
    "VARCHAR": pl.String,
    "BIGINT": pl.Int64,
    "INTEGER": pl.Int32,
    "DOUBLE": pl.Float64,
    "BOOLEAN": pl.Boolean,
    "TIMESTAMP": pl.Datetime("us"),
    "DATE": pl.Date,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type; a trailing [] is a list
    description: str
    not_null: bool = False

    @property
    def polars_type(self) -> pl.DataType:
        if self.type.endswith("[]"):
            return pl.List(_POLARS[self.type[:-2]])
        return _POLARS[self.type]


@dataclass(frozen=True)
class Table:
    source: str  # the dbt source (group) name
    source_description: str  # the group's description (dbt's source description)
    schema: str
    name: str
    description: str
    columns: tuple[Column, ...]
    asset: tuple[str, ...] | None = None  # the Dagster asset that writes it, when dbt reads it
    primary_key: tuple[str, ...] = ()
    check: str | None = None
    renamed_from: str | None = None  # the schema it lived in before
    in_dbt: bool = True

    @property
    def qualified(self) -> str:
        return f'"{self.schema}"."{self.name}"'

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.polars_type for c in self.columns}

    def ddl(self, replace: bool = False) -> str:
        parts = [f'"{c.name}" {c.type}' + (" NOT NULL" if c.not_null else "") for c in self.columns]
        if self.primary_key:
            parts.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in self.primary_key) + ")")
        if self.check:
            parts.append(f"CHECK ({self.check})")
        head = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        return f"{head} {self.qualified} (\n    " + ",\n    ".join(parts) + "\n)"

    def comment_statements(self) -> list[str]:
        out = [f"COMMENT ON TABLE {self.qualified} IS {sql_literal(self.description)}"]
        out += [
            f'COMMENT ON COLUMN {self.qualified}."{c.name}" IS {sql_literal(c.description)}'
            for c in self.columns
        ]
        return out

    def frame(self, rows: list[dict[str, Any]] | None = None) -> pl.DataFrame:
        """Rows (dicts by column name) as a frame of exactly this table's columns and types."""
        return pl.DataFrame(rows or [], schema=self.polars_schema)


def _load(path: Path) -> dict[str, Table]:
    doc = yaml.safe_load(path.read_text())
    tables = {}
    for source, group in doc.items():
        for name, t in group["tables"].items():
            table = Table(
                source=source,
                source_description=" ".join(group["description"].split()),
                schema=group["schema"],
                name=name,
                description=" ".join(t["description"].split()),
                columns=tuple(
                    Column(
                        name=c,
                        type=spec["type"],
                        description=" ".join(spec["description"].split()),
                        not_null=bool(spec.get("not_null", False)),
                    )
                    for c, spec in t["columns"].items()
                ),
                asset=tuple(t["asset"]) if t.get("asset") else None,
                primary_key=tuple(t.get("primary_key", ())),
                check=t.get("check"),
                renamed_from=group.get("renamed_from"),
                in_dbt=group.get("dbt", True),
            )
            tables[f"{table.schema}.{name}"] = table
    return tables


@cache
def registry() -> dict[str, Table]:
    """Every table the Python steps write, by ``schema.name``."""
    return _load(REGISTRY_FILE)


def table(qualified_name: str) -> Table:
    """The registered table ``schema.name``."""
    return registry()[qualified_name]


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
            "AND database_name = current_database()",
            [schema, name],
        ).fetchall()[0][0]
    )


def _adopt_renamed(con: duckdb.DuckDBPyConnection, t: Table) -> None:
    """A warehouse from before the schema's rename: its rows move to the new place (the fit
    history is kept), and the old schema goes once it is empty."""
    old = t.renamed_from
    if not old or not _exists(con, old, t.name):
        return
    if not _exists(con, t.schema, t.name):
        con.execute(t.ddl())
        shared = [c for c in t.column_names if _has_column(con, old, t.name, c)]
        cols = ", ".join(f'"{c}"' for c in shared)
        con.execute(f'INSERT INTO {t.qualified} ({cols}) SELECT {cols} FROM "{old}"."{t.name}"')
    con.execute(f'DROP TABLE "{old}"."{t.name}"')
    left = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? "
        "AND database_name = current_database()",
        [old],
    ).fetchall()[0][0]
    if not left:
        con.execute(f'DROP SCHEMA IF EXISTS "{old}" CASCADE')


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, name: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
            "AND column_name = ? AND database_name = current_database()",
            [schema, name, column],
        ).fetchall()[0][0]
    )


def ensure_table(con: duckdb.DuckDBPyConnection, qualified_name: str) -> Table:
    """Create the registered table if it is missing (adding any column a newer registry has,
    and adopting its rows from the schema it was renamed from), with its comments."""
    t = table(qualified_name)
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{t.schema}"')
    _adopt_renamed(con, t)
    con.execute(t.ddl())
    for c in t.columns:
        if not _has_column(con, t.schema, t.name, c.name):
            con.execute(f'ALTER TABLE {t.qualified} ADD COLUMN "{c.name}" {c.type}')
    present = {
        column: comment
        for column, comment in con.execute(
            "SELECT '', comment FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2 "
            "AND database_name = current_database() UNION ALL SELECT column_name, comment "
            "FROM duckdb_columns() WHERE schema_name = $1 AND table_name = $2 "
            "AND database_name = current_database()",
            [t.schema, t.name],
        ).fetchall()
    }
    wanted = {"": t.description, **{c.name: c.description for c in t.columns}}
    for statement, (column, text) in zip(t.comment_statements(), wanted.items(), strict=True):
        if present.get(column) != text:
            con.execute(statement)
    return t


def replace_table(con: duckdb.DuckDBPyConnection, qualified_name: str, frame: pl.DataFrame) -> None:
    """The registered table becomes exactly ``frame``'s rows, in the caller's transaction if one
    is open. ``frame`` must have the table's columns (in any order); a missing or extra column
    is an error, so code and registry cannot drift apart."""
    t = table(qualified_name)
    if set(frame.columns) != set(t.column_names):
        raise ValueError(
            f"{qualified_name}: frame columns {sorted(frame.columns)} are not the registered "
            f"{sorted(t.column_names)} (dagster_project/warehouse_tables.yaml)"
        )
    rows = frame.select(t.column_names).cast(t.polars_schema)
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{t.schema}"')
    _adopt_renamed(con, t)
    con.execute(t.ddl(replace=True))
    for statement in t.comment_statements():
        con.execute(statement)
    view = f"_frame_{t.schema}_{t.name}"
    con.register(view, rows.to_arrow())
    try:
        con.execute(f'INSERT INTO {t.qualified} SELECT * FROM "{view}"')
    finally:
        con.unregister(view)


def dbt_sources() -> dict[str, Any]:
    """dbt's source definitions of the registered tables dbt may read."""
    sources: dict[str, dict[str, Any]] = {}
    for t in registry().values():
        if not t.in_dbt:
            continue
        src = sources.setdefault(
            t.source,
            {
                "name": t.source,
                "schema": t.schema,
                "description": t.source_description,
                "tables": [],
            },
        )
        entry: dict[str, Any] = {"name": t.name, "description": t.description}
        if t.asset:
            entry["config"] = {"meta": {"dagster": {"asset_key": list(t.asset)}}}
        entry["columns"] = [
            {"name": c.name, "description": c.description, "data_type": c.type.lower()}
            for c in t.columns
        ]
        src["tables"].append(entry)
    return {"version": 2, "sources": list(sources.values())}


def dbt_sources_yaml() -> str:
    header = (
        "# Generated from dagster_project/warehouse_tables.yaml by `make sources`. Do not edit.\n"
    )
    return header + yaml.safe_dump(dbt_sources(), sort_keys=False, width=100)


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


if __name__ == "__main__":  # `make sources`
    from dagster_project.settings import load_settings

    target = load_settings().dbt_project_dir / SOURCES_FILE
    target.write_text(dbt_sources_yaml())
    print(f"wrote {target}")

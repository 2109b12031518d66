"""Great Expectations suites generated from the contracts, run where the data is: GX's SQL
route over the DuckDB warehouse (``duckdb-engine``), with the pandas route as the fallback.

GX's SQL route over DuckDB fails out of the box (GX issues 10738, 11579: every expectation
ends in "list index out of range"). The cause: GX returns query results after the SQLAlchemy
connection that produced them was closed, which DuckDB's driver does not allow. GX keeps one
connection open for the dialects in ``_PERSISTED_CONNECTION_DIALECTS`` (sqlite, mssql, ...);
adding duckdb to that tuple (:func:`enable_sql_route`) makes every expectation work. The rows
are selected by a query asset (``SELECT ... FROM raw.<table> WHERE _batch_id IN (...)``), so no
table is reflected (SQLAlchemy 2.1's reflection asks DuckDB for ``pg_catalog.pg_collation``,
which it lacks). Should a GX release rename or drop that tuple, or an expectation come back
with an exception, :func:`validate_batches` says so in the run log and validates the same rows
through the pandas route instead, in chunks.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402

from dagster_project.contracts import Contract  # noqa: E402

SQL_ROUTE = "sql"
PANDAS_ROUTE = "pandas"


@dataclass
class GxOutcome:
    success: bool
    evaluated: int
    failed: list[str]
    rows: int
    route: str = PANDAS_ROUTE


@cache
def _context() -> gx.data_context.AbstractDataContext:
    return gx.get_context(mode="ephemeral")


def expectation_suite(contract: Contract) -> gx.ExpectationSuite:
    """One expectation per contract rule that holds for every loaded row."""
    _context()  # GX needs an active context before suites are built
    suite = gx.ExpectationSuite(name=f"{contract.name}_contract_v{contract.version}")
    for col in contract.columns:
        suite.add_expectation(gxe.ExpectColumnToExist(column=col.name))
        if col.required:
            suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=col.name))
        if col.allowed_values is not None:
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeInSet(column=col.name, value_set=list(col.allowed_values))
            )
        if col.logical_type in ("integer", "number") and (
            col.minimum is not None or col.maximum is not None
        ):
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(
                    column=col.name, min_value=col.minimum, max_value=col.maximum
                )
            )
    return suite


class SqlRouteUnavailable(RuntimeError):
    """The workaround that makes GX's SQL route work over DuckDB no longer applies."""


class _DuckDBDialect(str):
    """ "duckdb", as GX's dialect tuple needs it: compared as a string with the engine's
    dialect name, and read through ``.value`` like the members of GX's ``GXSqlDialect``."""

    value = "duckdb"


def enable_sql_route() -> None:
    """Keep GX's SQLAlchemy connection open for DuckDB, as GX does for sqlite (see above)."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    dialects = getattr(engine, "_PERSISTED_CONNECTION_DIALECTS", None)
    if not isinstance(dialects, tuple):
        raise SqlRouteUnavailable(
            "great_expectations.execution_engine.sqlalchemy_execution_engine has no "
            "_PERSISTED_CONNECTION_DIALECTS tuple any more"
        )
    if not any(d == "duckdb" for d in dialects):
        engine._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DuckDBDialect("duckdb"))


def _raised(info: dict | None) -> str | None:
    """The message of an exception GX caught while computing an expectation's metrics: either
    at the top of ``exception_info`` or keyed by the metric that raised."""
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _failures(result) -> tuple[list[str], list[str]]:
    """(failed expectations, expectations that raised instead of answering)."""
    failed, raised = [], []
    for r in result.results:
        cfg = r.expectation_config
        where = f"{cfg.type} on {cfg.kwargs.get('column')}"
        if (message := _raised(r.exception_info)) is not None:
            raised.append(f"{where}: {message}")
        elif not r.success:
            detail = r.result.get("unexpected_count") if r.result else None
            failed.append(f"{where}: {detail if detail is not None else 'failed'} unexpected")
    return failed, raised


def batch_query(contract: Contract, batch_ids: list[int]) -> str:
    columns = ", ".join(f'"{c}"' for c in contract.column_names)
    ids = ", ".join(str(int(b)) for b in batch_ids)
    return f'SELECT {columns} FROM raw."{contract.name}" WHERE _batch_id IN ({ids})'


def _close(source, engine) -> None:
    """Close every DuckDB connection GX opened on the file (its persisted connection, the
    pools of its engines), so that the refresh can open the file for writing again."""
    connection = getattr(engine, "_connection", None) if engine is not None else None
    if connection is not None:
        connection.close()
    if engine is not None:
        engine.close()
    sa_engine = getattr(source, "_engine", None)
    if sa_engine is not None:
        sa_engine.dispose()
    gc.collect()  # result proxies that still reference a DB-API connection


def validate_sql(
    contract: Contract,
    database: Path,
    batches: list[tuple[int, int]],
    config: dict | None = None,
) -> GxOutcome:
    """The suite over the rows of ``batches`` ((batch id, rows) pairs) in the DuckDB file, computed by DuckDB (GX's
    SQL route). The file is opened read-only: no other connection of this process may hold
    it open for writing meanwhile."""
    enable_sql_route()
    context = _context()
    name = f"warehouse_{uuid.uuid4().hex[:8]}"
    source = context.data_sources.add_sql(
        name,
        connection_string=f"duckdb:///{database}",
        create_temp_table=False,
        kwargs={"connect_args": {"read_only": True, "config": dict(config or {})}},
    )
    engine = None
    try:
        query = batch_query(contract, [b for b, _ in batches])
        asset = source.add_query_asset(f"raw_{contract.name}", query=query)
        batch = asset.add_batch_definition_whole_table("new_batches").get_batch()
        engine = batch.data.execution_engine
        result = batch.validate(expectation_suite(contract))
    finally:
        _close(source, engine)
        context.data_sources.delete(name)
    failed, raised = _failures(result)
    if raised:
        raise SqlRouteUnavailable("; ".join(raised[:3]))
    rows = sum(n for _, n in batches)
    return GxOutcome(bool(result.success), len(result.results), failed, rows, SQL_ROUTE)


def validate_batches(
    contract: Contract,
    database: Path,
    batches: list[tuple[int, int]],
    read_pandas: Callable[[list[int]], pd.DataFrame],
    chunk_rows: int,
    config: dict | None = None,
    warn: Callable[[str], None] = print,
) -> GxOutcome:
    """The suite over the new batches: by the SQL route, else (loudly) the pandas route."""
    try:
        return validate_sql(contract, database, batches, config)
    except SqlRouteUnavailable as exc:
        warn(
            f"Great Expectations' SQL route over DuckDB does not work with this GX release "
            f"({exc}); {contract.name} is validated through the slower pandas route instead. "
            "See dagster_project/quality/gx_suite.py."
        )
    outcome = GxOutcome(True, 0, [], 0, PANDAS_ROUTE)
    for group in chunks(batches, chunk_rows):
        part = validate_dataframe(contract, read_pandas(group))
        outcome = GxOutcome(
            outcome.success and part.success,
            max(outcome.evaluated, part.evaluated),
            outcome.failed + [f for f in part.failed if f not in outcome.failed],
            outcome.rows + part.rows,
            PANDAS_ROUTE,
        )
    return outcome


def chunks(batches: list[tuple[int, int]], limit: int) -> list[list[int]]:
    """Batch ids grouped so that a group holds at most ``limit`` rows (or one batch)."""
    out: list[list[int]] = []
    rows = 0
    for batch, n in batches:
        if not out or rows + n > limit:
            out.append([])
            rows = 0
        out[-1].append(batch)
        rows += n
    return out


def validate_dataframe(contract: Contract, df: pd.DataFrame) -> GxOutcome:
    context = _context()
    name = f"raw_{contract.name}"
    try:
        source = context.data_sources.get(name)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(name)
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name=name)
    try:
        batch_def = asset.get_batch_definition("all_rows")
    except (KeyError, ValueError, LookupError):
        batch_def = asset.add_batch_definition_whole_dataframe("all_rows")
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(expectation_suite(contract))
    failed, raised = _failures(result)
    return GxOutcome(bool(result.success), len(result.results), failed + raised, len(df))

"""Load landing files into raw tables: one batch per file, one transaction per batch.

Good rows go to ``raw.<source>`` with ``_batch_id``, ``_source_file``, ``_row_number`` and
``_loaded_at``; rows that break a contract rule go to ``raw.<source>__rejected`` with the rule;
``raw.ingest_ledger`` records every file: rows read = rows loaded + rows rejected. A file whose
content hash is already in the ledger is skipped, so re-delivering a file is a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from dagster_project.contracts import (
    UNRECOGNISED,
    Contract,
    ReadOptions,
    Validated,
    comment_statements,
    empty_good,
    every_row_rejected,
    load_contracts,
    raw_record,
    raw_table_ddl,
    raw_table_migrations,
    rejected_table_ddl,
    validate_frame,
)
from dagster_project.faults import pause_point
from dagster_project.ingest.formats import (
    LANDING_SUFFIXES,
    LandingPlan,
    VendorFormat,
    load_formats,
    plan_landing,
    refusal,
)
from dagster_project.ingest.reader import (
    FileText,
    UnreadableFile,
    malformed_rejects,
    read_text_frame,
)
from dagster_project.ingest.vendor_mapping import apply_format
from dagster_project.tables import ensure_table, table

log = logging.getLogger(__name__)

LEDGER = table("raw.ingest_ledger")  # one row per file, from a FileResult


@dataclass
class FileResult:
    """What happened to one landing file: the ledger row (its columns are
    dagster_project/warehouse_tables.yaml's raw.ingest_ledger) and the time it took."""

    batch_id: int
    source: str
    file_name: str
    content_hash: str
    file_bytes: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    # loaded | partial | rejected | empty | unreadable | duplicate | unrecognised | refused
    status: str
    message: str
    loaded_at: dt.datetime
    seconds: float = 0.0  # time to read, validate and load the file (not in the ledger)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


def refused_digest(rel: str, message: str) -> str:
    """The ledger's content hash of an entry that is not read (a symbolic link, a device): of
    its name and the reason, never of what it points to."""
    return "not-read:" + hashlib.sha256(f"{rel}\0{message}".encode()).hexdigest()


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    ensure_table(con, "raw.ingest_ledger")
    con.execute(raw_table_ddl(contract))
    existing = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'raw' "
            "AND table_name = ? AND database_name = current_database()",
            [contract.name],
        ).fetchall()
    )
    for statement in raw_table_migrations(contract, existing):
        con.execute(statement)
    con.execute(rejected_table_ddl(contract))
    present = {
        (table, column): comment
        for table, column, comment in con.execute(
            """
            SELECT table_name, '', comment FROM duckdb_tables()
            WHERE schema_name = 'raw' AND table_name IN ($1, $2)
              AND database_name = current_database()
            UNION ALL
            SELECT table_name, column_name, comment FROM duckdb_columns()
            WHERE schema_name = 'raw' AND table_name IN ($1, $2)
              AND database_name = current_database()
            """,
            [contract.name, f"{contract.name}__rejected"],
        ).fetchall()
    }
    for statement in comment_statements(contract, present):
        con.execute(statement)


def _summarise_rejections(rejected: pl.DataFrame, limit: int = 3) -> str:
    if rejected.is_empty():
        return ""
    by_rule = rejected.group_by("_column", "_rule").len().sort("len", descending=True)
    rules = ", ".join(f"{c}/{r}: {n}" for c, r, n in by_rule.iter_rows())
    examples = "; ".join(
        f"row {n}: {reason}"
        for n, reason in rejected.select("_row_number", "_reason").head(limit).iter_rows()
    )
    return f"rejected by rule ({rules}); e.g. {examples}"


def _with_malformed(rejected: pl.DataFrame, text: FileText) -> pl.DataFrame:
    """Rows the reader could not split into the header's fields (and rows a vendor format
    could not use, which carry their own rule) join the rejected rows."""
    if text.malformed.is_empty():
        return rejected
    malformed = text.malformed  # a vendor format words its rows itself
    if "_rule" not in malformed.columns:
        malformed = malformed_rejects(malformed)
    malformed = malformed.select(
        "_row_number", "_rule", pl.lit("(row)").alias("_column"), "_reason", "_raw_record"
    )
    return pl.concat([rejected, malformed.cast(rejected.schema)]).sort("_row_number")


def load_file(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    path: Path,
    landing: Path,
    options: ReadOptions | None = None,
    fmt: VendorFormat | None = None,
) -> FileResult | None:
    """Load one file in one transaction; ``None`` if its content was loaded before.

    ``fmt``: the vendor export format the file is in (None: the contract's own columns)."""
    if (why := refusal(landing, path)) is not None:  # swapped for a link since it was planned
        raise UnreadableFile(f"{path.name}: not read: {why}")
    digest = file_hash(path)
    rel = str(path.relative_to(landing)) if path.is_relative_to(landing) else path.name
    seen = con.execute(
        "SELECT file_name FROM raw.ingest_ledger WHERE source = ? AND content_hash = ? "
        "ORDER BY batch_id",
        [contract.name, digest],
    ).fetchall()
    if any(name == rel for (name,) in seen):
        return None  # this very file was processed before
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if seen:  # the same content under another name: record it, load nothing again
        return _record(
            con,
            FileResult(
                batch_id=0,
                source=contract.name,
                file_name=rel,
                content_hash=digest,
                file_bytes=path.stat().st_size,
                rows_read=0,
                rows_loaded=0,
                rows_rejected=0,
                status="duplicate",
                message=f"{rel}: same content as {seen[0][0]}, already loaded; not loaded again",
                loaded_at=now,
            ),
        )
    try:
        text = read_text_frame(path, fmt.header_rows if fmt else 1)
        if text.duplicate_columns:  # which of the two values is meant is unknown
            rejected = every_row_rejected(
                text.frame,
                "duplicate_column",
                ", ".join(text.duplicate_columns),
                "(file): duplicate_column: the header names column(s) "
                f"{', '.join(text.duplicate_columns)} more than once: which value is meant "
                "is unknown",
            )
            checked = Validated(empty_good(contract), rejected, [], [])
        else:
            if fmt is not None:
                text = apply_format(fmt, contract, text, options or ReadOptions())
            checked = validate_frame(contract, text.frame, options)
        checked.rejected = _with_malformed(checked.rejected, text)
        unreadable = None
    except UnreadableFile as exc:
        text, checked, unreadable = None, None, str(exc)

    with _transaction(con):
        batch_id = _next_batch_id(con)
        meta = {"_batch_id": batch_id, "_source_file": rel, "_loaded_at": now}
        if checked is None:
            n_read = n_good = n_bad = 0
            status, message = "unreadable", f"{rel}: {unreadable}"
        else:
            good = checked.good.with_columns([pl.lit(v).alias(k) for k, v in meta.items()])
            bad = checked.rejected.with_columns([pl.lit(v).alias(k) for k, v in meta.items()])
            _append(con, contract.name, good)
            _append(con, f"{contract.name}__rejected", bad)
            n_read, n_good, n_bad = text.rows_read, good.height, bad.height
            notes = f" (read: {', '.join(text.notes)})" if text.notes else ""
            if n_read == 0 and not checked.missing_columns:
                status = "empty"
                message = f"{rel}: header only, no data rows{notes}"
            elif n_read == 0 and text.frame.width <= 1:
                status = "empty"
                message = f"{rel}: empty file (no header, no rows){notes}"
            elif text.duplicate_columns:
                status = "rejected"
                message = (
                    f"{rel}: file rejected: the header names column(s) "
                    f"{', '.join(text.duplicate_columns)} more than once; all {n_read} rows "
                    f"kept in raw.{contract.name}__rejected (rule duplicate_column){notes}"
                )
            elif checked.missing_columns:
                status = "rejected"
                message = (
                    f"{rel}: file rejected: lacks required column(s) "
                    f"{', '.join(checked.missing_columns)} (contract {contract.path.name}); "
                    f"all {n_read} rows kept in raw.{contract.name}__rejected{notes}"
                )
            else:
                # a file none of whose rows loaded is rejected, not "partial"
                status = "rejected" if n_bad and not n_good else "partial" if n_bad else "loaded"
                parts = [f"{rel}: {n_read} rows read, {n_good} loaded, {n_bad} rejected{notes}"]
                if n_bad:
                    parts.append(_summarise_rejections(checked.rejected))
                if checked.extra_columns and fmt is None:
                    parts.append(
                        "ignored columns not in the contract: " + ", ".join(checked.extra_columns)
                    )
                message = "; ".join(parts)
        result = FileResult(
            batch_id=batch_id,
            source=contract.name,
            file_name=rel,
            content_hash=digest,
            file_bytes=path.stat().st_size,
            rows_read=n_read,
            rows_loaded=n_good,
            rows_rejected=n_bad,
            status=status,
            message=message,
            loaded_at=now,
        )
        pause_point("ingest")  # rows inserted, ledger row not yet (crash tests only)
        _insert_ledger_row(con, result)
    (log.warning if status not in ("loaded", "empty") else log.info)(message)
    return result


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    """Insert the rows (if any) into raw.<table>, matching columns by name."""
    if rows.height:
        con.register("_new_rows", rows.to_arrow())
        try:
            con.execute(f'INSERT INTO raw."{table}" BY NAME SELECT * FROM _new_rows')
        finally:
            con.unregister("_new_rows")


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One DuckDB transaction: committed at the end, rolled back on any error or kill."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM raw.ingest_ledger").fetchall()[
        0
    ][0]


def _insert_ledger_row(con: duckdb.DuckDBPyConnection, result: FileResult) -> None:
    con.execute(
        f"INSERT INTO raw.ingest_ledger ({', '.join(LEDGER.column_names)}) "
        f"VALUES ({', '.join('?' for _ in LEDGER.column_names)})",
        [getattr(result, name) for name in LEDGER.column_names],
    )


def _record(con: duckdb.DuckDBPyConnection, result: FileResult) -> FileResult:
    """Write a ledger row for a file that loads no rows (its own transaction)."""
    with _transaction(con):
        result.batch_id = _next_batch_id(con)
        pause_point("ingest")  # rows inserted, ledger row not yet (crash tests only)
        _insert_ledger_row(con, result)
    log.info(result.message)
    return result


def landing_plan(landing: Path, contracts_dir: Path) -> LandingPlan:
    """Which landing files feed which contract, in which format, and which are in no known
    format (see ingest/formats.py)."""
    return plan_landing(landing, load_contracts(contracts_dir), load_formats(contracts_dir))


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    landing: Path,
    options: ReadOptions | None = None,
) -> list[FileResult]:
    """Load every new file that feeds one source, in file-name order (dated names load oldest
    first): the files in landing/<source>/ and the vendor exports anywhere in landing/ whose
    format maps onto this source."""
    ensure_tables(con, contract)
    results = []
    for planned in landing_plan(landing, contract.path.parent).for_contract(contract.name):
        start = time.monotonic()
        res = load_file(con, contract, planned.path, landing, options, planned.fmt)
        if res is not None:
            res.seconds = time.monotonic() - start
            results.append(res)
    return results


def ingest_unrecognised(
    con: duckdb.DuckDBPyConnection, landing: Path, contracts_dir: Path
) -> list[FileResult]:
    """Record each new landing file that matches no known format: a ledger row (status
    ``unrecognised``, with the closest known formats and the headers they expect) and its rows,
    as read, in raw.unrecognised_files__rejected. Other files are not held up."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    ensure_table(con, "raw.ingest_ledger")
    con.execute(rejected_table_ddl(UNRECOGNISED))
    results = []
    plan = landing_plan(landing, contracts_dir)
    for _path, rel, message in plan.refused:
        digest = refused_digest(rel, message)
        if con.execute(
            "SELECT 1 FROM raw.ingest_ledger WHERE source = ? AND content_hash = ? "
            "AND file_name = ?",
            [UNRECOGNISED, digest, rel],
        ).fetchall():
            continue
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        result = FileResult(0, UNRECOGNISED, rel, digest, 0, 0, 0, 0, "refused", message, now)
        results.append(_record(con, result))
    for path, rel, message in plan.unrecognised:
        if refusal(landing, path) is not None:
            continue  # swapped for a link since it was planned: refused by the next refresh
        digest = file_hash(path)
        seen = con.execute(
            "SELECT 1 FROM raw.ingest_ledger WHERE source = ? AND content_hash = ? "
            "AND file_name = ?",
            [UNRECOGNISED, digest, rel],
        ).fetchall()
        if seen:
            continue
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = pl.DataFrame(schema={"_row_number": pl.Int64, "_raw_record": pl.String})
        status = "unreadable"  # not a CSV file: the plan's message says so
        if path.suffix.lower() in LANDING_SUFFIXES:
            try:
                text = read_text_frame(path)
                fields = [c for c in text.frame.columns if c != "_row_number"]
                read = text.frame.select("_row_number", raw_record(fields).alias("_raw_record"))
                rows = pl.concat([read, text.malformed.select("_row_number", "_raw_record")])
                status = "unrecognised"
            except UnreadableFile as exc:
                message = f"{rel}: {exc}"
        with _transaction(con):
            batch_id = _next_batch_id(con)
            bad = rows.sort("_row_number").with_columns(
                pl.lit(batch_id).alias("_batch_id"),
                pl.lit(rel).alias("_source_file"),
                pl.lit("unknown_format").alias("_rule"),
                pl.lit("(file)").alias("_column"),
                pl.lit(
                    "(file): unknown_format: the file matches no known export format "
                    "(the ledger message lists the closest ones)"
                ).alias("_reason"),
                pl.lit(now).alias("_loaded_at"),
            )
            _append(con, f"{UNRECOGNISED}__rejected", bad)
            result = FileResult(
                batch_id=batch_id,
                source=UNRECOGNISED,
                file_name=rel,
                content_hash=digest,
                file_bytes=path.stat().st_size,
                rows_read=bad.height,
                rows_loaded=0,
                rows_rejected=bad.height,
                status=status,
                message=message
                + (
                    f" All {bad.height} rows kept in raw.{UNRECOGNISED}__rejected."
                    if bad.height
                    else ""
                ),
                loaded_at=now,
            )
            _insert_ledger_row(con, result)
        log.warning(result.message)
        results.append(result)
    return results

"""Publish a refresh atomically: the owner and the analyst see the previous complete build or
the new complete one, never a mix or a half-written file.

1. The warehouse (closed, checkpointed) is copied, in a storage format older DuckDB clients
   read, to a temporary file beside the analyst copy. When the previous analyst copy was
   written by this code with the same publishing settings, that file is copied instead and
   only what changed is written into it (:func:`update_analyst_copy`): new raw batches
   appended, changed tables replaced, views recreated. Its free pages then hold only data of
   earlier analyst copies, never a personal value or the salt.
2. The site is built from that copy into a new folder under ``.site-builds/``.
3. ``os.replace`` swaps the analyst copy in, then a new ``site`` symlink replaces the old one
   (``rename(2)`` is atomic on POSIX). Older builds are pruned, the live one never.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.faults import pause_point
from dagster_project.tables import sql_literal
from reports.build import SiteSummary, build_site


@dataclass
class Published:
    analytics: Path
    site: Path
    build_dir: Path
    summary: SiteSummary
    copy: dict[str, int] | None = None  # what an incremental analyst copy wrote (None: whole)


def checkpoint(warehouse: Path) -> None:
    """Fold the write-ahead log into the file so that a file copy is complete."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{wal} still has content after CHECKPOINT; is another process writing?")


PRIVATE_SCHEMAS = ("private",)  # the hashing salt and operational caches: never published


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_analyst_copy(
    warehouse: Path,
    target: Path,
    storage_version: str,
    personal_columns: dict[str, list[str]] | None = None,
    include_personal: bool = False,
) -> None:
    """Copy the warehouse into a new file in an older storage format, so DuckDB clients of the
    last year (1.1 and later for 'v1.1.0') can open the analyst copy.

    Left out: the ``private`` schema (the hashing salt). Unless ``include_personal``: the raw
    personal columns (``personal_columns``: raw table -> columns, from the contracts) and the
    rejected rows' raw records are null (their data is never written into the file, so no
    deleted page holds it). Views that read the salt (the staging models' key hashes) become
    tables holding their rows; the owner-facing follow-up marts keep their contact details,
    the documented exception."""
    personal = personal_columns or {}
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS source_db (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS analyst_db (STORAGE_VERSION '{storage_version}')")
        con.execute("COPY FROM DATABASE source_db TO analyst_db (SCHEMA)")
        for schema in PRIVATE_SCHEMAS:
            con.execute(f"DROP SCHEMA IF EXISTS analyst_db.{_q(schema)} CASCADE")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = 'source_db' ORDER BY ALL"
        ).fetchall()
        for schema, table in tables:
            if schema in PRIVATE_SCHEMAS:
                continue
            _, select = _masked_select(con, schema, table, personal, include_personal)
            con.execute(
                f"INSERT INTO analyst_db.{_q(schema)}.{_q(table)} "
                f"SELECT {select} FROM source_db.{_q(schema)}.{_q(table)}"
            )
        views = con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'source_db' "
            "AND NOT internal AND (" + " OR ".join(["sql ILIKE ?"] * len(PRIVATE_SCHEMAS)) + ")",
            [f"%{s}.%" for s in PRIVATE_SCHEMAS],
        ).fetchall()
        for schema, view in views:
            con.execute(f"DROP VIEW analyst_db.{_q(schema)}.{_q(view)}")
            con.execute(
                f"CREATE TABLE analyst_db.{_q(schema)}.{_q(view)} AS "
                f"SELECT * FROM source_db.{_q(schema)}.{_q(view)}"
            )
        copy_comments(con)
    finally:
        con.close()


def copy_comments(con: duckdb.DuckDBPyConnection) -> int:
    """The descriptions the warehouse holds as comments (dbt's persist_docs, the contracts) on
    the analyst copy's tables, views and columns, where they differ; how many were set."""
    private = ", ".join(sql_literal(s) for s in PRIVATE_SCHEMAS)

    def comments(database: str) -> dict[tuple[str, str, str, str], str | None]:
        rows = con.execute(
            f"""
            SELECT 'TABLE', schema_name, table_name, '', comment FROM duckdb_tables()
            WHERE database_name = $db AND schema_name NOT IN ({private})
            UNION ALL
            SELECT 'VIEW', schema_name, view_name, '', comment FROM duckdb_views()
            WHERE database_name = $db AND NOT internal AND schema_name NOT IN ({private})
            UNION ALL
            SELECT 'COLUMN', schema_name, table_name, column_name, comment FROM duckdb_columns()
            WHERE database_name = $db AND schema_name NOT IN ({private})
            """,
            {"db": database},
        ).fetchall()
        return {(kind, schema, name, col): text for kind, schema, name, col, text in rows}

    wanted, present = comments("source_db"), comments("analyst_db")
    kinds = {(s, n): k for (k, s, n, c) in present if k != "COLUMN"}
    done = 0
    for (kind, schema, name, column), text in sorted(wanted.items()):
        key = (kind, schema, name, column)
        if not text or present.get(key) == text:
            continue
        if kind == "COLUMN":
            if key not in present:
                continue
            target = f"COLUMN analyst_db.{_q(schema)}.{_q(name)}.{_q(column)}"
        else:  # a salted view is a table in the copy
            actual = kinds.get((schema, name))
            if actual is None:
                continue
            target = f"{actual} analyst_db.{_q(schema)}.{_q(name)}"
        con.execute(f"COMMENT ON {target} IS {sql_literal(text)}")
        done += 1
    return done


def _masked_select(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    personal: dict[str, list[str]],
    include_personal: bool,
) -> tuple[list[str], str]:
    """(columns, select list) of a source table as the analyst copy holds it."""
    columns = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'source_db' "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
    ]
    masked: set[str] = set()
    if schema == "raw" and not include_personal:
        masked = set(personal.get(table, []))
        if table.endswith("__rejected"):
            masked |= {"_raw_record"} | set(personal.get(table[: -len("__rejected")], []))
    return columns, ", ".join(f"NULL AS {_q(c)}" if c in masked else _q(c) for c in columns)


def _content(con: duckdb.DuckDBPyConnection, relation: str) -> tuple:
    """Row count and two order-free digests of every row (equal contents, equal tuple)."""
    return con.execute(
        f"SELECT count(*), sum(hash(r)::HUGEINT), bit_xor(hash(r)) FROM ({relation}) r"
    ).fetchall()[0]


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> list:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [database, schema, name],
    ).fetchall()


BATCH_COLUMNS = ("_batch_id", "batch_id")  # the load batch a row came from (raw and lineage)


def _sync_rows(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, source: str
) -> tuple[str, int]:
    """Make the rows of ``dest`` those of ``source`` (same columns), writing as little as
    possible: ("unchanged" | "appended" | "replaced", rows written).

    A table that carries the load batch of its rows (raw tables, the staging and fact tables
    that keep ``batch_id``) is appended to when its rows of the batches the copy already has
    are exactly the copy's rows (same count and content digests): then only the newer
    batches' rows are written. Any other table is compared whole."""
    dest = f"analyst_db.{_q(schema)}.{_q(table)}"
    batch = next(
        (
            c
            for c, t in _columns(con, "analyst_db", schema, table)
            if c in BATCH_COLUMNS and t in ("BIGINT", "INTEGER")
        ),
        None,
    )
    current = _content(con, f"SELECT * FROM {dest}")
    if batch is not None and current[0]:
        (have,) = con.execute(f"SELECT max({_q(batch)}) FROM {dest}").fetchall()[0]
        if have is not None:
            older = f"SELECT * FROM ({source}) s WHERE coalesce(s.{_q(batch)}, {have}) <= {have}"
            if _content(con, older) == current:
                added = con.execute(
                    f"INSERT INTO {dest} SELECT * FROM ({source}) s WHERE s.{_q(batch)} > {have}"
                ).fetchall()[0][0]
                return ("appended" if added else "unchanged"), added
    elif _content(con, source) == current:
        return "unchanged", 0
    con.execute(f"DELETE FROM {dest}")
    return "replaced", con.execute(f"INSERT INTO {dest} {source}").fetchall()[0][0]


def update_analyst_copy(
    warehouse: Path,
    target: Path,
    personal_columns: dict[str, list[str]] | None = None,
    include_personal: bool = False,
) -> dict[str, int] | None:
    """Bring ``target`` (a copy of the previous analyst copy) up to the warehouse, writing only
    what changed (:func:`_sync_rows`): a table whose rows carry their load batch gets the
    newer batches' rows appended when its older rows are unchanged; any other table (and
    each view that reads the private schema, kept as a table) is replaced only if its
    content differs; a table whose definition changed is created anew from the warehouse's
    definition. Views are recreated, schemas and
    tables the warehouse no longer has are dropped. None (nothing written) when the copy is
    more than half free pages: the caller writes a compact copy instead."""
    personal = personal_columns or {}
    stats = {"tables_unchanged": 0, "tables_appended": 0, "tables_replaced": 0, "rows_written": 0}
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS source_db (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS analyst_db")
        free, total = con.execute(
            "SELECT free_blocks, total_blocks FROM pragma_database_size() "
            "WHERE database_name = 'analyst_db'"
        ).fetchall()[0]
        if free * 2 > total:
            return None
        private = ", ".join(f"'{s}'" for s in PRIVATE_SCHEMAS)

        def objects(database: str, kind: str) -> dict[tuple[str, str], str]:
            name = "table_name" if kind == "tables" else "view_name"
            internal = "" if kind == "tables" else "AND NOT internal"
            return {
                (schema, obj): sql
                for schema, obj, sql in con.execute(
                    f"SELECT schema_name, {name}, sql FROM duckdb_{kind}() "
                    f"WHERE database_name = ? AND schema_name NOT IN ({private}) {internal}",
                    [database],
                ).fetchall()
            }

        src_tables, src_views = objects("source_db", "tables"), objects("source_db", "views")
        salted = {
            k
            for k, sql in src_views.items()
            if any(f"{p}." in sql.lower() for p in PRIVATE_SCHEMAS)
        }
        dst_tables, dst_views = objects("analyst_db", "tables"), objects("analyst_db", "views")
        for schema, view in dst_views:  # recreated below from the warehouse's definitions
            con.execute(f"DROP VIEW analyst_db.{_q(schema)}.{_q(view)}")
        wanted = set(src_tables) | salted
        for schema, table in sorted(set(dst_tables) - wanted):
            con.execute(f"DROP TABLE analyst_db.{_q(schema)}.{_q(table)}")
        schemas = {s for s, _ in src_tables} | {s for s, _ in src_views}
        for (schema,) in con.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'analyst_db' "
            "AND NOT internal"
        ).fetchall():
            if schema not in schemas:
                con.execute(f"DROP SCHEMA analyst_db.{_q(schema)} CASCADE")
        for schema in sorted(schemas):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS analyst_db.{_q(schema)}")
        con.execute("USE analyst_db")
        for (schema, table), ddl in sorted(src_tables.items()):
            columns, select = _masked_select(con, schema, table, personal, include_personal)
            source = f"SELECT {select} FROM source_db.{_q(schema)}.{_q(table)}"
            dest = f"analyst_db.{_q(schema)}.{_q(table)}"
            # same definition (columns, types, constraints) as the warehouse's table
            same_shape = dst_tables.get((schema, table)) == ddl
            if not same_shape:
                con.execute(f"DROP TABLE IF EXISTS {dest}")
                con.execute(ddl)  # the warehouse's definition, constraints included
                stats["tables_replaced"] += 1
                stats["rows_written"] += con.execute(f"INSERT INTO {dest} {source}").fetchall()[0][
                    0
                ]
                continue
            outcome, rows = _sync_rows(con, schema, table, source)
            stats[f"tables_{outcome}"] += 1
            stats["rows_written"] += rows
        for schema, view in sorted(salted):
            dest = f"analyst_db.{_q(schema)}.{_q(view)}"
            source = f"SELECT * FROM source_db.{_q(schema)}.{_q(view)}"
            if (schema, view) in dst_tables and _columns(
                con, "analyst_db", schema, view
            ) == _columns(con, "source_db", schema, view):
                outcome, rows = _sync_rows(con, schema, view, source)
            else:
                con.execute(f"DROP TABLE IF EXISTS {dest}")
                con.execute(f"CREATE TABLE {dest} AS {source}")
                outcome = "replaced"
                rows = con.execute(f"SELECT count(*) FROM {dest}").fetchall()[0][0]
            stats[f"tables_{outcome}"] += 1
            stats["rows_written"] += rows
        pending = [sql for key, sql in sorted(src_views.items()) if key not in salted]
        while pending:  # a view needs the views it reads: create in passes until all exist
            failed: list[str] = []
            for sql in pending:
                try:
                    con.execute(sql)
                except duckdb.CatalogException:
                    failed.append(sql)
            if len(failed) == len(pending):
                con.execute(failed[0])  # no progress: raise the real error
            pending = failed
        stats["comments_set"] = copy_comments(con)
        con.execute("USE memory")
        con.execute("DETACH analyst_db")
    finally:
        con.close()
    return stats


PUBLISH_FORMAT = 1  # bump when what the analyst copy holds changes shape


def copy_settings_digest(
    storage_version: str, personal_columns: dict[str, list[str]] | None, include_personal: bool
) -> str:
    """What the analyst copy's content depends on besides the warehouse: a previous copy is
    reused only if it was written under the same publishing settings."""
    text = json.dumps(
        [
            PUBLISH_FORMAT,
            storage_version,
            include_personal,
            sorted((k, sorted(v)) for k, v in (personal_columns or {}).items()),
            PRIVATE_SCHEMAS,
            duckdb.__version__,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def copy_record(warehouse: Path) -> Path:
    return warehouse.parent / ".analytics-copy.json"


def _identity(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def reusable_copy(warehouse: Path, analytics: Path, digest: str) -> bool:
    """The live analyst copy is the very file the last publish wrote, with these settings."""
    try:
        record = json.loads(copy_record(warehouse).read_text())
        return record["settings"] == digest and record["file"] == _identity(analytics)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def share(path: Path, group: str | None, mode: int, group_mode: int) -> None:
    """Owner-only ``mode``; with ``group``, that group owns it and ``group_mode`` applies."""
    if group:
        shutil.chown(path, group=group)
        path.chmod(group_mode)
    else:
        path.chmod(mode)


def share_tree(root: Path, group: str | None) -> None:
    """A published site: folders 0700 / files 0600, or 0750 / 0640 for ``group``."""
    for dirpath, _dirnames, filenames in os.walk(root):
        share(Path(dirpath), group, 0o700, 0o750)
        for name in filenames:
            share(Path(dirpath) / name, group, 0o600, 0o640)


def swap_symlink(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` atomically (a real folder at ``link`` is moved aside once)."""
    if link.exists() and not link.is_symlink():
        link.rename(link.with_name(f"{link.name}.pre-publish-{uuid.uuid4().hex[:6]}"))
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)


def prune_builds(builds: Path, live: Path, keep: int) -> None:
    done = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in done[:-keep] if keep > 0 else done:
        if old.resolve() != live.resolve():
            shutil.rmtree(old, ignore_errors=True)
    for partial in builds.glob(".*.partial"):
        shutil.rmtree(partial, ignore_errors=True)


def publish(
    warehouse: Path,
    analytics: Path,
    site: Path,
    builds: Path,
    keep: int = 2,
    currency: str = "£",
    business: str = "",
    docs_html: Path | None = None,
    storage_version: str = "v1.1.0",
    personal_columns: dict[str, list[str]] | None = None,
    include_personal: bool = False,
    share_group: str | None = None,
) -> Published:
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    analytics.parent.mkdir(parents=True, exist_ok=True)
    builds.mkdir(parents=True, exist_ok=True)
    # the folders the refresh owns (not a folder the operator pointed EMPATHY_ANALYTICS into)
    for folder in {warehouse.parent, builds}:
        share(folder, share_group, 0o700, 0o750)
    checkpoint(warehouse)
    for stale in analytics.parent.glob(f".{analytics.name}.*.tmp"):  # left by a killed refresh
        stale.unlink(missing_ok=True)
    tmp_db = analytics.with_name(f".{analytics.name}.{build_id}.tmp")
    partial = builds / f".{build_id}.partial"
    digest = copy_settings_digest(storage_version, personal_columns, include_personal)
    copy_stats = None
    try:
        if reusable_copy(warehouse, analytics, digest):
            shutil.copyfile(analytics, tmp_db)
            copy_stats = update_analyst_copy(warehouse, tmp_db, personal_columns, include_personal)
            if copy_stats is None:  # mostly free pages: write a compact copy
                tmp_db.unlink()
        if copy_stats is None:
            write_analyst_copy(
                warehouse, tmp_db, storage_version, personal_columns, include_personal
            )
        copy_record(warehouse).unlink(missing_ok=True)
        summary = build_site(
            tmp_db, partial, currency=currency, published_name=analytics.name, business=business
        )
        if docs_html is not None:  # the dbt docs: data dictionary and lineage, under docs/
            (partial / "docs").mkdir()
            shutil.copyfile(docs_html, partial / "docs" / "index.html")
        share_tree(partial, share_group)
        final = builds / build_id
        partial.rename(final)
        share(tmp_db, share_group, 0o400, 0o440)
        fd = os.open(tmp_db, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_db, analytics)
        record = {"settings": digest, "file": _identity(analytics)}
        copy_record(warehouse).write_text(json.dumps(record) + "\n")
        pause_point("publish")  # new analyst copy, previous site (crash tests only)
        swap_symlink(site, final)
    finally:
        tmp_db.unlink(missing_ok=True)
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    prune_builds(builds, final, keep)
    return Published(
        analytics=analytics, site=site, build_dir=final, summary=summary, copy=copy_stats
    )


def rebuild_site(
    analytics: Path,
    site: Path,
    builds: Path,
    keep: int = 2,
    currency: str = "£",
    business: str = "",
    share_group: str | None = None,
) -> Published:
    """Build the pages again from the published analyst copy (nothing else changes: a later
    day with no new data), keep the live site's dbt docs, and swap the new build in."""
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    partial = builds / f".{build_id}.partial"
    docs = site / "docs" / "index.html"
    try:
        summary = build_site(analytics, partial, currency=currency, business=business)
        if docs.is_file():
            (partial / "docs").mkdir()
            shutil.copyfile(docs, partial / "docs" / "index.html")
        share_tree(partial, share_group)
        final = builds / build_id
        partial.rename(final)
        swap_symlink(site, final)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    prune_builds(builds, final, keep)
    return Published(analytics=analytics, site=site, build_dir=final, summary=summary)
